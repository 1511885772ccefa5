//go:build linux

package seccomp

// Live tests: programs loaded into the real kernel, and real system calls
// made under them, each load in a child process (harness_test.go) running
// the scenario liveScenarioEnv names; the parent compares what the kernel
// did with what runProgram predicts for the same program.

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// liveOutcome is what became of a system call made under a filter.
type liveOutcome struct {
	errno  syscall.Errno // the call failed with it; 0 means the kernel ran it
	killed bool          // SIGSYS killed the process
}

var (
	liveRan    = liveOutcome{}
	liveKilled = liveOutcome{killed: true}
)

func liveFails(errno syscall.Errno) liveOutcome { return liveOutcome{errno: errno} }

func (o liveOutcome) String() string {
	switch {
	case o.killed:
		return "killed by SIGSYS"
	case o.errno == 0:
		return "ran"
	}
	return "fails with " + unix.ErrnoName(o.errno)
}

// liveOutcomeOf returns what the kernel does with a call that a filter
// answers with ret, in a process with no tracer and no listener.
func liveOutcomeOf(ret uint32) (liveOutcome, error) {
	a, err := ActionFromRet(ret)
	if err != nil {
		return liveOutcome{}, err
	}
	switch a.kind() {
	case kindAllow, kindLog:
		return liveRan, nil
	case kindErrno:
		return liveFails(syscall.Errno(a.data())), nil
	case kindTrace, kindNotify:
		// "If there is no tracer present, ... ENOSYS" (seccomp(2)); the
		// same for a listener.
		return liveFails(unix.ENOSYS), nil
	case kindKillProcess:
		return liveKilled, nil
	}
	// Trap sends a SIGSYS the Go runtime treats as a crash, and
	// KillThread leaves the parent nothing to compare.
	return liveOutcome{}, fmt.Errorf("live tests do not predict %s", a)
}

// liveCall is a system call a child makes under a filter.
type liveCall struct {
	name   string // unique in the scenario
	sys    string
	args   [6]uint64
	fdArg0 bool // args[0] is replaced by a memfd the child opened
	worker bool // made on the thread locked before the filter was loaded
	want   liveOutcome
	// verify checks, in the child, the result of a call that ran.
	verify func(args [6]uint64, r1 uintptr) error
}

// livePolicy is a policy and the calls a child makes under it, for each
// layout.
type livePolicy struct {
	name   string
	policy func(arch Arch) Policy
	opts   InstallOptions
	calls  []liveCall
	// dropRoot makes the child an ordinary user before it loads the
	// filter, to prove no_new_privs is enough.
	dropRoot bool
}

// Arguments of the live calls.
const (
	liveSockStream = unix.SOCK_STREAM | unix.SOCK_CLOEXEC
	// liveGarbageHigh fills the high half of a register that holds a 32-bit
	// int, as the kernel may hand it (libseccomp issue #383).
	liveGarbageHigh   = 0xDEADBEEF << 32
	livePtraceRequest = unix.PTRACE_PEEKDATA // with pid 0: ESRCH if it ever ran
)

// liveIsSocket checks that r1 is an fd of a socket of the domain, and
// closes it.
func liveIsSocket(domain int) func([6]uint64, uintptr) error {
	return func(_ [6]uint64, r1 uintptr) error {
		defer unix.Close(int(r1))
		got, err := unix.GetsockoptInt(int(r1), unix.SOL_SOCKET, unix.SO_DOMAIN)
		if err != nil {
			return fmt.Errorf("fd %d: %v", r1, err)
		}
		if got != domain {
			return fmt.Errorf("fd %d is a socket of domain %d, want %d", r1, got, domain)
		}
		return nil
	}
}

// liveReturnsArg checks that the call returned its argument i.
func liveReturnsArg(i int) func([6]uint64, uintptr) error {
	return func(args [6]uint64, r1 uintptr) error {
		if uint64(r1) != args[i] {
			return fmt.Errorf("returned %#x, want %#x", r1, args[i])
		}
		return nil
	}
}

func liveReturnsPID(_ [6]uint64, r1 uintptr) error {
	if int(r1) != os.Getpid() {
		return fmt.Errorf("returned %d, want pid %d", r1, os.Getpid())
	}
	return nil
}

// liveDenylist is an agent sandbox's shape of policy: default allow, with a
// few calls refused, and socket allowed for AF_UNIX only.
func liveDenylist(arch Arch) Policy {
	p := Policy{Arch: arch, Default: Allow}
	p.Add("socket",
		Rule{Action: Allow, Conds: []Cond{{Arg: 0, Op: OpEqual, Value: unix.AF_UNIX, Width: 32}}},
		Rule{Action: Errno(unix.EAFNOSUPPORT)})
	p.Add("clone3", Rule{Action: Errno(unix.ENOSYS)})
	// A 64-bit condition: offsets past 4 GiB are refused.
	p.Add("lseek", Rule{Action: Errno(unix.EOVERFLOW), Conds: []Cond{{Arg: 1, Op: OpGreater, Value: 1 << 32}}})
	p.Add("ptrace", Rule{Action: KillProcess})
	p.Add("getpriority", Rule{Action: Trace(7)})
	p.Add("getppid", Rule{Action: Log})
	p.Allow("getpid")
	return p
}

// liveRuntimeSyscalls are what the Go runtime and the child need after the
// filter is loaded, found with strace. The test binary links libc (testify
// pulls in net, and so cgo), so the runtime makes threads with glibc's
// pthread_create: clone3 (which must fail with ENOSYS, not EPERM, for glibc
// to fall back to clone), then in the new thread set_robust_list and rseq,
// whose failure glibc treats as fatal: it writes why with writev and aborts.
var liveRuntimeSyscalls = []string{
	"read", "write", "writev", "close", "openat", "fstat", "newfstatat", "fcntl",
	"mmap", "munmap", "madvise", "mprotect", "futex", "nanosleep", "sched_yield",
	"rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sigaltstack",
	"clone", "set_robust_list", "rseq", "gettid", "tgkill", "exit", "exit_group",
	"epoll_create1", "epoll_ctl", "epoll_pwait", "eventfd2", "pipe2",
	"sched_getaffinity", "getrandom", "getsockopt",
}

// liveAllowlist is a container runtime's shape of policy: default deny, with
// unknown (newer) calls failing with ENOSYS.
func liveAllowlist(arch Arch) Policy {
	p := Policy{Arch: arch, Default: Errno(unix.EPERM), UnknownENOSYS: true}
	p.Allow(liveRuntimeSyscalls...)
	p.Allow("getpid")
	p.Add("socket",
		Rule{Action: Allow, Conds: []Cond{{Arg: 0, Op: OpEqual, Value: unix.AF_UNIX, Width: 32}}},
		Rule{Action: Errno(unix.EAFNOSUPPORT)})
	p.Add("clone3", Rule{Action: Errno(unix.ENOSYS)})
	return p
}

var livePolicies = []livePolicy{
	{
		name:     "denylist",
		policy:   liveDenylist,
		dropRoot: true,
		calls: []liveCall{
			{name: "getpid", sys: "getpid", want: liveRan, verify: liveReturnsPID},
			{name: "getppid under Log runs", sys: "getppid", want: liveRan},
			{name: "clone3", sys: "clone3", want: liveFails(unix.ENOSYS)},
			{name: "socket AF_UNIX", sys: "socket", args: [6]uint64{unix.AF_UNIX, liveSockStream}, want: liveRan, verify: liveIsSocket(unix.AF_UNIX)},
			{name: "socket AF_INET", sys: "socket", args: [6]uint64{unix.AF_INET, liveSockStream}, want: liveFails(unix.EAFNOSUPPORT)},
			{name: "socket AF_INET6", sys: "socket", args: [6]uint64{unix.AF_INET6, liveSockStream}, want: liveFails(unix.EAFNOSUPPORT)},
			// The condition is 32-bit: garbage in the high half must not
			// change the verdict, and the kernel reads only the int.
			{name: "socket AF_UNIX, high garbage", sys: "socket", args: [6]uint64{liveGarbageHigh | unix.AF_UNIX, liveSockStream}, want: liveRan, verify: liveIsSocket(unix.AF_UNIX)},
			{name: "socket AF_INET, high garbage", sys: "socket", args: [6]uint64{liveGarbageHigh | unix.AF_INET, liveSockStream}, want: liveFails(unix.EAFNOSUPPORT)},
			{name: "lseek 5", sys: "lseek", args: [6]uint64{0, 5, unix.SEEK_SET}, fdArg0: true, want: liveRan, verify: liveReturnsArg(1)},
			{name: "lseek 4G", sys: "lseek", args: [6]uint64{0, 1 << 32, unix.SEEK_SET}, fdArg0: true, want: liveRan, verify: liveReturnsArg(1)},
			{name: "lseek 4G+1", sys: "lseek", args: [6]uint64{0, 1<<32 + 1, unix.SEEK_SET}, fdArg0: true, want: liveFails(unix.EOVERFLOW)},
			// High half decides first: a large low half with a zero high
			// half is below, a zero low half with a larger high half above
			// (CVE-2019-9893).
			{name: "lseek 4G-1", sys: "lseek", args: [6]uint64{0, 1<<32 - 1, unix.SEEK_SET}, fdArg0: true, want: liveRan, verify: liveReturnsArg(1)},
			{name: "lseek 8G", sys: "lseek", args: [6]uint64{0, 2 << 32, unix.SEEK_SET}, fdArg0: true, want: liveFails(unix.EOVERFLOW)},
			{name: "getpriority traced", sys: "getpriority", args: [6]uint64{unix.PRIO_PROCESS, 0}, want: liveFails(unix.ENOSYS)},
			// TSYNC: the thread was running before the filter came.
			{name: "worker getpid", sys: "getpid", worker: true, want: liveRan, verify: liveReturnsPID},
			{name: "worker socket AF_INET", sys: "socket", args: [6]uint64{unix.AF_INET, liveSockStream}, worker: true, want: liveFails(unix.EAFNOSUPPORT)},
			{name: "worker clone3", sys: "clone3", worker: true, want: liveFails(unix.ENOSYS)},
		},
	},
	{
		// KillProcess takes the whole process, even from another thread.
		name:   "kill",
		policy: liveDenylist,
		calls: []liveCall{
			{name: "getpid", sys: "getpid", want: liveRan, verify: liveReturnsPID},
			{name: "worker ptrace", sys: "ptrace", args: [6]uint64{livePtraceRequest}, worker: true, want: liveKilled},
		},
	},
	{
		// The control for TSYNC: without it the other thread is not
		// filtered, and no_new_privs stays on the calling thread.
		name:   "notsync",
		policy: liveDenylist,
		opts:   InstallOptions{NoTSync: true},
		calls: []liveCall{
			{name: "socket AF_INET", sys: "socket", args: [6]uint64{unix.AF_INET, liveSockStream}, want: liveFails(unix.EAFNOSUPPORT)},
			{name: "worker socket AF_INET", sys: "socket", args: [6]uint64{unix.AF_INET, liveSockStream}, worker: true, want: liveRan, verify: liveIsSocket(unix.AF_INET)},
		},
	},
	{
		name:     "allowlist",
		policy:   liveAllowlist,
		dropRoot: true,
		calls: []liveCall{
			{name: "getpid", sys: "getpid", want: liveRan, verify: liveReturnsPID},
			{name: "getppid", sys: "getppid", want: liveFails(unix.EPERM)},
			{name: "clone3", sys: "clone3", want: liveFails(unix.ENOSYS)},
			{name: "socket AF_UNIX", sys: "socket", args: [6]uint64{unix.AF_UNIX, liveSockStream}, want: liveRan, verify: liveIsSocket(unix.AF_UNIX)},
			{name: "socket AF_INET", sys: "socket", args: [6]uint64{unix.AF_INET, liveSockStream}, want: liveFails(unix.EAFNOSUPPORT)},
			// Above every call the policy names: ENOSYS, though the kernel
			// has it (it would return the Landlock ABI version).
			{name: "landlock_create_ruleset", sys: "landlock_create_ruleset", args: [6]uint64{0, 0, unix.LANDLOCK_CREATE_RULESET_VERSION}, want: liveFails(unix.ENOSYS)},
			{name: "worker getppid", sys: "getppid", worker: true, want: liveFails(unix.EPERM)},
			{name: "worker getpid", sys: "getpid", worker: true, want: liveRan, verify: liveReturnsPID},
		},
	},
}

// TestLivePolicies loads policies of both shapes, in both layouts, into
// the kernel and checks that every call does what runProgram predicts for
// the same program, and what the scenario says it should.
func TestLivePolicies(t *testing.T) {
	requireKernel(t)
	for _, lp := range livePolicies {
		for _, layout := range layouts {
			t.Run(lp.name+"/"+layout.String(), func(t *testing.T) {
				t.Parallel()
				checkLivePolicy(t, lp, layout)
			})
		}
	}
}

func checkLivePolicy(t *testing.T, lp livePolicy, layout Layout) {
	native, err := NativeArch()
	require.NoError(t, err)
	pol := lp.policy(native)
	prog, err := pol.CompileLayout(layout)
	require.NoError(t, err)
	run := runLiveChild(t, "policy/"+lp.name+"/"+layout.String())

	last := lp.calls[len(lp.calls)-1]
	if last.want.killed {
		run.requireSIGSYS(t)
		require.True(t, run.has("call", last.name), "the child did not get to %q\n%s", last.name, run.output)
	} else {
		run.requireExit(t)
	}

	// The filter reached the thread that was running before it came (or,
	// without TSYNC, did not), and so did no_new_privs.
	// The worker without TSYNC keeps what the child started with.
	mainSt, workerSt, start := run.event(t, "status", "main"), run.event(t, "status", "worker"), run.start(t)
	assert.NotEqual(t, mainSt.TID, workerSt.TID)
	assert.Equal(t, "2", mainSt.Status["Seccomp"])
	assert.Equal(t, "1", mainSt.Status["NoNewPrivs"])
	assert.Equal(t, 1, run.filtersAdded(t, mainSt.Status))
	if lp.opts.NoTSync {
		assert.Equal(t, start["Seccomp"], workerSt.Status["Seccomp"])
		assert.Equal(t, start["NoNewPrivs"], workerSt.Status["NoNewPrivs"])
		assert.Equal(t, 0, run.filtersAdded(t, workerSt.Status))
	} else {
		assert.Equal(t, "2", workerSt.Status["Seccomp"])
		assert.Equal(t, "1", workerSt.Status["NoNewPrivs"])
		assert.Equal(t, 1, run.filtersAdded(t, workerSt.Status))
	}
	if lp.dropRoot {
		assert.Equal(t, "0000000000000000", mainSt.Status["CapEff"], "the child still has capabilities")
	}

	for _, c := range lp.calls {
		if c.want.killed {
			assert.False(t, run.has("result", c.name), "%s: returned, want %s", c.name, c.want)
			continue
		}
		res := run.event(t, "result", c.name)
		predicted := liveRan
		if !(c.worker && lp.opts.NoTSync) {
			ret, _, err := runCompiled(prog, Data{Nr: res.Nr, Arch: prog.Arch, Args: res.Args})
			require.NoError(t, err)
			predicted, err = liveOutcomeOf(ret)
			require.NoError(t, err)
		}
		got := liveFails(syscall.Errno(res.Errno))
		assert.Equal(t, c.want, predicted, "%s: runProgram predicts %s, want %s", c.name, predicted, c.want)
		assert.Equal(t, c.want, got, "%s: kernel: %s, want %s", c.name, got, c.want)
		assert.Empty(t, res.Text, "%s", c.name)
	}
	// The call that killed the process was predicted to.
	if last.want.killed {
		nr, _ := native.SyscallNumber(last.sys)
		ret, _, err := runCompiled(prog, Data{Nr: uint32(nr), Arch: prog.Arch, Args: last.args})
		require.NoError(t, err)
		predicted, err := liveOutcomeOf(ret)
		require.NoError(t, err)
		assert.Equal(t, liveKilled, predicted, "%s: runProgram predicts %s", last.name, predicted)
	}
}

// runLivePolicyChild is the child of checkLivePolicy: "policy/NAME/LAYOUT".
func runLivePolicyChild(t *testing.T, rep liveReporter, scenario string) {
	_, rest, _ := strings.Cut(scenario, "/")
	name, layoutName, _ := strings.Cut(rest, "/")
	var lp *livePolicy
	for i := range livePolicies {
		if livePolicies[i].name == name {
			lp = &livePolicies[i]
		}
	}
	if lp == nil {
		t.Fatalf("unknown policy scenario %q", name)
	}
	layout, err := ParseLayout(layoutName)
	require.NoError(t, err)
	native, err := NativeArch()
	require.NoError(t, err)
	pol := lp.policy(native)
	prog, err := pol.CompileLayout(layout)
	require.NoError(t, err)
	memfd, err := unix.MemfdCreate("seccomp-live", unix.MFD_CLOEXEC)
	require.NoError(t, err)
	worker := startLiveThread()
	if lp.dropRoot {
		require.NoError(t, liveDropRoot())
	}

	_, err = prog.InstallWith(lp.opts)
	require.NoError(t, err)

	rep.reportStatus("main")
	worker.do(func() { rep.reportStatus("worker") })
	for _, c := range lp.calls {
		nr, ok := native.SyscallNumber(c.sys)
		require.True(t, ok, c.sys)
		args := c.args
		if c.fdArg0 {
			args[0] = uint64(memfd)
		}
		rep.report(liveEvent{Kind: "call", Name: c.name})
		var (
			r1    uintptr
			errno unix.Errno
		)
		call := func() {
			r1, _, errno = unix.Syscall6(uintptr(nr), uintptr(args[0]), uintptr(args[1]), uintptr(args[2]), uintptr(args[3]), uintptr(args[4]), uintptr(args[5]))
		}
		if c.worker {
			worker.do(call)
		} else {
			call()
		}
		res := liveEvent{Kind: "result", Name: c.name, Nr: uint32(nr), Args: args, Worker: c.worker, R1: uint64(r1), Errno: int(errno)}
		if errno == 0 && c.verify != nil {
			if err := c.verify(args, r1); err != nil {
				res.Text = err.Error()
			}
		}
		rep.report(res)
	}
}

// liveChildren are the children of the tests below, by scenario name.
var liveChildren = map[string]func(*testing.T, liveReporter){
	"rejected":        liveRejectedChild,
	"tsync-conflict":  liveTSyncConflictChild,
	"no-permission":   liveNoPermissionChild,
	"keep-privileges": liveKeepPrivilegesChild,
	"too-long":        liveTooLongChild,
	"listener":        liveListenerChild(InstallOptions{NewListener: true}),
	"listener-killable": liveListenerChild(InstallOptions{
		NewListener: true, WaitKillableRecv: true,
	}),
	"kill-thread": liveKillThreadChild,
}

// liveRejectedPrograms are programs the kernel refuses to load, each for one of
// its load-time checks.
func liveRejectedPrograms(t testing.TB) map[string][]bpf.RawInstruction {
	retAllow := bpf.RetConstant{Val: Allow.Ret()}
	return map[string][]bpf.RawInstruction{
		"unaligned load":         cbpfAssemble(t, bpf.LoadAbsolute{Off: 2, Size: 4}, retAllow),
		"load past seccomp_data": cbpfAssemble(t, bpf.LoadAbsolute{Off: 64, Size: 4}, retAllow),
		"jump past the end":      cbpfAssemble(t, bpf.Jump{Skip: 5}, retAllow),
		"no final return":        cbpfAssemble(t, retAllow, bpf.LoadAbsolute{Off: 0, Size: 4}),
		"scratch read unwritten": cbpfAssemble(t, bpf.LoadScratch{Dst: bpf.RegA, N: 3}, retAllow),
		"indirect load":          cbpfAssemble(t, bpf.LoadIndirect{Off: 0, Size: 4}, retAllow),
		"byte load":              cbpfAssemble(t, bpf.LoadAbsolute{Off: 0, Size: 1}, retAllow),
	}
}

// liveRejectedReasons are Validate's messages for liveRejectedPrograms:
// the check of the kernel's that each one breaks.
var liveRejectedReasons = map[string]string{
	"unaligned load":         "instruction 0: load offset 2 is not a multiple of 4",
	"load past seccomp_data": "instruction 0: load offset 0x40 is beyond seccomp_data (64 bytes)",
	"jump past the end":      "instruction 0: jump target 6 is past the end (2 instructions)",
	"no final return":        "instruction 1: last instruction (opcode 0x20) is not a return",
	"scratch read unwritten": "instruction 0: reads scratch memory M[3] before it is written on every path",
	"indirect load":          "instruction 0: opcode 0x40 is not allowed in seccomp filters",
	"byte load":              "instruction 0: opcode 0x30 is not allowed in seccomp filters",
}

func liveRejectedChild(t *testing.T, rep liveReporter) {
	native, err := NativeArch()
	require.NoError(t, err)
	for name, insns := range liveRejectedPrograms(t) {
		rep.reportErr(name, Program{Arch: native, Instructions: insns}.Install())
	}
	rep.reportStatus("main")
}

// TestLiveRejectedProgram checks that the kernel refuses, with EINVAL,
// what the validator refuses, for the reason the validator gives, and that
// the error says the program was at fault.
func TestLiveRejectedProgram(t *testing.T) {
	requireKernel(t)
	run := runLiveChild(t, "rejected")
	run.requireExit(t)
	for name, insns := range liveRejectedPrograms(t) {
		t.Run(name, func(t *testing.T) {
			err := validateProgram(insns)
			require.Error(t, err, "the validator takes it")
			assert.Equal(t, "seccomp: invalid program: "+liveRejectedReasons[name], err.Error())
			ev := run.event(t, "error", name)
			assert.Equal(t, "EINVAL", ev.Is, ev.Text)
			assert.Contains(t, ev.Text, fmt.Sprintf("kernel rejected the %d-instruction program", len(insns)))
		})
	}
	assert.Zero(t, run.filtersAdded(t, run.event(t, "status", "main").Status), "a rejected program was loaded")
}

func liveTSyncConflictChild(t *testing.T, rep liveReporter) {
	native, err := NativeArch()
	require.NoError(t, err)
	p := liveDenylist(native)
	prog, err := p.Compile()
	require.NoError(t, err)
	worker := startLiveThread()
	// A filter on the worker alone, which a later filter loaded from
	// another thread does not descend from.
	worker.do(func() {
		_, err = prog.InstallWith(InstallOptions{NoTSync: true})
	})
	require.NoError(t, err)
	rep.report(liveEvent{Kind: "value", Name: "worker", TID: worker.tid})
	rep.reportErr("tsync", prog.Install())
	_, err = prog.InstallWith(InstallOptions{NewListener: true})
	rep.reportErr("tsync listener", err)
	rep.reportStatus("main")
}

// TestLiveTSyncConflict checks that a thread TSYNC cannot reach is named in
// a *TSyncError, and that with a listener, where the kernel names none, it
// is still a *TSyncError.
func TestLiveTSyncConflict(t *testing.T) {
	requireKernel(t)
	run := runLiveChild(t, "tsync-conflict")
	run.requireExit(t)
	workerTID := run.event(t, "value", "worker").TID
	ev := run.event(t, "error", "tsync")
	require.NotNil(t, ev.TSyncTID, ev.Text)
	assert.Equal(t, workerTID, *ev.TSyncTID)
	assert.Contains(t, ev.Text, fmt.Sprintf("thread %d", workerTID))
	ev = run.event(t, "error", "tsync listener")
	require.NotNil(t, ev.TSyncTID, ev.Text)
	assert.Zero(t, *ev.TSyncTID)
	assert.Zero(t, run.filtersAdded(t, run.event(t, "status", "main").Status), "a failed TSYNC left a filter on the caller")
}

func liveNoPermissionChild(t *testing.T, rep liveReporter) {
	native, err := NativeArch()
	require.NoError(t, err)
	require.NoError(t, liveDropRoot())
	_, err = liveAllowAll(native).InstallWith(InstallOptions{KeepPrivileges: true})
	rep.reportErr("keep privileges", err)
	rep.reportStatus("before")
	rep.reportErr("no_new_privs", liveAllowAll(native).Install())
	rep.reportStatus("after")
}

// TestLiveNoPermission checks that without CAP_SYS_ADMIN, KeepPrivileges
// fails with EACCES, and the default (no_new_privs) works. A child that
// inherited no_new_privs (setpriv --no-new-privs) needs neither, and
// KeepPrivileges works there too.
func TestLiveNoPermission(t *testing.T) {
	requireKernel(t)
	run := runLiveChild(t, "no-permission")
	run.requireExit(t)
	inherited := run.start(t)["NoNewPrivs"] == "1"
	ev := run.event(t, "error", "keep privileges")
	before, after := run.event(t, "status", "before").Status, run.event(t, "status", "after").Status
	if inherited {
		assert.Empty(t, ev.Text, "KeepPrivileges with an inherited no_new_privs")
		assert.Equal(t, 1, run.filtersAdded(t, before))
	} else {
		assert.Equal(t, "EACCES", ev.Is, ev.Text)
		assert.Contains(t, ev.Text, "neither no_new_privs nor CAP_SYS_ADMIN")
		// The refused load left nothing.
		assert.Equal(t, 0, run.filtersAdded(t, before))
		assert.Equal(t, "0", before["NoNewPrivs"])
	}
	assert.Empty(t, run.event(t, "error", "no_new_privs").Text)
	// The default load a filter, with no_new_privs, in a process without
	// capabilities.
	assert.Equal(t, "2", after["Seccomp"])
	assert.Equal(t, "1", after["NoNewPrivs"])
	assert.Equal(t, run.filtersAdded(t, before)+1, run.filtersAdded(t, after))
	assert.Equal(t, "0000000000000000", after["CapEff"])
}

func liveKeepPrivilegesChild(t *testing.T, rep liveReporter) {
	native, err := NativeArch()
	require.NoError(t, err)
	worker := startLiveThread()
	_, err = liveAllowAll(native).InstallWith(InstallOptions{KeepPrivileges: true})
	rep.reportErr("install", err)
	rep.reportStatus("main")
	worker.do(func() { rep.reportStatus("worker") })
}

// TestLiveKeepPrivileges checks that with CAP_SYS_ADMIN, KeepPrivileges
// loads the filter into every thread and sets no_new_privs on none.
func TestLiveKeepPrivileges(t *testing.T) {
	requireKernel(t)
	if os.Geteuid() != 0 {
		skipUnlessRequired(t, "needs CAP_SYS_ADMIN: run as root")
	}
	run := runLiveChild(t, "keep-privileges")
	run.requireExit(t)
	assert.Empty(t, run.event(t, "error", "install").Text)
	for _, thread := range []string{"main", "worker"} {
		st := run.event(t, "status", thread).Status
		assert.Equal(t, "2", st["Seccomp"], thread)
		assert.Equal(t, 1, run.filtersAdded(t, st), thread)
		// As the child started: set only if inherited.
		assert.Equal(t, run.start(t)["NoNewPrivs"], st["NoNewPrivs"], thread)
	}
}

func liveTooLongChild(t *testing.T, rep liveReporter) {
	native, err := NativeArch()
	require.NoError(t, err)
	// maxInsns instructions that the kernel caches as always allowed,
	// so that seven of them stacked cost the runtime nothing.
	long := Program{Arch: native, Instructions: make([]bpf.RawInstruction, maxInsns)}
	for i := range long.Instructions {
		long.Instructions[i] = bpf.RawInstruction{Op: opLdWAbs, K: offNr}
	}
	long.Instructions[maxInsns-1] = bpf.RawInstruction{Op: opRetK, K: Allow.Ret()}
	for i := 1; i <= 8; i++ {
		rep.reportErr(strconv.Itoa(i), long.Install())
	}
}

// TestLiveTooLong checks the kernel's limit on the instructions of all the
// filters stacked on a thread: 32768, counting 4 more per filter already
// there. Seven filters of 4096 fit (28696); an eighth does not (32796).
func TestLiveTooLong(t *testing.T) {
	requireKernel(t)
	run := runLiveChild(t, "too-long")
	run.requireExit(t)
	for i := 1; i <= 7; i++ {
		assert.Empty(t, run.event(t, "error", strconv.Itoa(i)).Text, "filter %d", i)
	}
	ev := run.event(t, "error", "8")
	assert.Equal(t, "ENOMEM", ev.Is, ev.Text)
	assert.Contains(t, ev.Text, "limit of 32768 instructions")
}

// liveNotif and liveNotifResp are the kernel's struct seccomp_notif
// and struct seccomp_notif_resp, which golang.org/x/sys/unix lacks.
type liveNotif struct {
	ID    uint64
	PID   uint32
	Flags uint32
	Data  Data
}

type liveNotifResp struct {
	ID    uint64
	Val   int64
	Error int32
	Flags uint32
}

// liveNotifyAnswer is what the supervisor makes the notified call return.
const liveNotifyAnswer = 4242

func liveListenerChild(opts InstallOptions) func(*testing.T, liveReporter) {
	return func(t *testing.T, rep liveReporter) {
		native, err := NativeArch()
		require.NoError(t, err)
		p := Policy{Arch: native, Default: Allow}
		p.Add("getppid", Rule{Action: Notify})
		prog, err := p.Compile()
		require.NoError(t, err)
		worker := startLiveThread()
		fd, err := prog.InstallWith(opts)
		require.NoError(t, err)
		link, err := os.Readlink(fmt.Sprintf("/proc/self/fd/%d", fd))
		require.NoError(t, err)
		rep.report(liveEvent{Kind: "value", Name: "fd", Text: link})

		// The worker (a thread TSYNC reached) blocks in getppid until the
		// supervisor, this thread, answers.
		var r1 uintptr
		var errno unix.Errno
		done := worker.start(func() { r1, _, errno = unix.Syscall(unix.SYS_GETPPID, 0, 0, 0) })
		var req liveNotif
		if _, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), unix.SECCOMP_IOCTL_NOTIF_RECV, uintptr(unsafe.Pointer(&req))); e != 0 {
			t.Fatalf("SECCOMP_IOCTL_NOTIF_RECV: %v", e)
		}
		rep.report(liveEvent{Kind: "value", Name: "notification", Nr: req.Data.Nr, TID: int(req.PID), Text: strconv.FormatUint(uint64(req.Data.Arch), 16)})
		resp := liveNotifResp{ID: req.ID, Val: liveNotifyAnswer}
		if _, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), unix.SECCOMP_IOCTL_NOTIF_SEND, uintptr(unsafe.Pointer(&resp))); e != 0 {
			t.Fatalf("SECCOMP_IOCTL_NOTIF_SEND: %v", e)
		}
		<-done
		rep.report(liveEvent{Kind: "result", Name: "worker getppid", TID: worker.tid, R1: uint64(r1), Errno: int(errno)})

		// The kernel allows one listener in a filter chain.
		_, err = prog.InstallWith(opts)
		rep.reportErr("second listener", err)
	}
}

// TestLiveListener checks that NewListener, with TSYNC on (and so
// TSYNC_ESRCH), returns a working user-notification fd: a supervisor
// receives another thread's notified call and decides its result.
func TestLiveListener(t *testing.T) {
	requireKernel(t)
	native, err := NativeArch()
	require.NoError(t, err)
	getppid, _ := native.SyscallNumber("getppid")
	for _, scenario := range []string{"listener", "listener-killable"} {
		t.Run(scenario, func(t *testing.T) {
			t.Parallel()
			run := runLiveChild(t, scenario)
			run.requireExit(t)
			assert.Equal(t, "anon_inode:seccomp notify", run.event(t, "value", "fd").Text)
			res := run.event(t, "result", "worker getppid")
			n := run.event(t, "value", "notification")
			assert.Equal(t, uint32(getppid), n.Nr)
			assert.Equal(t, strconv.FormatUint(uint64(native), 16), n.Text)
			assert.Equal(t, res.TID, n.TID, "the notification is not from the worker thread")
			assert.Zero(t, res.Errno)
			assert.Equal(t, uint64(liveNotifyAnswer), res.R1)
			ev := run.event(t, "error", "second listener")
			assert.Equal(t, "EBUSY", ev.Is, ev.Text)
			assert.Contains(t, ev.Text, "a filter with a notification listener is already installed")
		})
	}
}

func liveKillThreadChild(t *testing.T, rep liveReporter) {
	native, err := NativeArch()
	require.NoError(t, err)
	p := Policy{Arch: native, Default: Allow}
	p.Add("ptrace", Rule{Action: KillThread})
	prog, err := p.Compile()
	require.NoError(t, err)
	worker := startLiveThread()
	require.NoError(t, prog.Install())
	// The worker's call never returns: its thread is gone.
	worker.start(func() { unix.Syscall(unix.SYS_PTRACE, livePtraceRequest, 0, 0) })
	gone := false
	for deadline := time.Now().Add(5 * time.Second); !gone && time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		gone = liveThreadGone(worker.tid)
	}
	rep.report(liveEvent{Kind: "value", Name: "worker gone", Text: strconv.FormatBool(gone)})
	rep.reportStatus("main")
}

// TestLiveKillThread checks that KillThread ends only the calling thread:
// the rest of the process carries on.
func TestLiveKillThread(t *testing.T) {
	requireKernel(t)
	run := runLiveChild(t, "kill-thread")
	run.requireExit(t)
	assert.Equal(t, "true", run.event(t, "value", "worker gone").Text)
	assert.Equal(t, "2", run.event(t, "status", "main").Status["Seccomp"])
}

// TestLiveFlags checks InstallOptions against the kernel's rules for
// flags: every combination of options either is refused up front or gives
// flags this kernel accepts (TSYNC with NEW_LISTENER needs TSYNC_ESRCH).
// Probing flags loads nothing, so it runs in the test process.
func TestLiveFlags(t *testing.T) {
	requireKernel(t)
	t.Run("kernel rules", func(t *testing.T) {
		tests := []struct {
			name  string
			flags uintptr
			want  bool
		}{
			{"none", 0, true},
			{"TSYNC|NEW_LISTENER", unix.SECCOMP_FILTER_FLAG_TSYNC | unix.SECCOMP_FILTER_FLAG_NEW_LISTENER, false},
			{"TSYNC|NEW_LISTENER|TSYNC_ESRCH", unix.SECCOMP_FILTER_FLAG_TSYNC | unix.SECCOMP_FILTER_FLAG_NEW_LISTENER | unix.SECCOMP_FILTER_FLAG_TSYNC_ESRCH, true},
			{"WAIT_KILLABLE_RECV", unix.SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, false},
			{"NEW_LISTENER|WAIT_KILLABLE_RECV", unix.SECCOMP_FILTER_FLAG_NEW_LISTENER | unix.SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, true},
			{"unknown bit", 1 << 20, false},
		}
		for _, tt := range tests {
			assert.Equal(t, tt.want, flagsAccepted(tt.flags), tt.name)
		}
	})
	t.Run("every option combination", func(t *testing.T) {
		for bits := range 1 << 6 {
			o := InstallOptions{
				KeepPrivileges:   bits&1 != 0,
				NoTSync:          bits&2 != 0,
				Log:              bits&4 != 0,
				SpecAllow:        bits&8 != 0,
				NewListener:      bits&16 != 0,
				WaitKillableRecv: bits&32 != 0,
			}
			if o.WaitKillableRecv && !o.NewListener {
				continue // refused before the kernel sees it: TestInstallRefuses
			}
			assert.True(t, flagsAccepted(o.flags()), "%+v: flags %#x", o, o.flags())
		}
	})
	t.Run("diagnosis", func(t *testing.T) {
		err := einvalError(unix.SECCOMP_FILTER_FLAG_TSYNC|1<<20, 10)
		assert.ErrorIs(t, err, unix.EINVAL)
		assert.ErrorContains(t, err, "does not support flags 0x100000")
		err = einvalError(unix.SECCOMP_FILTER_FLAG_TSYNC|unix.SECCOMP_FILTER_FLAG_NEW_LISTENER, 10)
		assert.ErrorContains(t, err, "refuses the combination of flags 0x9")
		err = einvalError(unix.SECCOMP_FILTER_FLAG_TSYNC, 10)
		assert.ErrorContains(t, err, "rejected the 10-instruction program")
	})
}
