//go:build linux

package seccomp

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
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
			mmap := "mmap"
			if _, ok := arch.SyscallNumber("mmap2"); ok {
				mmap = "mmap2" // what the 32-bit runtimes call
			}
			for _, name := range []string{"futex", mmap, "madvise", "clone", "rt_sigreturn", "tgkill", "epoll_pwait", "exit_group", "nanosleep", "sched_getaffinity", "pread64"} {
				assert.Contains(t, names, name)
			}
			// A policy of them compiles: no name is unknown to the arch.
			p := Policy{Arch: arch, Default: Errno(syscall.EPERM)}
			p.Allow(names...)
			_, err := p.Compile()
			require.NoError(t, err)
		})
	}
	// Names an arch lacks are left out, and those it has kept: mmap2 is
	// the 32-bit arches' mmap.
	for _, arch := range Arches() {
		if _, ok := arch.SyscallNumber("mmap2"); ok {
			assert.Contains(t, GoRuntimeSyscalls(arch), "mmap2", "%s has mmap2", arch)
		} else {
			assert.NotContains(t, GoRuntimeSyscalls(arch), "mmap2", "%s has mmap, not mmap2", arch)
		}
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
	bin := testdataProgram(t, "goruntime")
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
	_, err := os.Stat(filepath.Join(dir, "denied"))
	assert.ErrorIs(t, err, os.ErrNotExist)
}

// testdataProgram builds testdata/name into t.TempDir() and returns its
// path.
func testdataProgram(t *testing.T, name string) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	bin := filepath.Join(t.TempDir(), name)
	out, err := exec.Command(goTool, "build", "-o", bin, "./testdata/"+name).CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	return bin
}

// TestREADMETour checks that the README's tour is testdata/tour's main,
// word for word, and that the program runs to the end under the filter
// it installs: the Go runtime survives, and the call it does not allow
// fails with EPERM.
func TestREADMETour(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	src, err := os.ReadFile("testdata/tour/main.go")
	require.NoError(t, err)
	_, after, ok := strings.Cut(string(readme), "## A short tour of the API\n")
	require.True(t, ok)
	_, after, ok = strings.Cut(after, "```go\n")
	require.True(t, ok)
	block, _, ok := strings.Cut(after, "```\n")
	require.True(t, ok)
	imports, stmts, ok := strings.Cut(block, ")\n\n")
	require.True(t, ok)
	_, body, _ := strings.Cut(string(src), "\t// tour begins\n")
	body, _, _ = strings.Cut(body, "\t// tour ends\n")
	var dedented strings.Builder
	for line := range strings.Lines(body) {
		dedented.WriteString(strings.TrimPrefix(line, "\t"))
	}
	assert.Equal(t, dedented.String(), stmts, "the README's tour and testdata/tour differ")
	assert.Contains(t, string(src), imports+")\n", "the README's imports and testdata/tour's differ")

	requireKernel(t)
	if native, _ := NativeArch(); native != ArchX86_64 {
		t.Skipf("the tour is for x86_64, this is %s", native)
	}
	out, err := exec.Command(testdataProgram(t, "tour")).CombinedOutput()
	require.NoError(t, err, "%s", out)
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	require.GreaterOrEqual(t, len(lines), 4, "%s", out)
	assert.Regexp(t, `^\d+ \[errno\(97\) allow\]$`, lines[len(lines)-3])
	assert.Equal(t, "errno(97) errno(97) 1", lines[len(lines)-2])
	assert.Equal(t, "open /etc/hostname: operation not permitted", lines[len(lines)-1])
}
