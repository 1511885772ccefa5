//go:build linux

package seccomp

// Live tests of the Listener: the supervisor is this test process, and
// the target is this test binary run again, by sandboxed exec, as
// TestSandboxTarget with sandboxTargetEnv naming what to do. The target
// prints what it saw as "TARGET " lines; the filter notifies getppid (and,
// for add-fd, openat), which the Go runtime and the testing package do
// not otherwise call.

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

const sandboxTargetEnv = "SECCOMP_SANDBOX_TARGET"

// targetMagicPath is the path whose openat the add-fd supervisor answers
// with a descriptor of its own.
const targetMagicPath = "/seccomp-test/magic"

// TestSandboxTarget is the target side of the Listener tests; it does
// nothing unless a test starts it with a scenario.
func TestSandboxTarget(t *testing.T) {
	scenario := os.Getenv(sandboxTargetEnv)
	if scenario == "" {
		return
	}
	report := func(format string, args ...any) { fmt.Printf("TARGET "+format+"\n", args...) }
	getppid := func(arg uint64) (uintptr, syscall.Errno) {
		// Syscall, not RawSyscall: the runtime then knows the goroutine
		// waits in the kernel, and does not preempt it with SIGURG.
		r1, _, errno := syscall.Syscall(syscall.SYS_GETPPID, uintptr(arg), 0, 0)
		return r1, errno
	}
	switch name, arg, _ := strings.Cut(scenario, ":"); name {
	case "getppid":
		r1, errno := getppid(1)
		report("getppid %d %d", int64(r1), errno)
	case "getppid-twice":
		r1, errno := getppid(1)
		report("getppid %d %d", int64(r1), errno)
		r1, errno = getppid(2)
		report("getppid %d %d", int64(r1), errno)
	case "wait-stdin":
		// Make no notified call until stdin closes.
		io.Copy(io.Discard, os.Stdin)
		r1, errno := getppid(1)
		report("getppid %d %d", int64(r1), errno)
	case "magic":
		b, err := os.ReadFile(targetMagicPath)
		report("read %q %v", b, err)
	case "threads":
		// Threads × calls, each call's first argument unique; the
		// supervisor answers arg+1.
		n, _ := strconv.Atoi(arg)
		const threads = 10
		var wg sync.WaitGroup
		var mu sync.Mutex
		bad, good := 0, 0
		for th := range threads {
			wg.Go(func() {
				runtime.LockOSThread()
				for i := range n {
					a := uint64(th)<<32 | uint64(i)
					r1, errno := getppid(a)
					mu.Lock()
					if errno != 0 || uint64(r1) != a+1 {
						bad++
					} else {
						good++
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		report("threads good %d bad %d", good, bad)
	case "loop":
		n, _ := strconv.Atoi(arg)
		start := time.Now()
		for i := range n {
			getppid(uint64(i))
		}
		report("loop %d", time.Since(start).Nanoseconds())
	default:
		t.Fatalf("unknown scenario %q", scenario)
	}
}

// notifyProgram notifies the named calls and allows the rest.
func notifyProgram(t testing.TB, names ...string) Program {
	t.Helper()
	p := Policy{Default: Allow}
	for _, name := range names {
		p.Add(name, Rule{Action: Notify})
	}
	prog, err := p.Compile()
	require.NoError(t, err)
	return prog
}

// sandboxTarget is a started target and its supervisor's listener.
type sandboxTarget struct {
	cmd    *Cmd
	l      *Listener
	stdout bytes.Buffer
	stderr bytes.Buffer
}

// startTarget runs scenario under prog, with the listener handed to the
// test, and stdin from stdin if it is not nil.
func startTarget(t testing.TB, prog Program, scenario string, stdin io.Reader, opts ...InstallOptions) *sandboxTarget {
	t.Helper()
	tg := &sandboxTarget{}
	got := make(chan *Listener, 1)
	tg.cmd = Command(prog, os.Args[0], "-test.run=^TestSandboxTarget$", "-test.count=1")
	tg.cmd.Env = append(os.Environ(), sandboxTargetEnv+"="+scenario)
	tg.cmd.Stdout, tg.cmd.Stderr, tg.cmd.Stdin = &tg.stdout, &tg.stderr, stdin
	// A signal to the target interrupts a received call unless
	// WaitKillableRecv; most tests want one answer to one call.
	tg.cmd.Options = InstallOptions{WaitKillableRecv: true}
	for _, o := range opts {
		tg.cmd.Options = o
	}
	// The command's execve is not notified here, so Supervise may keep
	// the listener for the test to serve.
	tg.cmd.Supervise = func(l *Listener) { got <- l }
	require.NoError(t, tg.cmd.Start())
	tg.l = <-got
	t.Cleanup(func() {
		tg.cmd.Process.Kill()
		tg.l.Close()
	})
	return tg
}

// wait waits for the target to succeed and returns its report lines.
func (tg *sandboxTarget) wait(t testing.TB) []string {
	t.Helper()
	require.NoError(t, tg.cmd.Wait(), "target:\n%s\n%s", tg.stdout.String(), tg.stderr.String())
	var lines []string
	sc := bufio.NewScanner(&tg.stdout)
	for sc.Scan() {
		if line, ok := strings.CutPrefix(sc.Text(), "TARGET "); ok {
			lines = append(lines, line)
		}
	}
	return lines
}

// receive receives one notification within a few seconds.
func (tg *sandboxTarget) receive(t testing.TB) Notification {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	n, err := tg.l.Receive(ctx)
	require.NoError(t, err)
	return n
}

func TestListenerAnswers(t *testing.T) {
	requireKernel(t)
	native, err := NativeArch()
	require.NoError(t, err)
	getppid, _ := native.SyscallNumber("getppid")
	for _, tc := range []struct {
		name   string
		answer func(*Listener, Notification) error
		want   string
	}{
		{"value", func(l *Listener, n Notification) error { return l.Respond(n.ID, 4242) }, "getppid 4242 0"},
		{"negative value", func(l *Listener, n Notification) error { return l.Respond(n.ID, -5000) }, "getppid -5000 0"},
		{"errno", func(l *Listener, n Notification) error { return l.RespondErrno(n.ID, syscall.EACCES) }, fmt.Sprintf("getppid -1 %d", syscall.EACCES)},
		{"continue", func(l *Listener, n Notification) error { return l.Continue(n.ID) }, fmt.Sprintf("getppid %d 0", os.Getpid())},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tg := startTarget(t, notifyProgram(t, "getppid"), "getppid", nil)
			n := tg.receive(t)
			assert.Equal(t, native, n.Arch)
			assert.Equal(t, getppid, n.Nr)
			assert.Equal(t, uint64(1), n.Args[0])
			// PID is the calling thread's id, in the target's thread group.
			status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", n.PID))
			require.NoError(t, err)
			assert.Contains(t, string(status), fmt.Sprintf("\nTgid:\t%d\n", tg.cmd.Process.Pid))
			assert.NotZero(t, n.InstructionPointer)
			require.NoError(t, tg.l.Valid(n.ID))
			require.NoError(t, tc.answer(tg.l, n))
			// Answered: the id is no longer valid, and a second answer
			// fails, with EINPROGRESS until the target has taken the
			// first.
			assert.ErrorIs(t, tg.l.Valid(n.ID), ErrNotificationGone)
			err = tg.l.Respond(n.ID, 1)
			assert.True(t, errors.Is(err, ErrNotificationGone) || errors.Is(err, syscall.EINPROGRESS), "second answer: %v", err)
			assert.Equal(t, []string{tc.want}, tg.wait(t))
		})
	}
	t.Run("bad errno", func(t *testing.T) {
		tg := startTarget(t, notifyProgram(t, "getppid"), "getppid", nil)
		n := tg.receive(t)
		assert.ErrorContains(t, tg.l.RespondErrno(n.ID, 0), "errno 0 is not 1 to 4095")
		assert.ErrorContains(t, tg.l.RespondErrno(n.ID, 4096), "errno 4096 is not 1 to 4095")
		require.NoError(t, tg.l.Respond(n.ID, 9))
		assert.Equal(t, []string{"getppid 9 0"}, tg.wait(t))
	})
}

// TestListenerAddFD answers the target's openat of targetMagicPath with a
// descriptor of the supervisor's (ADDFD with SEND), read from the path
// the supervisor read in the target's memory, and continues every other
// openat; the target reads what the supervisor's file holds.
func TestListenerAddFD(t *testing.T) {
	requireKernel(t)
	f, err := os.CreateTemp(t.TempDir(), "supervisor")
	require.NoError(t, err)
	_, err = f.WriteString("from the supervisor")
	require.NoError(t, err)
	_, err = f.Seek(0, 0)
	require.NoError(t, err)
	defer f.Close()

	tg := startTarget(t, notifyProgram(t, "openat"), "magic", nil)
	served := make(chan error, 1)
	var added int
	go func() {
		for {
			n, err := tg.l.Receive(context.Background())
			if err != nil {
				if errors.Is(err, io.EOF) {
					err = nil
				}
				served <- err
				return
			}
			path := make([]byte, len(targetMagicPath)+1)
			got, err := tg.l.ReadMemory(n, n.Args[1], path)
			if err == nil && got == len(path) && string(path) == targetMagicPath+"\x00" {
				fd, err := tg.l.AddFD(n.ID, int(f.Fd()), AddFDOptions{Send: true, CloseOnExec: true})
				if err != nil {
					served <- err
					return
				}
				added = fd
				continue
			}
			// Another file of the runtime's or the testing package's.
			if err := tg.l.Continue(n.ID); err != nil && !errors.Is(err, ErrNotificationGone) {
				served <- err
				return
			}
		}
	}()
	lines := tg.wait(t)
	require.NoError(t, <-served)
	assert.Equal(t, []string{`read "from the supervisor" <nil>`}, lines)
	assert.Greater(t, added, 2, "the target's fd number")
}

// TestListenerAddFDOptions checks SETFD (a chosen number) without SEND,
// and the errors for bad descriptors.
func TestListenerAddFDOptions(t *testing.T) {
	requireKernel(t)
	tg := startTarget(t, notifyProgram(t, "getppid"), "getppid", nil)
	n := tg.receive(t)
	r, w, err := os.Pipe()
	require.NoError(t, err)
	defer r.Close()
	defer w.Close()
	fd, err := tg.l.AddFD(n.ID, int(w.Fd()), AddFDOptions{TargetFD: 77, SetTargetFD: true})
	require.NoError(t, err)
	assert.Equal(t, 77, fd)
	link, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/77", tg.cmd.Process.Pid))
	require.NoError(t, err)
	st, err := w.Stat()
	require.NoError(t, err)
	assert.Equal(t, fmt.Sprintf("pipe:[%d]", st.Sys().(*syscall.Stat_t).Ino), link)
	_, err = tg.l.AddFD(n.ID, -1, AddFDOptions{})
	assert.ErrorContains(t, err, "fd -1 is negative")
	_, err = tg.l.AddFD(n.ID, int(w.Fd()), AddFDOptions{SetTargetFD: true, TargetFD: -2})
	assert.ErrorContains(t, err, "target fd -2 is negative")
	_, err = tg.l.AddFD(n.ID, 1<<20, AddFDOptions{})
	assert.ErrorIs(t, err, unix.EBADF)
	require.NoError(t, tg.l.Respond(n.ID, 3))
	assert.Equal(t, []string{"getppid 3 0"}, tg.wait(t))
}

// TestListenerTargetDies kills the target while its call waits: every
// answer to it is then ErrNotificationGone, and Receive reports io.EOF
// once no process uses the filter.
func TestListenerTargetDies(t *testing.T) {
	requireKernel(t)
	tg := startTarget(t, notifyProgram(t, "getppid"), "getppid", nil)
	n := tg.receive(t)
	require.NoError(t, tg.cmd.Process.Kill())
	err := tg.cmd.Wait()
	ee, ok := errors.AsType[*exec.ExitError](err)
	require.True(t, ok, "%v", err)
	assert.Equal(t, syscall.SIGKILL, ee.Sys().(syscall.WaitStatus).Signal())

	for name, err := range map[string]error{
		"respond":     tg.l.Respond(n.ID, 1),
		"errno":       tg.l.RespondErrno(n.ID, syscall.EPERM),
		"continue":    tg.l.Continue(n.ID),
		"valid":       tg.l.Valid(n.ID),
		"add fd":      func() error { _, err := tg.l.AddFD(n.ID, 0, AddFDOptions{}); return err }(),
		"read memory": func() error { _, err := tg.l.ReadMemory(n, n.InstructionPointer, make([]byte, 8)); return err }(),
	} {
		assert.ErrorIs(t, err, ErrNotificationGone, name)
		assert.ErrorIs(t, err, syscall.ENOENT, name)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = tg.l.Receive(ctx)
	assert.ErrorIs(t, err, io.EOF)
}

// TestListenerCancel cancels a Receive that waits, by deadline and by
// cancel, and then receives normally: the deadline does not linger.
func TestListenerCancel(t *testing.T) {
	requireKernel(t)
	pr, pw := io.Pipe()
	tg := startTarget(t, notifyProgram(t, "getppid"), "wait-stdin", pr)

	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := tg.l.Receive(ctx)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.GreaterOrEqual(t, time.Since(start), 100*time.Millisecond)

	ctx2, cancel2 := context.WithCancel(context.Background())
	go func() {
		time.Sleep(50 * time.Millisecond)
		cancel2()
	}()
	_, err = tg.l.Receive(ctx2)
	assert.ErrorIs(t, err, context.Canceled)

	// Concurrent receivers take turns; both see their own cancel.
	ctx3, cancel3 := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel3()
	errs := make(chan error, 2)
	for range 2 {
		go func() { _, err := tg.l.Receive(ctx3); errs <- err }()
	}
	assert.ErrorIs(t, <-errs, context.DeadlineExceeded)
	assert.ErrorIs(t, <-errs, context.DeadlineExceeded)

	pw.Close() // the target now calls getppid
	n := tg.receive(t)
	require.NoError(t, tg.l.Respond(n.ID, 11))
	assert.Equal(t, []string{"getppid 11 0"}, tg.wait(t))
}

// TestListenerThreads has 10 target threads make 1,000 notified calls
// each, served by two receiving goroutines: every call is answered once,
// to its own caller (arg+1), none lost. Without WaitKillableRecv a signal
// (the target's Go runtime preempts with SIGURG) may interrupt a received
// call, whose answer then fails with ErrNotificationGone, and the kernel
// restarts it under a new ID; with it, each call is received exactly once.
func TestListenerThreads(t *testing.T) {
	requireKernel(t)
	for _, killable := range []bool{false, true} {
		t.Run(fmt.Sprintf("WaitKillableRecv=%v", killable), func(t *testing.T) {
			checkListenerThreads(t, InstallOptions{WaitKillableRecv: killable})
		})
	}
}

func checkListenerThreads(t *testing.T, opts InstallOptions) {
	const threads, perThread = 10, 1000
	tg := startTarget(t, notifyProgram(t, "getppid"), fmt.Sprintf("threads:%d", perThread), nil, opts)
	var mu sync.Mutex
	seenID := make(map[uint64]bool)
	answered := make(map[uint64]int)
	received, gone := 0, 0
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for range 2 {
		wg.Go(func() {
			for {
				n, err := tg.l.Receive(context.Background())
				if err != nil {
					if !errors.Is(err, io.EOF) {
						errs <- err
					}
					return
				}
				err = tg.l.Respond(n.ID, int64(n.Args[0]+1))
				mu.Lock()
				received++
				if seenID[n.ID] {
					t.Errorf("id %#x received twice", n.ID)
				}
				seenID[n.ID] = true
				switch {
				case err == nil:
					answered[n.Args[0]]++
				case errors.Is(err, ErrNotificationGone):
					gone++
				default:
					t.Error(err)
				}
				mu.Unlock()
			}
		})
	}
	lines := tg.wait(t)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	t.Logf("received %d, interrupted %d", received, gone)
	assert.Equal(t, []string{fmt.Sprintf("threads good %d bad 0", threads*perThread)}, lines)
	assert.Len(t, answered, threads*perThread)
	for th := range threads {
		for i := range perThread {
			if c := answered[uint64(th)<<32|uint64(i)]; c != 1 {
				t.Errorf("thread %d call %d answered %d times", th, i, c)
			}
		}
	}
	assert.Equal(t, threads*perThread+gone, received)
	if opts.WaitKillableRecv {
		assert.Zero(t, gone, "with WaitKillableRecv only a fatal signal interrupts a received call")
	}
}

// TestListenerClose closes the listener while a call waits: the kernel
// fails it, and the next notified call, with ENOSYS.
func TestListenerClose(t *testing.T) {
	requireKernel(t)
	tg := startTarget(t, notifyProgram(t, "getppid"), "getppid-twice", nil)
	n := tg.receive(t)
	require.NoError(t, tg.l.Close())
	assert.NoError(t, tg.l.Close(), "a second Close is harmless")
	lines := tg.wait(t)
	enosys := fmt.Sprintf("getppid -1 %d", syscall.ENOSYS) // RawSyscall's r1 is -1 on failure
	assert.Equal(t, []string{enosys, enosys}, lines)
	_, err := tg.l.Receive(context.Background())
	assert.ErrorIs(t, err, os.ErrClosed)
	assert.ErrorIs(t, tg.l.Respond(n.ID, 1), os.ErrClosed)
	var nilL *Listener
	assert.ErrorIs(t, nilL.Close(), errListenerNil)
}

// TestListenerNotifiesExecve notifies every call, execve included, as
// learn does: Supervise must be serving before the command starts.
func TestListenerNotifiesExecve(t *testing.T) {
	requireKernel(t)
	native, err := NativeArch()
	require.NoError(t, err)
	p := Policy{Default: Notify}
	prog, err := p.Compile()
	require.NoError(t, err)
	var mu sync.Mutex
	seen := make(map[int]bool)
	done := make(chan struct{})
	cmd := Command(prog, "/bin/echo", "notified")
	cmd.Supervise = func(l *Listener) {
		go func() {
			defer close(done)
			defer l.Close()
			for {
				n, err := l.Receive(context.Background())
				if err != nil {
					return
				}
				mu.Lock()
				seen[n.Nr] = true
				mu.Unlock()
				l.Continue(n.ID)
			}
		}()
	}
	out, err := cmd.Output()
	require.NoError(t, err)
	assert.Equal(t, "notified\n", string(out))
	<-done
	for _, name := range []string{"execve", "write", "exit_group"} {
		nr, _ := native.SyscallNumber(name)
		assert.True(t, seen[nr], "%s not notified", name)
	}
}

// BenchmarkNotifyRoundTrip measures what a notified call costs its
// caller when the supervisor answers at once: the target, started once,
// times b.N getppid calls, each received and answered by this process.
func BenchmarkNotifyRoundTrip(b *testing.B) {
	requireKernel(b)
	tg := startTarget(b, notifyProgram(b, "getppid"), fmt.Sprintf("loop:%d", b.N), nil)
	go func() {
		for {
			n, err := tg.l.Receive(context.Background())
			if err != nil {
				return
			}
			tg.l.Respond(n.ID, 0)
		}
	}()
	lines := tg.wait(b)
	require.Len(b, lines, 1)
	ns, err := strconv.ParseInt(strings.TrimPrefix(lines[0], "loop "), 10, 64)
	require.NoError(b, err)
	b.ReportMetric(float64(ns)/float64(b.N), "ns/notified-call")
	b.ReportMetric(0, "ns/op") // the process start is not the figure
}
