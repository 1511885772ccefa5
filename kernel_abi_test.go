//go:build linux

package seccomp

// What the kernel hands a filter on x86_64, and how the compiled programs
// decide it:
//
//   - TestKernelX32AndSkipped: the x32 numbers and -1 reach a filter as
//     the compiled programs expect, and they decide them as the policy says.
//   - TestKernelWrongArch: an i386 call made by a 64-bit process (int $0x80)
//     gets the bad-arch action, even under a default-allow policy.

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/sandboxkit/seccomp/internal/int80"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// proofMagic, in the low half of the third argument, marks the calls that
// proofProbe answers. No call of the Go runtime passes it.
const proofMagic = 0x5ECC0DE5

// What proofProbe reads, chosen by the low half of the first argument.
const (
	proofSeeNr      = 0 // seccomp_data.nr
	proofSeeArch    = 1 // seccomp_data.arch
	proofSeeArg0Hi  = 2 // the high half of seccomp_data.args[0]
	proofAuditI386  = 0x40000003
	proofProbeShift = 12 // bits of a word one call reads
)

// proofProbe answers a call marked with proofMagic with ERRNO(w >> s &
// 0xfff), where w is the word of seccomp_data the first argument selects
// and s is the second argument's low half; it allows every other call.
// Three calls, s = 0, 12, 24, read a whole word.
func proofProbe(t testing.TB) []bpf.RawInstruction {
	return cbpfAssemble(t, append([]bpf.Instruction{
		bpf.LoadAbsolute{Off: 32, Size: 4},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: proofMagic, SkipTrue: 1},
		bpf.RetConstant{Val: Allow.Ret()},
		bpf.LoadAbsolute{Off: 24, Size: 4},
		bpf.StoreScratch{Src: bpf.RegA, N: 0},
		bpf.LoadAbsolute{Off: 16, Size: 4},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: proofSeeArch, SkipTrue: 3},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: proofSeeArg0Hi, SkipTrue: 4},
		bpf.LoadAbsolute{Off: 0, Size: 4},
		bpf.Jump{Skip: 3},
		bpf.LoadAbsolute{Off: 4, Size: 4},
		bpf.Jump{Skip: 1},
		bpf.LoadAbsolute{Off: 20, Size: 4},
		bpf.LoadScratch{Dst: bpf.RegX, N: 0},
		bpf.ALUOpX{Op: bpf.ALUOpShiftRight},
	}, proofErrnoA...)...)
}

// proofProbeCalls returns the three calls that read word sel of what the
// filter sees of call c (which must leave its first three arguments to
// the probe but for the high half of the first).
func proofProbeCalls(c proofCall, sel uint32) []proofCall {
	var calls []proofCall
	for s := uint64(0); s < 32; s += proofProbeShift {
		c.Args[0] = c.Args[0]&^0xFFFFFFFF | uint64(sel)
		c.Args[1], c.Args[2] = s, proofMagic
		calls = append(calls, c)
	}
	return calls
}

// proofProbeWord reassembles a word from the outcomes of its three calls.
func proofProbeWord(t testing.TB, outcomes []proofOutcome) uint32 {
	t.Helper()
	require.Len(t, outcomes, 3)
	var w uint32
	for i, o := range outcomes {
		require.False(t, o.Killed)
		require.True(t, o.R <= 0 && o.R > -0x1000, "%s is no probe result", o)
		w |= uint32(-o.R) << (proofProbeShift * i)
	}
	return w
}

// proofData is the seccomp_data of call c on x86_64, as the probes below
// show the kernel fills it: the number is the low half of rax (eax), the
// arguments are the registers whole, and an i386 call has arch
// AUDIT_ARCH_I386. The instruction pointer, and the fourth to sixth
// arguments of an i386 call, are not known; no program here reads them.
func proofData(c proofCall) Data {
	d := Data{Nr: uint32(c.Nr), Arch: ArchX86_64, Args: c.Args}
	if c.Int80 {
		d.Arch = proofAuditI386
	}
	return d
}

// proofRan says what a call returns when the kernel runs it.
type proofRan int

const (
	proofRanENOSYS proofRan = iota // a number that is no system call
	proofRanPID
	proofRanPPID
)

func (r proofRan) outcome(t testing.TB, run liveRun) proofOutcome {
	switch r {
	case proofRanPID:
		return proofOutcome{R: proofValue(t, run, "pid")}
	case proofRanPPID:
		return proofOutcome{R: proofValue(t, run, "ppid")}
	}
	return proofENOSYS
}

// proofCase is a call made under a filter, and what the policy says of it.
type proofCase struct {
	name string
	call proofCall
	ran  proofRan
	want Action
}

// proofCheck makes the calls in a child under filter and checks that each
// does what runProgram predicts and what the policy says.
func proofCheck(t *testing.T, filter []bpf.RawInstruction, cases []proofCase) {
	t.Helper()
	filters := [][]bpf.RawInstruction{filter}
	require.NoError(t, validateProgram(filter))
	spec := proofSpec{Arch: ArchX86_64, Filters: filters}
	for _, c := range cases {
		spec.Calls = append(spec.Calls, c.call)
	}
	run := runProofChild(t, spec)
	run.requireExit(t)
	got := proofOutcomes(t, run, "call", len(cases))
	for i, c := range cases {
		ran := c.ran.outcome(t, run)
		predicted := proofPredict(t, filters, proofData(c.call), ran)
		want, err := proofExpect(c.want.Ret(), ran)
		require.NoError(t, err)
		assert.Equal(t, want, predicted, "%s: runProgram predicts %s, the policy says %s", c.name, predicted, c.want)
		assert.Equal(t, want, got[i], "%s: kernel: %s, the policy says %s", c.name, got[i], c.want)
	}
}

// proofProbeCase is a call whose view from the filter a probe reads.
type proofProbeCase struct {
	name string
	call proofCall
	sel  uint32 // proofSeeNr, proofSeeArch or proofSeeArg0Hi
	want uint32
}

// proofCheckProbes makes each call three times under proofProbe, and
// checks that the filter saw want, and that runProgram predicted every
// result from proofData.
func proofCheckProbes(t *testing.T, cases []proofProbeCase) {
	t.Helper()
	filters := [][]bpf.RawInstruction{proofProbe(t)}
	spec := proofSpec{Arch: ArchX86_64, Filters: filters}
	for _, c := range cases {
		spec.Calls = append(spec.Calls, proofProbeCalls(c.call, c.sel)...)
	}
	run := runProofChild(t, spec)
	run.requireExit(t)
	got := proofOutcomes(t, run, "call", len(spec.Calls))
	for i, c := range cases {
		outcomes := got[3*i : 3*i+3]
		assert.Equal(t, c.want, proofProbeWord(t, outcomes), "%s: what the filter saw", c.name)
		for j, call := range spec.Calls[3*i : 3*i+3] {
			predicted := proofPredict(t, filters, proofData(call), proofENOSYS)
			assert.Equal(t, predicted, outcomes[j], "%s, shift %d: kernel %s, runProgram %s", c.name, call.Args[1], outcomes[j], predicted)
		}
	}
}

// proofRequireX86_64 skips a test of x86_64's system call ABIs elsewhere.
func proofRequireX86_64(t *testing.T) {
	t.Helper()
	requireKernel(t)
	if native, _ := NativeArch(); native != ArchX86_64 {
		t.Skipf("x86_64's system call ABIs; this is %s", native)
	}
}

// proofPolicies are the policies of the last two tests, with the bad-arch
// action EXDEV, which nothing else returns: a default-allow denylist, and a
// default-deny allowlist (EACCES) that keeps the Go runtime alive.
func proofPolicies() []struct {
	name string
	p    Policy
} {
	deny := Policy{Arch: ArchX86_64, Default: Allow, BadArch: Errno(unix.EXDEV)}
	deny.Add("getppid", Rule{Action: Errno(unix.EPERM)})
	allow := Policy{Arch: ArchX86_64, Default: Errno(unix.EACCES), BadArch: Errno(unix.EXDEV), UnknownENOSYS: true}
	allow.Allow(liveRuntimeSyscalls...)
	allow.Allow("getpid")
	return []struct {
		name string
		p    Policy
	}{{"denylist", deny}, {"allowlist", allow}}
}

// TestKernelX32AndSkipped checks, in the kernel, the numbers outside the
// system call table: what a filter sees of them, and that the compiled
// programs, both layouts, give the numbers with bit 30 set (x32's) the
// bad-arch action, and -1 the default.
func TestKernelX32AndSkipped(t *testing.T) {
	proofRequireX86_64(t)

	// What the filter sees: nr is eax, whatever the high half of rax, and
	// -1 reaches the filter as 0xFFFFFFFF, however it is spelled; an x32
	// call has arch x86_64, so only bit 30 of its number tells it apart.
	t.Run("probe", func(t *testing.T) {
		t.Parallel()
		var cases []proofProbeCase
		for _, nr := range []uint64{0xFFFFFFFF, ^uint64(0), 0x40000000 | unix.SYS_GETPID, 0x40000000, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFE, 1<<32 | unix.SYS_GETPPID} {
			cases = append(cases, proofProbeCase{name: fmt.Sprintf("nr %#x", nr), call: proofCall{Nr: nr}, sel: proofSeeNr, want: uint32(nr)})
		}
		cases = append(cases, proofProbeCase{name: "x32 getpid's arch", call: proofCall{Nr: 0x40000000 | unix.SYS_GETPID}, sel: proofSeeArch, want: uint32(ArchX86_64)})
		proofCheckProbes(t, cases)
	})

	exdev, eacces, eperm := Errno(unix.EXDEV), Errno(unix.EACCES), Errno(unix.EPERM)
	tests := []struct {
		name        string
		nr          uint64
		ran         proofRan
		deny, allow Action // what the denylist and the allowlist say
	}{
		{"getpid", unix.SYS_GETPID, proofRanPID, Allow, Allow},
		{"getppid", unix.SYS_GETPPID, proofRanPPID, eperm, eacces},
		// The kernel runs the call eax names, and the filter judges it.
		{"getppid, high half of rax set", 1<<32 | unix.SYS_GETPPID, proofRanPPID, eperm, eacces},
		{"last number below x32's", 0x3FFFFFFF, proofRanENOSYS, Allow, Errno(unix.ENOSYS)},
		// This kernel may lack the x32 ABI (CONFIG_X86_X32_ABI); one that
		// has it would run getpid, were the filter to let it.
		{"x32 getpid", 0x40000000 | unix.SYS_GETPID, proofRanPID, exdev, exdev},
		{"0x40000000", 0x40000000, proofRanENOSYS, exdev, exdev},
		{"0x7FFFFFFF", 0x7FFFFFFF, proofRanENOSYS, exdev, exdev},
		{"0x80000000: bit 30 clear, no x32 call", 0x80000000, proofRanENOSYS, Allow, Errno(unix.ENOSYS)},
		{"0xFFFFFFFE", 0xFFFFFFFE, proofRanENOSYS, exdev, exdev},
		// A call a tracer skipped is -1; made by a program, it fails with
		// ENOSYS if the filters let it through.
		{"-1 in eax", 0xFFFFFFFF, proofRanENOSYS, Allow, eacces},
		{"-1 in rax", ^uint64(0), proofRanENOSYS, Allow, eacces},
	}
	for _, pol := range proofPolicies() {
		for _, layout := range layouts {
			t.Run(pol.name+"/"+layout.String(), func(t *testing.T) {
				t.Parallel()
				prog, err := pol.p.CompileLayout(layout)
				require.NoError(t, err)
				var cases []proofCase
				for _, tt := range tests {
					want := tt.deny
					if pol.name == "allowlist" {
						want = tt.allow
					}
					cases = append(cases, proofCase{name: tt.name, call: proofCall{Nr: tt.nr}, ran: tt.ran, want: want})
				}
				proofCheck(t, prog.Instructions, cases)
			})
		}
	}
}

// TestKernelWrongArch makes i386 system calls (int $0x80) from the 64-bit
// process: the kernel reports them with arch AUDIT_ARCH_I386, and the
// compiled programs give them the bad-arch action, under a default-allow
// policy too. A filter without the arch check lets them through with
// i386's numbers, which are not x86_64's: the bug of go-seccomp-bpf's
// default-allow policies.
func TestKernelWrongArch(t *testing.T) {
	proofRequireX86_64(t)
	if !int80.Supported {
		t.Skipf("int $0x80 needs amd64, this is %s", runtime.GOARCH)
	}
	const i386GetPID, i386GetPPID = 20, 64

	// Without a filter, first: a kernel without IA32 emulation, or booted
	// with ia32_emulation=0, faults on int $0x80, or fails the call.
	run := runProofChild(t, proofSpec{Arch: ArchX86_64, Pre: []proofCall{{Nr: i386GetPID, Int80: true}}})
	if !run.has("value", "pid") {
		t.Fatalf("the child did not get as far as int $0x80: %v\n%s", run.state, run.output)
	}
	if !run.has("result", "pre/0") {
		skipUnlessRequired(t, fmt.Sprintf("int $0x80 crashed the child, so this kernel has no IA32 emulation: %v\n%s", run.state, run.output))
	}
	run.requireExit(t)
	switch got, pid := proofOutcomes(t, run, "pre", 1)[0], proofValue(t, run, "pid"); got.R {
	case pid:
	case -int64(unix.ENOSYS):
		skipUnlessRequired(t, "i386 getpid failed with ENOSYS: this kernel's IA32 emulation is off")
	default:
		t.Fatalf("i386 getpid without a filter: %s, want pid %d", got, pid)
	}

	t.Run("probe", func(t *testing.T) {
		t.Parallel()
		proofCheckProbes(t, []proofProbeCase{
			{"arch", proofCall{Nr: i386GetPID, Int80: true}, proofSeeArch, proofAuditI386},
			{"nr", proofCall{Nr: i386GetPID, Int80: true}, proofSeeNr, i386GetPID},
			// As for a 64-bit call, the number is eax alone...
			{"nr, high half of rax set", proofCall{Nr: 1<<32 | i386GetPID, Int80: true}, proofSeeNr, i386GetPID},
			// ... but the arguments are the 64-bit registers whole, though
			// the i386 call itself reads only their low halves.
			{"high half of ebx", proofCall{Nr: i386GetPID, Int80: true, Args: [6]uint64{0xDEAD << 32}}, proofSeeArg0Hi, 0xDEAD},
		})
	})

	exdev, eacces, eperm := Errno(unix.EXDEV), Errno(unix.EACCES), Errno(unix.EPERM)
	tests := []struct {
		name               string
		call               proofCall
		ran                proofRan
		deny, allow, naive Action // what the policies and the naive filter do
	}{
		{"getpid", proofCall{Nr: unix.SYS_GETPID}, proofRanPID, Allow, Allow, Allow},
		{"getppid", proofCall{Nr: unix.SYS_GETPPID}, proofRanPPID, eperm, eacces, eperm},
		{"i386 getpid", proofCall{Nr: i386GetPID, Int80: true}, proofRanPID, exdev, exdev, Allow},
		// The naive filter's hole: i386's getppid is not 110.
		{"i386 getppid", proofCall{Nr: i386GetPPID, Int80: true}, proofRanPPID, exdev, exdev, Allow},
	}
	check := func(t *testing.T, filter []bpf.RawInstruction, want func(deny, allow, naive Action) Action) {
		var cases []proofCase
		for _, tt := range tests {
			cases = append(cases, proofCase{name: tt.name, call: tt.call, ran: tt.ran, want: want(tt.deny, tt.allow, tt.naive)})
		}
		proofCheck(t, filter, cases)
	}
	for _, pol := range proofPolicies() {
		for _, layout := range layouts {
			t.Run(pol.name+"/"+layout.String(), func(t *testing.T) {
				t.Parallel()
				prog, err := pol.p.CompileLayout(layout)
				require.NoError(t, err)
				check(t, prog.Instructions, func(deny, allow, _ Action) Action {
					if pol.name == "allowlist" {
						return allow
					}
					return deny
				})
			})
		}
	}
	// The control: the denylist without its arch check, which the test
	// must tell from the real thing.
	t.Run("naive", func(t *testing.T) {
		t.Parallel()
		naive := cbpfAssemble(t,
			bpf.LoadAbsolute{Off: 0, Size: 4},
			bpf.JumpIf{Cond: bpf.JumpEqual, Val: unix.SYS_GETPPID, SkipFalse: 1},
			bpf.RetConstant{Val: eperm.Ret()},
			bpf.RetConstant{Val: Allow.Ret()},
		)
		check(t, naive, func(_, _, naive Action) Action { return naive })
	})
}
