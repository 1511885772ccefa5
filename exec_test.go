//go:build linux

package seccomp

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// denyMkdir is a program that allows everything but mkdir and mkdirat,
// which get deny.
func denyMkdir(t testing.TB, deny Action) Program {
	t.Helper()
	p := Policy{Default: Allow}
	native, err := NativeArch()
	require.NoError(t, err)
	for _, name := range []string{"mkdir", "mkdirat"} {
		if _, ok := native.SyscallNumber(name); ok {
			p.Add(name, Rule{Action: deny})
		}
	}
	prog, err := p.Compile()
	require.NoError(t, err)
	return prog
}

// TestCmdConfinesOnlyTheCommand checks that the command cannot do what
// the filter denies and that the caller, every thread of it, still can.
func TestCmdConfinesOnlyTheCommand(t *testing.T) {
	requireKernel(t)
	dir := filepath.Join(t.TempDir(), "made")
	cmd := Command(denyMkdir(t, Errno(syscall.EPERM)), "/bin/sh", "-c", `mkdir "$0"; echo "status $?"; grep '^Seccomp:' /proc/self/status`, dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, stderr.String())
	assert.Equal(t, "status 1\nSeccomp:\t2\n", string(out))
	assert.Contains(t, stderr.String(), "Operation not permitted")

	require.NoError(t, os.Mkdir(dir, 0o755), "the caller must not be filtered")
	tasks, err := filepath.Glob("/proc/self/task/*/status")
	require.NoError(t, err)
	require.NotEmpty(t, tasks)
	for _, task := range tasks {
		b, err := os.ReadFile(task)
		require.NoError(t, err)
		assert.Contains(t, string(b), "Seccomp:\t0\n", "%s of the caller", task)
	}
}

// TestCmdExitStatus checks that exit statuses and signals reach Wait as
// os/exec reports them, the filter's SIGSYS included.
func TestCmdExitStatus(t *testing.T) {
	requireKernel(t)
	dir := t.TempDir()
	for _, tc := range []struct {
		name   string
		prog   Program
		script string
		code   int            // if not signaled
		signal syscall.Signal // 0: exited
	}{
		{"zero", denyMkdir(t, Errno(syscall.EPERM)), "true", 0, 0},
		{"seven", denyMkdir(t, Errno(syscall.EPERM)), "exit 7", 7, 0},
		{"SIGTERM", denyMkdir(t, Errno(syscall.EPERM)), "kill -TERM $$", 0, syscall.SIGTERM},
		{"filter kills", denyMkdir(t, KillProcess), `exec mkdir "` + dir + `/x"`, 0, syscall.SIGSYS},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Command(tc.prog, "/bin/sh", "-c", tc.script).Run()
			if tc.code == 0 && tc.signal == 0 {
				require.NoError(t, err)
				return
			}
			ee, ok := errors.AsType[*exec.ExitError](err)
			require.True(t, ok, "got %v", err)
			ws := ee.Sys().(syscall.WaitStatus)
			if tc.signal != 0 {
				assert.True(t, ws.Signaled(), "%v", ee)
				assert.Equal(t, tc.signal, ws.Signal())
			} else {
				assert.Equal(t, tc.code, ee.ExitCode())
			}
		})
	}
}

// TestCmdConventions checks os/exec's conventions: argv, Dir, Env,
// Stdin, ExtraFiles, and that the command sees the same descriptors and
// environment as under plain os/exec (no trampoline marker, socket or
// page).
func TestCmdConventions(t *testing.T) {
	requireKernel(t)
	prog := denyMkdir(t, Errno(syscall.EPERM))
	dir := t.TempDir()
	r, w, err := os.Pipe()
	require.NoError(t, err)
	defer r.Close()
	script := `echo "$0 $1"; pwd; echo "FOO=$FOO"; cat; echo via3 >&3; ls /proc/self/fd | sort -n | tr '\n' ' '; echo; env | sort | grep -v '^_=\|^PWD=\|^SHLVL='`
	configure := func(c *exec.Cmd) {
		c.Dir = dir
		c.Env = []string{"FOO=bar", "PATH=/usr/bin:/bin"}
		c.Stdin = strings.NewReader("from stdin\n")
		c.ExtraFiles = []*os.File{w}
	}
	cmd := Command(prog, "/bin/sh", "-c", script, "argzero", "argone")
	configure(cmd.Cmd)
	out, err := cmd.Output()
	require.NoError(t, err)
	plain := exec.Command("/bin/sh", "-c", script, "argzero", "argone")
	configure(plain)
	want, err := plain.Output()
	require.NoError(t, err)
	w.Close()
	assert.Equal(t, string(want), string(out))
	assert.True(t, strings.HasPrefix(string(out), "argzero argone\n"+dir+"\nFOO=bar\nfrom stdin\n"), "%s", out)
	via3 := make([]byte, 100)
	n, _ := r.Read(via3)
	assert.Equal(t, "via3\nvia3\n", string(via3[:n]))
	// Start restores what it borrowed.
	assert.Equal(t, "/bin/sh", cmd.Path)
	assert.Equal(t, []string{"FOO=bar", "PATH=/usr/bin:/bin"}, cmd.Env)
	assert.Len(t, cmd.ExtraFiles, 1)
}

// TestCmdContext checks that cancelling the context kills the command.
func TestCmdContext(t *testing.T) {
	requireKernel(t)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := CommandContext(ctx, denyMkdir(t, Errno(syscall.EPERM)), "/bin/sleep", "30")
	require.NoError(t, cmd.Start())
	start := time.Now()
	cancel()
	err := cmd.Wait()
	assert.Less(t, time.Since(start), 10*time.Second)
	ee, ok := errors.AsType[*exec.ExitError](err)
	require.True(t, ok, "got %v", err)
	assert.Equal(t, syscall.SIGKILL, ee.Sys().(syscall.WaitStatus).Signal())
}

// TestCmdStartErrors checks the errors Start returns before or instead of
// running the command.
func TestCmdStartErrors(t *testing.T) {
	requireKernel(t)
	native, err := NativeArch()
	require.NoError(t, err)
	compile := func(p Policy) Program {
		prog, err := p.Compile()
		require.NoError(t, err)
		return prog
	}
	denyExecve := Policy{Default: Allow}
	denyExecve.Add("execve", Rule{Action: Errno(syscall.EPERM)})
	killExecve := Policy{Default: Allow}
	killExecve.Add("execve", Rule{Action: KillProcess})
	notifyExecve := Policy{Default: Allow}
	notifyExecve.Add("execve", Rule{Action: Notify})
	notifyOther := Policy{Default: Allow}
	notifyOther.Add("getppid", Rule{Action: Notify})
	other := ArchAArch64
	if native == ArchAArch64 {
		other = ArchX86_64
	}
	for _, tc := range []struct {
		name string
		cmd  *Cmd
		want string
	}{
		{"execve denied", Command(compile(denyExecve), "/bin/true"), "cannot allow execve"},
		{"execve killed", Command(compile(killExecve), "/bin/true"), "its actions for it are kill-process"},
		{"execve notified without Supervise", Command(compile(notifyExecve), "/bin/true"), "Notify actions but Cmd.Supervise is nil"},
		{"notify without Supervise", Command(compile(notifyOther), "/bin/true"), "Notify actions but Cmd.Supervise is nil"},
		{"another arch", Command(compile(Policy{Arch: other, Default: Allow}), "/bin/true"), "cannot install a program for"},
		{"empty program", Command(Program{}, "/bin/true"), "cannot install"},
		{"NewListener without Supervise", &Cmd{Cmd: exec.Command("/bin/true"), Program: compile(Policy{Default: Allow}), Options: InstallOptions{NewListener: true}}, "NewListener needs Cmd.Supervise"},
		{"not found, under the filter", Command(compile(Policy{Default: Allow}), "/nonexistent/command"), "exec under the filter /nonexistent/command: no such file or directory"},
		{"not on PATH", Command(compile(Policy{Default: Allow}), "no-such-command-anywhere"), "executable file not found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cmd.Start()
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	// The embedded exec.Cmd of a Command refuses to start unfiltered.
	err = Command(compile(Policy{Default: Allow}), "/bin/true").Cmd.Run()
	assert.ErrorIs(t, err, errStartThroughCmd)
}

// TestCmdNoArgs checks that a Cmd with no Args gives the command its
// path as argv[0], as os/exec does, not the trampoline's.
func TestCmdNoArgs(t *testing.T) {
	requireKernel(t)
	c := &Cmd{Cmd: &exec.Cmd{Path: "/bin/sh", Stdin: strings.NewReader(`echo "$0"`)}, Program: denyMkdir(t, Errno(syscall.EPERM))}
	out, err := c.Output()
	require.NoError(t, err)
	assert.Equal(t, "/bin/sh\n", string(out))
	assert.Nil(t, c.Args)
}
