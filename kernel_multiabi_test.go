//go:build linux

package seccomp

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/sandboxkit/seccomp/internal/int80"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// TestKernelMultiABI loads one filter serving x86_64, x86 and x32 and
// makes, from one 64-bit process, x86_64 calls, i386 calls (int $0x80) and
// x32 numbers: each gets the verdict the interpreter predicts and the
// policy says, both layouts. Each ABI has rules of its own for getpid and
// getppid, so a call judged by another ABI's section would show.
func TestKernelMultiABI(t *testing.T) {
	proofRequireX86_64(t)
	if !int80.Supported {
		t.Skipf("int $0x80 needs amd64, this is %s", runtime.GOARCH)
	}
	const i386GetPID, i386GetPPID = 20, 64
	const x32 = 0x40000000
	// A kernel without IA32 emulation faults on int $0x80: TestKernelWrongArch
	// says so; here, it must work.
	pre := runProofChild(t, proofSpec{Arch: ArchX86_64, Pre: []proofCall{{Nr: i386GetPID, Int80: true}}})
	if !pre.has("result", "pre/0") {
		skipUnlessRequired(t, fmt.Sprintf("int $0x80 crashed the child: no IA32 emulation: %v", pre.state))
	}

	eacces, eperm, enotty, e2big, exdev := Errno(unix.EACCES), Errno(unix.EPERM), Errno(unix.ENOTTY), Errno(unix.E2BIG), Errno(unix.EXDEV)
	p := Policy{Arch: ArchX86_64, Compat: []Arch{ArchX86, ArchX32}, Default: eacces, BadArch: exdev, UnknownENOSYS: true, SkipMissing: true}
	p.Allow(liveRuntimeSyscalls...)
	p.Syscalls = append(p.Syscalls,
		Syscall{Arch: ArchX86_64, Name: "getpid", Rules: []Rule{{Action: Allow}}},
		Syscall{Arch: ArchX86_64, Name: "getppid", Rules: []Rule{{Action: eperm}}},
		Syscall{Arch: ArchX86, Name: "getpid", Rules: []Rule{{Action: Allow, Conds: []Cond{{Arg: 0, Op: OpEqual, Value: 7}}}}},
		Syscall{Arch: ArchX86, Name: "getppid", Rules: []Rule{{Action: enotty}}},
		Syscall{Arch: ArchX32, Name: "getpid", Rules: []Rule{{Action: e2big}}},
	)
	// The x86 getpid rule reads ebx whole: the kernel hands the filter
	// the 64-bit register, high half included.
	cases := []proofCase{
		{"x86_64 getpid", proofCall{Nr: unix.SYS_GETPID}, proofRanPID, Allow},
		{"x86_64 getppid", proofCall{Nr: unix.SYS_GETPPID}, proofRanPPID, eperm},
		{"x86_64 unknown number", proofCall{Nr: 1000}, proofRanENOSYS, Errno(unix.ENOSYS)},
		{"-1", proofCall{Nr: 0xFFFFFFFF}, proofRanENOSYS, eacces},
		{"i386 getpid, ebx 7", proofCall{Nr: i386GetPID, Int80: true, Args: [6]uint64{7}}, proofRanPID, Allow},
		{"i386 getpid, ebx 8", proofCall{Nr: i386GetPID, Int80: true, Args: [6]uint64{8}}, proofRanPID, eacces},
		{"i386 getpid, rbx 1<<32|7", proofCall{Nr: i386GetPID, Int80: true, Args: [6]uint64{1<<32 | 7}}, proofRanPID, eacces},
		{"i386 getppid", proofCall{Nr: i386GetPPID, Int80: true}, proofRanPPID, enotty},
		{"i386 110, x86_64's getppid", proofCall{Nr: 110, Int80: true}, proofRanENOSYS, eacces},
		{"i386 unknown number", proofCall{Nr: 1000, Int80: true}, proofRanENOSYS, Errno(unix.ENOSYS)},
		{"x32 getpid", proofCall{Nr: x32 | unix.SYS_GETPID}, proofRanPID, e2big},
		{"x32 getppid", proofCall{Nr: x32 | unix.SYS_GETPPID}, proofRanPPID, eacces},
		{"x32 unknown number", proofCall{Nr: x32 | 1000}, proofRanENOSYS, Errno(unix.ENOSYS)},
		{"bit 31 and 30", proofCall{Nr: 0xC0000000}, proofRanENOSYS, Errno(unix.ENOSYS)},
	}
	for _, layout := range layouts {
		t.Run(layout.String(), func(t *testing.T) {
			t.Parallel()
			prog, err := p.CompileLayout(layout)
			require.NoError(t, err)
			// The policy's reference agrees with the expectations above.
			for _, c := range cases {
				dec, err := p.Decide(proofData(c.call))
				require.NoError(t, err)
				require.Equal(t, c.want, dec.Action, "%s: Decide", c.name)
			}
			proofCheck(t, prog.Instructions, cases)
		})
	}
}
