//go:build linux

package seccomp

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
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
	// The embedded exec.Cmd of a Command refuses to start unfiltered,
	// before and after a Start that failed its checks.
	err = Command(compile(Policy{Default: Allow}), "/bin/true").Cmd.Run()
	assert.ErrorIs(t, err, errStartThroughCmd)
	c := Command(compile(denyExecve), "/bin/true")
	require.Error(t, c.Start())
	assert.ErrorIs(t, c.Cmd.Run(), errStartThroughCmd)
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

// TestCmdTrampolineErrors checks how Start reads what the trampoline
// wrote: nothing at all means the child was no trampoline.
func TestCmdTrampolineErrors(t *testing.T) {
	installErr := installError(syscall.EACCES, 0, 1)
	for _, tc := range []struct {
		name, reply, want string
		errno             syscall.Errno // that the error wraps, if not 0
	}{
		{"no trampoline", "", "did not run the trampoline of package seccomp", 0},
		{"error before the filter", "R" + failureReport(installErr), installErr.Error(), syscall.EACCES},
		{"error with no errno", "R" + failureReport(errors.New("bad: config")), "bad: config", 0},
		{"garbled report", "REseccomp: x", "garbled", 0},
		{"exec failed", "RX2", "exec under the filter /bin/true: no such file or directory", syscall.ENOENT},
		{"died after the filter", "R", "the trampoline ended when: exit status 0", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &Cmd{Cmd: exec.Command("/bin/true")}
			require.NoError(t, c.Cmd.Start())
			err := c.trampolineError([]byte(tc.reply), "when")
			assert.ErrorContains(t, err, tc.want)
			if tc.errno != 0 {
				assert.ErrorIs(t, err, tc.errno)
			} else {
				assert.NotErrorIs(t, err, syscall.EACCES)
			}
		})
	}
}

// TestCmdSupervisedFDs checks that a supervised command holds no copy of
// its listener (nor the trampoline's socket and page): it sees the same
// descriptors as under plain os/exec.
func TestCmdSupervisedFDs(t *testing.T) {
	requireKernel(t)
	p := Policy{Default: Allow}
	p.Add("getppid", Rule{Action: Notify})
	prog, err := p.Compile()
	require.NoError(t, err)
	script := `for f in /proc/self/fd/*; do readlink "$f"; done | sed 's/[0-9][0-9]*/N/g' | sort`
	cmd := Command(prog, "/bin/sh", "-c", script)
	var l *Listener
	cmd.Supervise = func(got *Listener) {
		l = got
		go func() { // the shell calls getppid for $PPID
			for {
				n, err := got.Receive(context.Background())
				if err != nil {
					return
				}
				got.Continue(n.ID)
			}
		}()
	}
	out, err := cmd.Output()
	require.NoError(t, err)
	require.NotNil(t, l)
	defer l.Close()
	want, err := exec.Command("/bin/sh", "-c", script).Output()
	require.NoError(t, err)
	assert.Equal(t, string(want), string(out))
	assert.NotContains(t, string(out), "seccomp")
}

// TestCmdSlowSupervise checks that the trampoline, waiting under the
// filter for the caller to take the listener, makes no system call however
// long the caller takes (past the 10ms after which the Go scheduler
// preempts a goroutine, which on a locked thread parks it with futex): the
// first call a notify-everything filter sees must be the command's execve.
func TestCmdSlowSupervise(t *testing.T) {
	requireKernel(t)
	native, err := NativeArch()
	require.NoError(t, err)
	execve, _ := native.SyscallNumber("execve")
	prog, err := (&Policy{Default: Notify}).Compile()
	require.NoError(t, err)
	for _, wait := range []time.Duration{0, 200 * time.Millisecond} {
		t.Run(wait.String(), func(t *testing.T) {
			if raceEnabled && wait > 0 {
				t.Skip("under -race the trampoline's atomic loads are calls the scheduler preempts (futex): Cmd's doc says so")
			}
			first := make(chan int, 1)
			cmd := Command(prog, "/bin/true")
			cmd.Supervise = func(l *Listener) {
				time.Sleep(wait)
				go func() {
					defer l.Close()
					for i := 0; ; i++ {
						n, err := l.Receive(context.Background())
						if err != nil {
							return
						}
						if i == 0 {
							first <- n.Nr
						}
						l.Continue(n.ID)
					}
				}()
			}
			require.NoError(t, cmd.Run())
			nr := <-first
			name, _ := native.SyscallName(nr)
			assert.Equal(t, execve, nr, "the first call under the filter is %s (%d), not execve", name, nr)
		})
	}
}

// TestCmdSignalState checks that the command starts with the signal mask
// and dispositions os/exec gives it: what the caller ignores stays
// ignored (SIGUSR2 too, which the trampoline's Go runtime would catch),
// what it catches is default, nothing is blocked that os/exec leaves
// unblocked.
func TestCmdSignalState(t *testing.T) {
	requireKernel(t)
	signal.Ignore(syscall.SIGHUP, syscall.SIGUSR2)
	defer signal.Reset(syscall.SIGHUP, syscall.SIGUSR2)
	caught := make(chan os.Signal, 1)
	signal.Notify(caught, syscall.SIGUSR1)
	defer signal.Stop(caught)

	script := `grep -E '^Sig(Blk|Ign|Cgt):' /proc/self/status`
	want, err := exec.Command("/bin/sh", "-c", script).Output()
	require.NoError(t, err)
	require.Contains(t, string(want), "SigIgn:\t0000000000000801\n", "os/exec's command ignores SIGHUP and SIGUSR2")
	got, err := Command(denyMkdir(t, Errno(syscall.EPERM)), "/bin/sh", "-c", script).Output()
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got))
}

// TestCmdSignalState32 is TestCmdSignalState for a 386 program, whose
// struct sigaction has 32-bit fields (the trampoline once read the
// handler and the flags as one 64-bit word there, and lost every ignored
// signal). It needs amd64 and the kernel's IA32 emulation.
func TestCmdSignalState32(t *testing.T) {
	requireKernel(t)
	if runtime.GOARCH != "amd64" {
		t.Skipf("runs a 386 program on amd64; this is %s", runtime.GOARCH)
	}
	bin := testdataProgram(t, "cmdsignals", "GOARCH=386")
	out, err := exec.Command(bin).CombinedOutput()
	if errors.Is(err, syscall.ENOEXEC) {
		skipUnlessRequired(t, "this kernel runs no 386 programs (no IA32 emulation)")
	}
	require.NoError(t, err, "the command's signal state is not os/exec's, or the program failed:\n%s", out)
	assert.Contains(t, string(out), "SigIgn:\t0000000000000801\n")
}
