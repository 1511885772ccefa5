//go:build linux

package seccomp

// The child-process harness of the kernel tests. A filter can never be
// removed, so every test that loads one does it in a child: the test binary
// run again with -test.run naming the child's entry point, TestLiveChild
// (liveScenarioEnv names the scenario, kernel_test.go) or TestProofChild
// (proofSpecEnv names a file holding a proofSpec, the kernel proofs). A
// child reports on stdout, one liveEvent per line; the parent collects them
// into a liveRun and compares what the kernel did with what Program.Eval
// predicts.
//
// requireKernel and skipUnlessRequired, which decide whether a kernel test
// runs at all, are in install_test.go: they build on every OS.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sandboxkit/seccomp/internal/int80"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// liveScenarioEnv names, in a child, the scenario to run.
const liveScenarioEnv = "SECCOMP_LIVE_SCENARIO"

// liveEventPrefix starts each line a child reports, to tell it from what
// the testing package prints.
const liveEventPrefix = "SECCOMP-LIVE "

// liveEvent is one thing a child reports.
type liveEvent struct {
	Kind string `json:"kind"` // "call", "result", "status", "error", "value"
	Name string `json:"name"`
	// A system call made ("call" before it, "result" after).
	Nr     uint32    `json:"nr,omitempty"`
	Args   [6]uint64 `json:"args,omitzero"`
	Worker bool      `json:"worker,omitempty"`
	R1     uint64    `json:"r1,omitempty"`
	Errno  int       `json:"errno,omitempty"`
	// What a check in the child found wrong ("result"), an error's text
	// ("error"), or a value ("value").
	Text string `json:"text,omitempty"`
	// Fields of /proc/thread-self/status ("status"), and a thread id.
	Status map[string]string `json:"status,omitempty"`
	TID    int               `json:"tid,omitempty"`
	// For "error": which errno the error wraps, if any, and the thread a
	// *TSyncError names.
	Is       string `json:"is,omitempty"`
	TSyncTID *int   `json:"tsync_tid,omitempty"`
}

// liveReporter writes a child's events. Its methods may run on any
// goroutine, so they fail the child with Error, never Fatal.
type liveReporter struct{ t *testing.T }

func (r liveReporter) report(ev liveEvent) {
	b, err := json.Marshal(ev)
	if err != nil {
		r.t.Error(err)
		return
	}
	// One write per line, so that lines from two threads do not mix.
	if _, err := os.Stdout.Write(append([]byte(liveEventPrefix), append(b, '\n')...)); err != nil {
		r.t.Error(err)
	}
}

// reportErr reports err under name, with the errno it wraps.
func (r liveReporter) reportErr(name string, err error) {
	ev := liveEvent{Kind: "error", Name: name}
	if err == nil {
		r.report(ev)
		return
	}
	ev.Text = err.Error()
	var errno unix.Errno
	if errors.As(err, &errno) {
		ev.Is = unix.ErrnoName(errno)
	}
	var tsync *TSyncError
	if errors.As(err, &tsync) {
		ev.TSyncTID = &tsync.TID
	}
	r.report(ev)
}

// reportStatus reports the calling thread's seccomp state.
func (r liveReporter) reportStatus(name string) {
	st, err := liveThreadStatus()
	if err != nil {
		r.t.Error(err)
		return
	}
	r.report(liveEvent{Kind: "status", Name: name, Status: st, TID: unix.Gettid()})
}

// liveThreadStatus returns the fields of /proc/thread-self/status that tell
// a thread's seccomp state and privileges.
func liveThreadStatus() (map[string]string, error) {
	b, err := os.ReadFile("/proc/thread-self/status")
	if err != nil {
		return nil, err
	}
	st := make(map[string]string)
	for line := range strings.Lines(string(b)) {
		k, v, ok := strings.Cut(line, ":")
		switch k {
		case "NoNewPrivs", "Seccomp", "Seccomp_filters", "CapEff":
			if ok {
				st[k] = strings.TrimSpace(v)
			}
		}
	}
	return st, nil
}

// liveThread runs functions on one OS thread, locked before any filter
// is loaded: what a TSYNC test needs, since a thread created afterwards
// would inherit the filter from its creator anyway.
type liveThread struct {
	tid  int
	reqs chan func()
}

func startLiveThread() *liveThread {
	lt := &liveThread{reqs: make(chan func())}
	started := make(chan int)
	go func() {
		// Never unlocked: the thread ends with the process.
		runtime.LockOSThread()
		started <- unix.Gettid()
		for f := range lt.reqs {
			f()
		}
	}()
	lt.tid = <-started
	return lt
}

// do runs f on the thread and waits for it.
func (lt *liveThread) do(f func()) {
	done := make(chan struct{})
	lt.reqs <- func() { f(); close(done) }
	<-done
}

// start runs f on the thread and returns a channel closed when it is done.
func (lt *liveThread) start(f func()) <-chan struct{} {
	done := make(chan struct{})
	go lt.do(func() { f(); close(done) })
	return done
}

// liveDropRoot makes a child that runs as root an ordinary user, without
// CAP_SYS_ADMIN, on every thread (Go's Setuid applies to all of them), so
// that it needs no_new_privs to load a filter.
func liveDropRoot() error {
	if unix.Geteuid() != 0 {
		return nil
	}
	const nobody = 65534
	if err := syscall.Setgroups(nil); err != nil {
		return err
	}
	if err := syscall.Setgid(nobody); err != nil {
		return err
	}
	return syscall.Setuid(nobody)
}

// TestLiveChild is the child side of the live tests; it does nothing
// unless a parent runs it.
func TestLiveChild(t *testing.T) {
	name := os.Getenv(liveScenarioEnv)
	if name == "" {
		return // not a child: the live tests start it with a scenario
	}
	// A kill must not leave a core file behind.
	if err := unix.Setrlimit(unix.RLIMIT_CORE, &unix.Rlimit{}); err != nil {
		t.Fatal(err)
	}
	// Calls the parent says come from "main" must come from the thread
	// that loads the filter.
	runtime.LockOSThread()
	rep := liveReporter{t}
	// What the child inherited: the parent may have no_new_privs or a
	// filter already (setpriv --no-new-privs, or a sandboxed CI), and the
	// checks judge the child's state against this.
	rep.reportStatus("start")
	switch {
	case strings.HasPrefix(name, "policy/"):
		runLivePolicyChild(t, rep, name)
	case strings.HasPrefix(name, "bench/"):
		runBenchChild(t, rep, strings.TrimPrefix(name, "bench/"))
	default:
		child, ok := liveChildren[name]
		if !ok {
			t.Fatalf("unknown scenario %q", name)
		}
		child(t, rep)
	}
	childExit(t)
}

// childExit ends a child that passed, under go test -cover, without
// writing its coverage counters: its filter may deny the files that takes
// (it did, failing every child of TestKernelX32AndSkipped and
// TestKernelWrongArch), and the parent reads only the child's report and
// its exit status. syscall.Exit skips os.Exit's hooks, which write them.
// Elsewhere the child exits as usual, so that -race still sets its status.
func childExit(t *testing.T) {
	if testing.CoverMode() != "" && !t.Failed() {
		fmt.Println("PASS (exited early: no coverage under a filter)")
		syscall.Exit(0)
	}
}

// liveRun is what a child did.
type liveRun struct {
	events []liveEvent
	state  *os.ProcessState
	output string // all of stdout and stderr, for failure messages
}

// runLiveChild runs scenario in a child process and collects its report.
func runLiveChild(t testing.TB, scenario string) liveRun {
	t.Helper()
	return runTestChild(t, "TestLiveChild", liveScenarioEnv+"="+scenario)
}

// runTestChild runs the test binary's test named test in a child process,
// with env added to the environment, and collects its report.
func runTestChild(t testing.TB, test, env string) liveRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^"+test+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), env,
		// Under -race, a child would otherwise sleep a second as it exits.
		"GORACE="+os.Getenv("GORACE")+" atexit_sleep_ms=0")
	cmd.Dir = t.TempDir()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("child %s timed out\nstdout:\n%s\nstderr:\n%s", env, stdout.String(), stderr.String())
	}
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		t.Fatalf("child %s: %v", env, err)
	}
	run := liveRun{state: cmd.ProcessState, output: "stdout:\n" + stdout.String() + "stderr:\n" + stderr.String()}
	sc := bufio.NewScanner(&stdout)
	for sc.Scan() {
		line, ok := strings.CutPrefix(sc.Text(), liveEventPrefix)
		if !ok {
			continue
		}
		var ev liveEvent
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("child %s: bad report %q: %v", env, line, err)
		}
		run.events = append(run.events, ev)
	}
	return run
}

// event returns the child's event of the kind and name.
func (r liveRun) event(t testing.TB, kind, name string) liveEvent {
	t.Helper()
	for _, ev := range r.events {
		if ev.Kind == kind && ev.Name == name {
			return ev
		}
	}
	t.Fatalf("child reported no %s %q\n%s", kind, name, r.output)
	return liveEvent{}
}

// start returns the seccomp state the child started with (see
// TestLiveChild).
func (r liveRun) start(t testing.TB) map[string]string {
	t.Helper()
	return r.event(t, "status", "start").Status
}

// filtersAdded returns how many filters the thread's status st has beyond
// the ones the child started with.
func (r liveRun) filtersAdded(t testing.TB, st map[string]string) int {
	t.Helper()
	n, err := strconv.Atoi(st["Seccomp_filters"])
	require.NoError(t, err, "Seccomp_filters %q", st["Seccomp_filters"])
	n0, err := strconv.Atoi(r.start(t)["Seccomp_filters"])
	require.NoError(t, err)
	return n - n0
}

// has reports whether the child reported an event of the kind and name.
func (r liveRun) has(kind, name string) bool {
	for _, ev := range r.events {
		if ev.Kind == kind && ev.Name == name {
			return true
		}
	}
	return false
}

// requireExit checks that the child exited with status 0.
func (r liveRun) requireExit(t testing.TB) {
	t.Helper()
	require.True(t, r.state.Exited() && r.state.ExitCode() == 0, "child: %v\n%s", r.state, r.output)
}

// requireSIGSYS checks that SIGSYS killed the child.
func (r liveRun) requireSIGSYS(t testing.TB) {
	t.Helper()
	ws, ok := r.state.Sys().(syscall.WaitStatus)
	require.True(t, ok)
	require.True(t, ws.Signaled() && ws.Signal() == syscall.SIGSYS, "child: %v, want killed by SIGSYS\n%s", r.state, r.output)
}

// liveThreadGone reports whether thread tid of this process has exited.
// The worker may be the process's first thread, which stays a zombie until
// the process ends, so the thread's state counts, not only its absence.
func liveThreadGone(tid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/self/task/%d/stat", tid))
	if err != nil {
		return errors.Is(err, os.ErrNotExist) || errors.Is(err, unix.ESRCH)
	}
	// "tid (comm) state ...": comm may hold spaces or parentheses.
	_, rest, ok := strings.Cut(string(b[bytes.LastIndexByte(b, ')')+1:]), " ")
	return ok && (strings.HasPrefix(rest, "Z") || strings.HasPrefix(rest, "X"))
}

// proofSpecEnv names, in a child, the file that holds its proofSpec.
const proofSpecEnv = "SECCOMP_PROOF_SPEC"

// proofCall is a system call a child makes.
type proofCall struct {
	// Nr is the whole number register, rax (eax for Int80), high bits
	// included.
	Nr   uint64    `json:"nr"`
	Args [6]uint64 `json:"args"`
	// Int80 makes the call with int $0x80, the i386 ABI: Args[0:3] only.
	Int80 bool `json:"int80,omitempty"`
	// MayKill makes the call on a thread of its own, which the filter
	// may end (SECCOMP_RET_KILL_THREAD).
	MayKill bool `json:"may_kill,omitempty"`
}

// proofSpec is what a child does: the Pre calls, then load the filters in
// order, then the Calls.
type proofSpec struct {
	Arch    Arch                   `json:"arch"`
	Pre     []proofCall            `json:"pre"`
	Filters [][]bpf.RawInstruction `json:"filters"`
	Calls   []proofCall            `json:"calls"`
}

// proofOutcome is what became of a call.
type proofOutcome struct {
	R      int64 // the result register: the result, or -errno
	Killed bool  // the kernel ended the calling thread
}

func (o proofOutcome) String() string {
	switch {
	case o.Killed:
		return "thread killed"
	case o.R < 0 && o.R >= -MaxErrno:
		return fmt.Sprintf("errno %d (%s)", -o.R, unix.ErrnoName(syscall.Errno(-o.R)))
	}
	return fmt.Sprintf("returned %d", o.R)
}

// proofENOSYS is what a call of a number that is no system call returns
// when the filters let it through.
var proofENOSYS = proofOutcome{R: -int64(unix.ENOSYS)}

// TestProofChild is the child side of the proofs; it does nothing unless a
// parent runs it.
func TestProofChild(t *testing.T) {
	path := os.Getenv(proofSpecEnv)
	if path == "" {
		return // not a child
	}
	// A kill must not leave a core file behind.
	require.NoError(t, unix.Setrlimit(unix.RLIMIT_CORE, &unix.Rlimit{}))
	runtime.LockOSThread()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var spec proofSpec
	require.NoError(t, json.Unmarshal(b, &spec))
	rep := liveReporter{t}
	rep.report(liveEvent{Kind: "value", Name: "pid", Text: strconv.Itoa(os.Getpid())})
	rep.report(liveEvent{Kind: "value", Name: "ppid", Text: strconv.Itoa(os.Getppid())})
	proofMakeCalls(rep, "pre", spec.Pre)
	for i, insns := range spec.Filters {
		if err := (Program{Arch: spec.Arch, Instructions: insns}).Install(); err != nil {
			t.Fatalf("filter %d: %v", i, err)
		}
	}
	proofMakeCalls(rep, "call", spec.Calls)
	childExit(t)
}

// proofMakeCalls makes the calls and reports each as a "result" event named
// phase/index, with R1 the result register and Text "killed" if the thread
// was ended.
func proofMakeCalls(rep liveReporter, phase string, calls []proofCall) {
	for i, c := range calls {
		ev := liveEvent{Kind: "result", Name: phase + "/" + strconv.Itoa(i)}
		if !c.MayKill {
			ev.R1 = uint64(proofSyscall(c))
			rep.report(ev)
			continue
		}
		// A thread of its own, never unlocked, so that a kill takes only it.
		worker := startLiveThread()
		var r int64
		done := worker.start(func() { r = proofSyscall(c) })
		ev.Text = "neither returned nor was killed"
	wait:
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
			select {
			case <-done:
				ev.R1, ev.Text = uint64(r), ""
				break wait
			default:
			}
			if liveThreadGone(worker.tid) {
				ev.Text = "killed"
				break
			}
		}
		rep.report(ev)
	}
}

// proofSyscall makes the call and returns the result register: for an
// i386 call, eax sign-extended, as the 32-bit ABI reads it.
func proofSyscall(c proofCall) int64 {
	if c.Int80 {
		return int64(int32(int80.Syscall(uintptr(c.Nr), uintptr(c.Args[0]), uintptr(c.Args[1]), uintptr(c.Args[2]))))
	}
	a := c.Args
	r1, _, errno := unix.Syscall6(uintptr(c.Nr), uintptr(a[0]), uintptr(a[1]), uintptr(a[2]), uintptr(a[3]), uintptr(a[4]), uintptr(a[5]))
	if errno != 0 {
		return -int64(errno)
	}
	return int64(r1)
}

// runProofChild runs a child on spec and collects its report. It is
// runLiveChild with another entry point and the spec in a file.
func runProofChild(t testing.TB, spec proofSpec) liveRun {
	t.Helper()
	dir := t.TempDir()
	b, err := json.Marshal(spec)
	require.NoError(t, err)
	path := filepath.Join(dir, "spec.json")
	require.NoError(t, os.WriteFile(path, b, 0o600))

	return runTestChild(t, "TestProofChild", proofSpecEnv+"="+path)
}

// proofOutcomes returns what became of the n calls of the phase, in order.
func proofOutcomes(t testing.TB, run liveRun, phase string, n int) []proofOutcome {
	t.Helper()
	byName := make(map[string]liveEvent)
	for _, ev := range run.events {
		if ev.Kind == "result" {
			byName[ev.Name] = ev
		}
	}
	out := make([]proofOutcome, n)
	for i := range out {
		ev, ok := byName[phase+"/"+strconv.Itoa(i)]
		require.True(t, ok, "the child did not report call %s/%d\n%s", phase, i, run.output)
		switch ev.Text {
		case "":
			out[i] = proofOutcome{R: int64(ev.R1)}
		case "killed":
			out[i] = proofOutcome{Killed: true}
		default:
			t.Fatalf("call %s/%d: %s\n%s", phase, i, ev.Text, run.output)
		}
	}
	return out
}

// proofValue returns the integer value the child reported under name.
func proofValue(t testing.TB, run liveRun, name string) int64 {
	t.Helper()
	v, err := strconv.ParseInt(run.event(t, "value", name).Text, 10, 64)
	require.NoError(t, err)
	return v
}

// proofVerdict is what the stack of filters (validated) returns for d:
// EvalStack, the kernel's seccomp_run_filters.
func proofVerdict(filters [][]bpf.RawInstruction, d Data) (uint32, error) {
	progs := make([]Program, len(filters))
	for i, f := range filters {
		progs[i] = Program{Instructions: f}
	}
	v, _, err := EvalStack(progs, d)
	return v.Ret, err
}

// proofExpect is what becomes of a call that the filters answer with ret,
// given ran, what the call returns when the kernel runs it.
func proofExpect(ret uint32, ran proofOutcome) (proofOutcome, error) {
	a, err := ActionFromRet(ret)
	if err != nil {
		return proofOutcome{}, err
	}
	switch a.kind() {
	case kindAllow, kindLog:
		return ran, nil
	case kindErrno:
		// ERRNO(0) is a success that returns 0.
		return proofOutcome{R: -int64(a.data())}, nil
	case kindKillThread:
		return proofOutcome{Killed: true}, nil
	}
	return proofOutcome{}, fmt.Errorf("the proofs do not predict %s", a)
}

// proofPredict is what becomes of a call with seccomp_data d under the
// filters (validated), given what it returns when the kernel runs it.
func proofPredict(t testing.TB, filters [][]bpf.RawInstruction, d Data, ran proofOutcome) proofOutcome {
	t.Helper()
	ret, err := proofVerdict(filters, d)
	require.NoError(t, err)
	o, err := proofExpect(ret, ran)
	require.NoError(t, err)
	return o
}

// proofErrnoA ends a program with ERRNO(A & 0xfff): the accumulator,
// made observable as the errno of the call.
var proofErrnoA = []bpf.Instruction{
	bpf.ALUOpConstant{Op: bpf.ALUOpAnd, Val: 0xfff},
	bpf.ALUOpConstant{Op: bpf.ALUOpOr, Val: Errno(0).Ret()},
	bpf.RetA{},
}
