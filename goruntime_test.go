//go:build linux

package seccomp

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGoRuntimeSyscallsPerArch(t *testing.T) {
	for _, arch := range Arches() {
		t.Run(arch.String(), func(t *testing.T) {
			names := GoRuntimeSyscalls(arch)
			require.NotEmpty(t, names)
			for _, name := range names {
				_, ok := arch.SyscallNumber(name)
				assert.True(t, ok, "%s has no %s", arch, name)
			}
			// The calls the runtime cannot run without are there on
			// every arch.
			for _, name := range []string{"futex", "mmap", "madvise", "clone", "rt_sigreturn", "tgkill", "epoll_pwait", "exit_group", "nanosleep"} {
				assert.Contains(t, names, name)
			}
			// A policy of them compiles: no name is unknown to the arch.
			p := Policy{Arch: arch, Default: Errno(syscall.EPERM)}
			p.Allow(names...)
			_, err := p.Compile()
			require.NoError(t, err)
		})
	}
	// Names an arch lacks are left out.
	for _, arch := range Arches() {
		assert.NotContains(t, GoRuntimeSyscalls(arch), "mmap2", "%s has mmap, not mmap2", arch)
	}
	assert.Nil(t, GoRuntimeSyscalls(Arch(0x1234)))
}

// TestGoRuntimeSyscalls builds testdata/goruntime, a Go program that
// filters itself with GoRuntimeSyscalls and the calls its code makes, and
// runs it: it must work the runtime (GC, threads, preemption, timers, the
// netpoller) to the end, and a call outside the set must be denied, with
// EPERM or, under -kill, by SIGSYS.
func TestGoRuntimeSyscalls(t *testing.T) {
	requireKernel(t)
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	bin := filepath.Join(t.TempDir(), "goruntime")
	build := exec.Command(goTool, "build", "-o", bin, "./testdata/goruntime")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "go build: %s", out)

	dir := t.TempDir()
	t.Run("errno", func(t *testing.T) {
		out, err := exec.Command(bin, "-dir", dir).CombinedOutput()
		require.NoError(t, err, "%s", out)
		assert.Equal(t, "ran: 16 goroutines summed 120, 20 blocks kept\nmkdir: true\n", string(out))
	})
	t.Run("kill", func(t *testing.T) {
		out, err := exec.Command(bin, "-kill", "-dir", dir).Output()
		ee, ok := errors.AsType[*exec.ExitError](err)
		require.True(t, ok, "want killed, got %v: %s", err, out)
		ws := ee.Sys().(syscall.WaitStatus)
		assert.True(t, ws.Signaled() && ws.Signal() == syscall.SIGSYS, "%v: %s", ee, ee.Stderr)
		assert.Equal(t, "ran: 16 goroutines summed 120, 20 blocks kept\n", string(out))
	})
	_, err = os.Stat(filepath.Join(dir, "denied"))
	assert.ErrorIs(t, err, os.ErrNotExist)
}
