package seccomp

import (
	"fmt"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// One test per bug class other seccomp compilers have shipped. Each runs
// on every layout, and on every arch unless the bug is arch-specific.

// verdict compiles p, checks the program with the kernel's load-time rules,
// and returns what it decides for d.
func verdict(t *testing.T, p *Policy, layout Layout, d Data) uint32 {
	t.Helper()
	prog, err := p.CompileLayout(layout)
	require.NoError(t, err)
	ret, _, err := prog.evalRet(d)
	require.NoError(t, err)
	return ret
}

// eachArchLayout runs f for every arch and layout.
func eachArchLayout(t *testing.T, f func(t *testing.T, arch Arch, layout Layout)) {
	for _, arch := range Arches() {
		for _, layout := range layouts {
			t.Run(fmt.Sprintf("%s/%s", arch, layout), func(t *testing.T) { f(t, arch, layout) })
		}
	}
}

// CVE-2019-9893: libseccomp before 2.4.0 compared the halves of a 64-bit
// argument as if each decided alone, so values differing only in one half
// were misjudged.
func TestCVE2019_9893_64bitComparisons(t *testing.T) {
	cases := []struct {
		op   Op
		k    uint64
		arg  uint64
		want bool
	}{
		{OpGreater, 0x100000000, 0x0FFFFFFFF, false},      // low half bigger, high smaller
		{OpGreater, 0x100000000, 0x100000001, true},       // high equal, low decides
		{OpGreater, 0x1FFFFFFFF, 0x200000000, true},       // high bigger, low smaller
		{OpGreaterEqual, 0x100000005, 0x000000006, false}, // low bigger only
		{OpGreaterEqual, 0x100000005, 0x100000005, true},
		{OpGreaterEqual, 0x100000005, 0x200000000, true},
		{OpLess, 0x100000000, 0x0FFFFFFFF, true},  // high smaller, low bigger
		{OpLess, 0x100000005, 0x100000006, false}, // high equal, low bigger
		{OpLess, 0x100000005, 0x000000006, true},
		{OpLessEqual, 0x100000005, 0x200000000, false}, // high bigger, low smaller
		{OpLessEqual, 0x100000005, 0x100000005, true},
		{OpLessEqual, 0x1FFFFFFFF, 0x0FFFFFFFF, true},
		{OpGreater, 0xFFFFFFFF00000000, 0xFFFFFFFF00000001, true},
		{OpLess, 0xFFFFFFFF00000000, 0xFFFFFFFE0FFFFFFF, true},
		{OpLess, 1, 0, true}, // < 0 can never hold, and is refused: conds_test.go
		{OpLess, 1, 0x100000000, false},
		{OpGreaterEqual, 0, 0xFFFFFFFFFFFFFFFF, true},
	}
	eachArchLayout(t, func(t *testing.T, arch Arch, layout Layout) {
		for _, c := range cases {
			p := &Policy{Arch: arch, Default: Errno(syscall.EPERM)}
			p.AddNr(nrOn(arch, 1), Rule{Action: Allow, Conds: []Cond{{Arg: 3, Op: c.op, Value: c.k}}})
			d := on(arch, Data{Nr: 1})
			d.Args[3] = c.arg
			want := Errno(syscall.EPERM).Ret()
			if c.want {
				want = Allow.Ret()
			}
			assert.Equal(t, want, verdict(t, p, layout, d), "%#x %s %#x", c.arg, c.op, c.k)
		}
	})
}

// libseccomp issue #383: an int argument arrives in a 64-bit register whose
// high half may hold garbage; a 32-bit condition must ignore it, and a
// 64-bit one must not.
func TestLibseccomp383_32bitHighGarbage(t *testing.T) {
	const garbage = 0xDEADBEEF00000000
	cases := []struct {
		name string
		cond Cond
		arg  uint64
		want bool
	}{
		{"32-bit == ignores garbage", Cond{Op: OpEqual, Value: 1, Width: 32}, garbage | 1, true},
		{"32-bit != ignores garbage", Cond{Op: OpNotEqual, Value: 1, Width: 32}, garbage | 1, false},
		{"32-bit < ignores garbage", Cond{Op: OpLess, Value: 5, Width: 32}, garbage | 4, true},
		{"32-bit > ignores garbage", Cond{Op: OpGreater, Value: 5, Width: 32}, garbage | 4, false},
		{"32-bit masked ignores garbage", Cond{Op: OpMaskedEqual, Mask: 0xFF, Value: 1, Width: 32}, garbage | 0x101, true},
		{"64-bit == sees garbage", Cond{Op: OpEqual, Value: 1}, garbage | 1, false},
		{"64-bit < sees garbage", Cond{Op: OpLess, Value: 5}, garbage | 4, false},
	}
	eachArchLayout(t, func(t *testing.T, arch Arch, layout Layout) {
		for _, c := range cases {
			p := &Policy{Arch: arch, Default: Errno(syscall.EPERM)}
			p.AddNr(nrOn(arch, 2), Rule{Action: Allow, Conds: []Cond{c.cond}})
			want := Errno(syscall.EPERM).Ret()
			if c.want {
				want = Allow.Ret()
			}
			assert.Equal(t, want, verdict(t, p, layout, on(arch, Data{Nr: 2, Args: [6]uint64{c.arg}})), c.name)
		}
	})
}

// A policy whose dispatch must reach chains more than 255 instructions away
// (libseccomp and others have emitted truncated 8-bit offsets).
func TestJumpsOver255(t *testing.T) {
	eachArchLayout(t, func(t *testing.T, arch Arch, layout Layout) {
		p := &Policy{Arch: arch, Default: Errno(syscall.EPERM)}
		for nr := range 60 {
			var conds []Cond
			for i := range 6 {
				conds = append(conds, Cond{Arg: i, Op: OpGreater, Value: uint64(nr*1000+i) << 20})
			}
			p.AddNr(nrOn(arch, nr*3), Rule{Action: Allow, Conds: conds}, Rule{Action: Errno(syscall.Errno(nr + 1))})
		}
		prog, rep := checkEquivalence(t, p, layout)
		require.Empty(t, rep.disagreements)
		require.Greater(t, len(prog.Instructions), 3*256, "the policy must be big enough to need long jumps")
		standIns := 0
		for _, ri := range prog.Instructions {
			if ri.Op == opJa {
				standIns++
			}
		}
		// The first dispatch jump into the last chain spans the program;
		// it can only get there through a stand-in.
		require.Positive(t, standIns, "no ja stand-in in a program of %d instructions", len(prog.Instructions))
	})
}

// A policy over BPF_MAXINSNS is an error that says how big it is, never a
// truncated program.
func TestOversizePolicy(t *testing.T) {
	eachArchLayout(t, func(t *testing.T, arch Arch, layout Layout) {
		p := &Policy{Arch: arch, Default: Errno(syscall.EPERM)}
		for nr := range 500 {
			p.AddNr(nrOn(arch, nr), Rule{Action: Allow, Conds: []Cond{{Arg: 0, Op: OpLess, Value: uint64(nr+1) << 33}, {Arg: 1, Op: OpEqual, Value: uint64(nr)}}})
		}
		_, err := p.CompileLayout(layout)
		require.ErrorIs(t, err, ErrTooLarge)
		assert.Regexp(t, `program (has|needs at least) \d+ instructions, over the kernel's limit of 4096`, err.Error())
	})
}

// The Rust bitmap compiler this design comes from dropped allows for
// numbers beyond its bitmap (480 and up) without a word.
func TestAllowAbove480(t *testing.T) {
	eachArchLayout(t, func(t *testing.T, arch Arch, layout Layout) {
		p := &Policy{Arch: arch, Default: Errno(syscall.EPERM)}
		p.AddNr(nrOn(arch, 0), Rule{Action: Allow})
		for _, nr := range []int{479, 480, 481, 511, 512, 1000, 4095, 0x3FFFFFFF} {
			p.AddNr(nrOn(arch, nr), Rule{Action: Allow})
		}
		for _, nr := range []uint32{479, 480, 481, 511, 512, 1000, 4095} {
			assert.Equal(t, Allow.Ret(), verdict(t, p, layout, on(arch, Data{Nr: nr})), "nr %d", nr)
		}
		assert.Equal(t, Errno(syscall.EPERM).Ret(), verdict(t, p, layout, on(arch, Data{Nr: 482})))
		if arch != ArchX86_64 { // on x86_64 it is an x32 number
			assert.Equal(t, Allow.Ret(), verdict(t, p, layout, on(arch, Data{Nr: 0x3FFFFFFF})))
		}
	})
}

// elastic/go-seccomp-bpf allowed a wrong-arch call under a default-allow
// policy. The arch check comes first, whatever the default.
func TestWrongArchUnderDefaultAllow(t *testing.T) {
	eachArchLayout(t, func(t *testing.T, arch Arch, layout Layout) {
		p := &Policy{Arch: arch, Default: Allow}
		p.Add("ptrace", Rule{Action: Errno(syscall.EPERM)})
		for _, other := range append(Arches(), 0) {
			if uint32(other) == arch.auditArch() {
				continue
			}
			for _, nr := range []uint32{0, 101, 117, 0xFFFFFFFF} {
				assert.Equal(t, KillProcess.Ret(), verdict(t, p, layout, Data{Nr: nr, Arch: other}), "arch %#x nr %d", other, nr)
			}
		}
		p.BadArch = Errno(syscall.ENOSYS)
		assert.Equal(t, Errno(syscall.ENOSYS).Ret(), verdict(t, p, layout, Data{Nr: 0, Arch: foreign(arch)}))
	})
}

// x32 system calls reach an x86_64 filter with AUDIT_ARCH_X86_64 and bit 30
// set in the number; they take the bad-arch action, as in libseccomp.
func TestX32Numbers(t *testing.T) {
	for _, layout := range layouts {
		t.Run(layout.String(), func(t *testing.T) {
			p := &Policy{Arch: ArchX86_64, Default: Allow, BadArch: Errno(syscall.EXDEV), UnknownENOSYS: true}
			p.Add("read", Rule{Action: Allow})
			p.Add("write", Rule{Action: Errno(syscall.EPERM)})
			for _, nr := range []uint32{0x40000000, 0x40000001, 0x40000000 | 59, 0x40000000 + 547, 0x7FFFFFFF, 0xC0000000, 0xFFFFFFFE} {
				assert.Equal(t, Errno(syscall.EXDEV).Ret(), verdict(t, p, layout, Data{Nr: nr, Arch: ArchX86_64}), "nr %#x", nr)
			}
			// Bit 30 clear: no x32 call, just a number no table has.
			for _, nr := range []uint32{0x80000000, 0xBFFFFFFF} {
				assert.Equal(t, enosys.Ret(), verdict(t, p, layout, Data{Nr: nr, Arch: ArchX86_64}), "nr %#x", nr)
			}
			assert.Equal(t, enosys.Ret(), verdict(t, p, layout, Data{Nr: 0x3FFFFFFF, Arch: ArchX86_64}))
		})
	}
	// Other arches have no x32: a big number is merely unknown.
	for _, arch := range []Arch{ArchAArch64, ArchRISCV64} {
		p := &Policy{Arch: arch, Default: Errno(syscall.EPERM)}
		for _, layout := range layouts {
			assert.Equal(t, Errno(syscall.EPERM).Ret(), verdict(t, p, layout, on(arch, Data{Nr: 0x40000001})))
		}
	}
}

// A tracer that skips a system call sets its number to -1; the filter
// sees it and must give the default, not the bad-arch action nor ENOSYS.
func TestSkippedSyscallMinusOne(t *testing.T) {
	eachArchLayout(t, func(t *testing.T, arch Arch, layout Layout) {
		for _, enosys := range []bool{false, true} {
			p := &Policy{Arch: arch, Default: Errno(syscall.EPERM), BadArch: Trap(1), UnknownENOSYS: enosys}
			p.Allow("read")
			assert.Equal(t, Errno(syscall.EPERM).Ret(), verdict(t, p, layout, on(arch, Data{Nr: 0xFFFFFFFF})), "UnknownENOSYS %v", enosys)
		}
	})
}

// elastic/go-seccomp-bpf v1.6.0: after socket's argument check failed, the
// accumulator still held the argument, and the next syscall-number
// comparison read it, so socket(56, ...) matched clone (56 on x86_64) and
// was allowed. Confirmed in the kernel.
func TestAccumulatorAfterFailedArgCheck(t *testing.T) {
	for _, layout := range layouts {
		t.Run(layout.String(), func(t *testing.T) {
			p := &Policy{Arch: ArchX86_64, Default: Errno(syscall.EPERM)}
			p.Add("socket", Rule{Action: Allow, Conds: []Cond{{Arg: 0, Op: OpEqual, Value: 1, Width: 32}}})
			p.Add("clone", Rule{Action: Allow})
			p.Add("connect", Rule{Action: Allow, Conds: []Cond{{Arg: 0, Op: OpEqual, Value: 3, Width: 32}}})
			socket, _ := ArchX86_64.SyscallNumber("socket")
			clone, _ := ArchX86_64.SyscallNumber("clone")
			require.Equal(t, 56, clone)
			assert.Equal(t, Errno(syscall.EPERM).Ret(), verdict(t, p, layout, Data{Nr: uint32(socket), Arch: ArchX86_64, Args: [6]uint64{56}}))
			assert.Equal(t, Allow.Ret(), verdict(t, p, layout, Data{Nr: uint32(socket), Arch: ArchX86_64, Args: [6]uint64{1}}))
			assert.Equal(t, Allow.Ret(), verdict(t, p, layout, Data{Nr: uint32(clone), Arch: ArchX86_64, Args: [6]uint64{56}}))
			checkEquivalence(t, p, layout)
		})
	}
}

// libseccomp 2.5.4: with two rules ORed on one 64-bit argument, the second
// rule compared a half the first had left in the accumulator, so
// a0 < 0x7fffffffffffffff || a0 < 0x8000000000000000 denied
// a0 = 0x7fffffffffffffff.
func TestLibseccomp254_ORedRules64bit(t *testing.T) {
	eachArchLayout(t, func(t *testing.T, arch Arch, layout Layout) {
		p := &Policy{Arch: arch, Default: Errno(syscall.EPERM)}
		p.AddNr(nrOn(arch, 5),
			Rule{Action: Allow, Conds: []Cond{{Arg: 0, Op: OpLess, Value: 0x7fffffffffffffff}}},
			Rule{Action: Allow, Conds: []Cond{{Arg: 0, Op: OpLess, Value: 0x8000000000000000}}})
		for arg, want := range map[uint64]uint32{
			0x7ffffffffffffffe: Allow.Ret(),
			0x7fffffffffffffff: Allow.Ret(),
			0x8000000000000000: Errno(syscall.EPERM).Ret(),
			0xffffffffffffffff: Errno(syscall.EPERM).Ret(),
		} {
			assert.Equal(t, want, verdict(t, p, layout, on(arch, Data{Nr: 5, Args: [6]uint64{arg}})), "a0 = %#x", arg)
		}
	})
}

// A rule is never dropped quietly: a rule an unconditional one shadows is an
// error unless it agrees, and an entry with no rules is an error.
func TestNoSilentlyDroppedRules(t *testing.T) {
	p := &Policy{Arch: ArchX86_64}
	p.Add("read", Rule{Action: Allow}, Rule{Action: Errno(syscall.EPERM), Conds: []Cond{{Arg: 0, Op: OpEqual, Value: 1}}})
	_, err := p.Compile()
	require.Error(t, err)
	assert.Contains(t, err.Error(), `syscall "read" (0) rule 1: unreachable after unconditional rule 0`)

	p = &Policy{Arch: ArchX86_64}
	p.Add("read")
	_, err = p.Compile()
	require.ErrorIs(t, err, errNoRules)

	// Agreeing duplicates are harmless, and the rule still holds.
	p = &Policy{Arch: ArchX86_64, Default: Errno(syscall.EPERM)}
	p.Allow("read", "read")
	p.Add("read", Rule{Action: Allow, Conds: []Cond{{Arg: 0, Op: OpEqual, Value: 1}}})
	for _, layout := range layouts {
		assert.Equal(t, Allow.Ret(), verdict(t, p, layout, Data{Nr: 0, Arch: ArchX86_64}))
	}
	assert.False(t, strings.Contains(fmt.Sprint(p.Syscalls), "<nil>"))
}
