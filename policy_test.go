package seccomp

import (
	"fmt"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/bpf"
)

func TestPolicyValidation(t *testing.T) {
	allowIf := func(c Cond) Rule { return Rule{Action: Allow, Conds: []Cond{c}} }
	cases := []struct {
		name   string
		policy Policy
		want   string // the whole error message
	}{
		{"arg index above 5",
			Policy{Arch: ArchX86_64, Syscalls: []Syscall{{Name: "socket", Rules: []Rule{{Action: Allow}, {Action: Allow}}}, {Name: "socket", Rules: []Rule{allowIf(Cond{Arg: 7, Op: OpEqual})}}}},
			`seccomp: syscall "socket" (41) rule 2: cond 0: arg 7: index must be 0..5`},
		{"negative arg index",
			Policy{Arch: ArchX86_64, Syscalls: []Syscall{{Name: "read", Rules: []Rule{allowIf(Cond{Arg: -1, Op: OpEqual})}}}},
			`seccomp: syscall "read" (0) rule 0: cond 0: arg -1: index must be 0..5`},
		{"32-bit value over 32 bits",
			Policy{Arch: ArchAArch64, Syscalls: []Syscall{{Name: "openat", Rules: []Rule{allowIf(Cond{Arg: 2, Op: OpEqual, Value: 1 << 32, Width: 32})}}}},
			`seccomp: syscall "openat" (56) rule 0: cond 0: arg 2: value 0x100000000 does not fit the 32-bit width`},
		{"32-bit mask over 32 bits",
			Policy{Arch: ArchAArch64, Syscalls: []Syscall{{Name: "openat", Rules: []Rule{allowIf(Cond{Arg: 2, Op: OpMaskedEqual, Mask: 1 << 40, Width: 32})}}}},
			`seccomp: syscall "openat" (56) rule 0: cond 0: arg 2: mask 0x10000000000 does not fit the 32-bit width`},
		{"bad width",
			Policy{Arch: ArchX86_64, Syscalls: []Syscall{{Nr: 3, Rules: []Rule{allowIf(Cond{Op: OpEqual, Width: 16})}}}},
			`seccomp: syscall "close" (3) rule 0: cond 0: arg 0: width 16 must be 32 or 64`},
		{"op unset",
			Policy{Arch: ArchX86_64, Syscalls: []Syscall{{Nr: 3, Rules: []Rule{allowIf(Cond{Arg: 1})}}}},
			`seccomp: syscall "close" (3) rule 0: cond 0: arg 1: invalid op 0`},
		{"mask on another op",
			Policy{Arch: ArchX86_64, Syscalls: []Syscall{{Nr: 3, Rules: []Rule{allowIf(Cond{Op: OpEqual, Mask: 0xff})}}}},
			`seccomp: syscall "close" (3) rule 0: cond 0: arg 0: mask 0xff set on op == (only &== takes a mask)`},
		{"negative number",
			Policy{Arch: ArchX86_64, Syscalls: []Syscall{{Nr: -2, Rules: []Rule{{Action: Allow}}}}},
			`seccomp: syscall -2: number out of range 0..0x3fffffff on x86_64`},
		{"number too large",
			Policy{Arch: ArchRISCV64, Syscalls: []Syscall{{Nr: 0x40000000, Rules: []Rule{{Action: Allow}}}}},
			`seccomp: syscall 1073741824: number out of range 0..0x3fffffff on riscv64`},
		{"unknown name",
			Policy{Arch: ArchRISCV64, Syscalls: []Syscall{{Name: "open", Rules: []Rule{{Action: Allow}}}}},
			`seccomp: syscall "open": unknown on riscv64`},
		{"name and number disagree",
			Policy{Arch: ArchX86_64, Syscalls: []Syscall{{Name: "read", Nr: 4, Rules: []Rule{{Action: Allow}}}}},
			`seccomp: syscall "read": Nr 4 disagrees with the name's number 0 on x86_64`},
		{"contradicting unreachable rule",
			Policy{Arch: ArchX86_64, Syscalls: []Syscall{{Name: "write", Rules: []Rule{{Action: Errno(syscall.EPERM)}, allowIf(Cond{Op: OpEqual})}}}},
			`seccomp: syscall "write" (1) rule 1: unreachable after unconditional rule 0, and its action allow contradicts errno(1)`},
		{"no rules",
			Policy{Arch: ArchX86_64, Syscalls: []Syscall{{Name: "write"}}},
			`seccomp: syscall "write" (1): no rules`},
		{"errno above 4095",
			Policy{Arch: ArchX86_64, Syscalls: []Syscall{{Name: "write", Rules: []Rule{{Action: Errno(4096)}}}}},
			`seccomp: syscall "write" (1) rule 0: action: action errno: data 4096 out of range 0..4095`},
		{"errno far above 16 bits",
			Policy{Arch: ArchX86_64, Syscalls: []Syscall{{Name: "write", Rules: []Rule{{Action: Errno(1 << 40)}}}}},
			`seccomp: syscall "write" (1) rule 0: action: action errno: data 4294967295 out of range 0..4095`},
		{"trap data above 16 bits",
			Policy{Arch: ArchX86_64, Syscalls: []Syscall{{Name: "write", Rules: []Rule{{Action: Trap(0x10000)}}}}},
			`seccomp: syscall "write" (1) rule 0: action: action trap: data 65536 out of range 0..65535`},
		{"invalid action",
			Policy{Arch: ArchX86_64, Syscalls: []Syscall{{Name: "write", Rules: []Rule{{Action: Action(42) << 32}}}}},
			`seccomp: syscall "write" (1) rule 0: action: invalid action 0x2a00000000`},
		{"data on an action without",
			Policy{Arch: ArchX86_64, Syscalls: []Syscall{{Name: "write", Rules: []Rule{{Action: Allow | 5}}}}},
			`seccomp: syscall "write" (1) rule 0: action: action allow takes no data, got 5`},
		{"invalid default",
			Policy{Arch: ArchX86_64, Default: Errno(5000)},
			`seccomp: default action: action errno: data 5000 out of range 0..4095`},
		{"invalid bad-arch action",
			Policy{Arch: ArchX86_64, BadArch: Trace(1 << 20)},
			`seccomp: bad-arch action: action trace: data 1048576 out of range 0..65535`},
		{"unsupported arch",
			Policy{Arch: 0x40000016}, // AUDIT_ARCH_S390... without the 64-bit flag: s390, 31-bit
			`seccomp: unsupported arch 0x40000016`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, layout := range layouts {
				_, err := c.policy.CompileLayout(layout)
				require.Error(t, err)
				assert.Equal(t, c.want, err.Error())
			}
		})
	}
}

func TestPolicyZeroValue(t *testing.T) {
	native, err := NativeArch()
	if err != nil {
		t.Skip(err)
	}
	var p Policy
	prog, err := p.Compile()
	require.NoError(t, err)
	assert.Equal(t, native, prog.Arch)
	for _, nr := range []uint32{0, 1, 59, 400} {
		ret, _, err := runCompiled(prog, Data{Nr: nr, Arch: native})
		require.NoError(t, err)
		assert.Equal(t, KillProcess.Ret(), ret, "the zero policy kills")
	}
}

func TestReduceRules(t *testing.T) {
	deny := Errno(syscall.EPERM)
	c := []Cond{{Arg: 0, Op: OpEqual, Value: 1}}
	cases := []struct {
		name     string
		rules    []Rule
		def      Action
		wantLen  int
		constant bool
	}{
		{"unconditional allow", []Rule{{Action: Allow}}, deny, 1, true},
		{"only the default", []Rule{{Action: deny}}, deny, 0, false},
		{"trailing default rules go", []Rule{{Action: Allow, Conds: c}, {Action: deny, Conds: c}, {Action: deny}}, deny, 1, false},
		{"a default rule before another stays", []Rule{{Action: deny, Conds: c}, {Action: Allow}}, deny, 2, false},
		{"shadowed agreeing rules go", []Rule{{Action: Allow}, {Action: Allow, Conds: c}}, deny, 1, true},
		// Matched or not, allow follows: the conditional rule goes.
		{"conditional then unconditional, same action", []Rule{{Action: Allow, Conds: c}, {Action: Allow}}, deny, 1, true},
		{"agreeing rules before an unconditional one go, others stay", []Rule{{Action: deny, Conds: c}, {Action: Allow, Conds: c}, {Action: Allow, Conds: c[:0:0]}, {Action: Allow}}, deny, 2, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := reduceRules(tc.rules, tc.def, false)
			require.NoError(t, err)
			assert.Len(t, got, tc.wantLen)
			if len(got) > 0 {
				assert.Equal(t, tc.constant, constantOutcome(got))
			}
		})
	}
}

func TestActions(t *testing.T) {
	cases := []struct {
		action Action
		ret    uint32
		name   string
	}{
		{KillProcess, 0x80000000, "kill-process"},
		{KillThread, 0, "kill-thread"},
		{Trap(7), 0x00030007, "trap(7)"},
		{Errno(syscall.EPERM), 0x00050001, "errno(1)"},
		{Errno(MaxErrno), 0x00050FFF, "errno(4095)"},
		{Notify, 0x7FC00000, "notify"},
		{Trace(0xFFFF), 0x7FF0FFFF, "trace(65535)"},
		{Log, 0x7FFC0000, "log"},
		{Allow, 0x7FFF0000, "allow"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			require.NoError(t, c.action.Validate())
			assert.Equal(t, c.ret, c.action.Ret())
			assert.Equal(t, c.name, c.action.String())
			back, err := ActionFromRet(c.ret)
			require.NoError(t, err)
			assert.Equal(t, c.action, back)
		})
	}
	var zero Action
	assert.Equal(t, KillProcess, zero)
	_, err := ActionFromRet(0x00010000)
	assert.Error(t, err)
}

func TestArch(t *testing.T) {
	// The kernel's, Go's, Docker's and libseccomp's names.
	for in, want := range map[string]Arch{
		"x86_64": ArchX86_64, "amd64": ArchX86_64, "SCMP_ARCH_X86_64": ArchX86_64,
		"x86": ArchX86, "386": ArchX86, "i386": ArchX86, "SCMP_ARCH_X86": ArchX86,
		"x32": ArchX32, "SCMP_ARCH_X32": ArchX32,
		"aarch64": ArchAArch64, "arm64": ArchAArch64, "SCMP_ARCH_AARCH64": ArchAArch64,
		"arm": ArchARM, "SCMP_ARCH_ARM": ArchARM,
		"riscv64": ArchRISCV64, "SCMP_ARCH_RISCV64": ArchRISCV64,
		"ppc64le": ArchPPC64LE, "SCMP_ARCH_PPC64LE": ArchPPC64LE,
		"ppc64": ArchPPC64, "SCMP_ARCH_PPC64": ArchPPC64,
		"s390x": ArchS390X, "SCMP_ARCH_S390X": ArchS390X,
		"mips": ArchMIPS, "SCMP_ARCH_MIPS": ArchMIPS,
		"mipsel": ArchMIPSEL, "mipsle": ArchMIPSEL, "SCMP_ARCH_MIPSEL": ArchMIPSEL,
		"mips64": ArchMIPS64, "SCMP_ARCH_MIPS64": ArchMIPS64,
		"mipsel64": ArchMIPSEL64, "mips64le": ArchMIPSEL64, "SCMP_ARCH_MIPSEL64": ArchMIPSEL64,
		"loongarch64": ArchLoongArch64, "loong64": ArchLoongArch64, "SCMP_ARCH_LOONGARCH64": ArchLoongArch64,
	} {
		got, err := ParseArch(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	_, err := ParseArch("vax")
	assert.EqualError(t, err, `unknown arch "vax" (want one of x86_64, x86, x32, aarch64, arm, riscv64, ppc64le, ppc64, s390x, mips, mipsel, mips64, mipsel64, loongarch64)`)
	// libseccomp's arches without a Go table are named, not unknown.
	for _, name := range []string{"SCMP_ARCH_MIPS64N32", "mipsel64n32", "SCMP_ARCH_S390", "ppc", "SCMP_ARCH_PARISC", "parisc64", "SCMP_ARCH_SHEB", "sh", "SCMP_ARCH_M68K"} {
		_, err := ParseArch(name)
		require.ErrorIs(t, err, ErrNoSyscallTable, name)
		assert.Contains(t, err.Error(), "known arch, but not supported: no syscall table", name)
	}

	// Names as the kernel, libseccomp and Docker spell them, per arch.
	for _, c := range []struct {
		arch Arch
		name string
		nr   int
	}{
		{ArchX86_64, "read", 0}, {ArchX86_64, "_sysctl", 156}, {ArchX86_64, "newfstatat", 262}, {ArchX86_64, "clone3", 435},
		{ArchAArch64, "read", 63}, {ArchAArch64, "newfstatat", 79}, {ArchAArch64, "clone3", 435},
		{ArchRISCV64, "riscv_flush_icache", 259}, {ArchRISCV64, "newfstatat", 79},
		// From the kernel's tables (arch/*/syscall*.tbl, unistd.h).
		{ArchX86, "read", 3}, {ArchX86, "socketcall", 102}, {ArchX86, "ipc", 117}, {ArchX86, "socket", 359},
		{ArchX32, "read", 0x40000000}, {ArchX32, "rt_sigaction", 0x40000000 + 512}, {ArchX32, "execve", 0x40000000 + 520},
		{ArchARM, "read", 3}, {ArchARM, "socket", 281},
		{ArchPPC64LE, "socketcall", 102}, {ArchPPC64, "socket", 326},
		{ArchS390X, "socketcall", 102}, {ArchS390X, "ipc", 117}, {ArchS390X, "socket", 359},
		{ArchMIPS, "read", 4003}, {ArchMIPS, "socketcall", 4102}, {ArchMIPSEL, "ipc", 4117},
		{ArchMIPS64, "read", 5000}, {ArchMIPSEL64, "socket", 5040},
		{ArchLoongArch64, "read", 63}, {ArchLoongArch64, "clone3", 435},
	} {
		nr, ok := c.arch.SyscallNumber(c.name)
		require.True(t, ok, "%s %s", c.arch, c.name)
		assert.Equal(t, c.nr, nr, "%s %s", c.arch, c.name)
		name, ok := c.arch.SyscallName(c.nr)
		require.True(t, ok)
		assert.Equal(t, c.name, name)
	}
	for _, arch := range Arches() {
		_, ok := arch.SyscallNumber("arch_specific_syscall")
		assert.False(t, ok, "%s: a range marker is not a system call", arch)
	}
	_, ok := ArchAArch64.SyscallNumber("open")
	assert.False(t, ok, "aarch64 has no open")
}

func TestUnmarshalProgramRoundTrip(t *testing.T) {
	prog, err := dockerLikePolicy(ArchAArch64).Compile()
	require.NoError(t, err)
	raw, err := prog.MarshalBinary()
	require.NoError(t, err)
	require.Len(t, raw, 8*len(prog.Instructions))
	back, err := UnmarshalProgram(ArchAArch64, raw)
	require.NoError(t, err)
	assert.Equal(t, prog, back)
	// struct sock_filter { __u16 code; __u8 jt; __u8 jf; __u32 k; }, little-endian.
	assert.Equal(t, []byte{0x20, 0, 0, 0, 4, 0, 0, 0}, raw[:8], "ld [4]")
	_, err = UnmarshalProgram(ArchAArch64, raw[:7])
	assert.Error(t, err)
}

func TestCondString(t *testing.T) {
	for want, c := range map[string]Cond{
		"arg0 == 0x2":                {Op: OpEqual, Value: 2},
		"arg5 != 0x0 (32-bit)":       {Arg: 5, Op: OpNotEqual, Width: 32},
		"arg1 & 0xff == 0x1":         {Arg: 1, Op: OpMaskedEqual, Mask: 0xff, Value: 1},
		"arg2 <= 0x100000000":        {Arg: 2, Op: OpLessEqual, Value: 1 << 32},
		"arg3 op(9) 0x1":             {Arg: 3, Op: 9, Value: 1},
		"arg4 >= 0xffffffffffffffff": {Arg: 4, Op: OpGreaterEqual, Value: 1<<64 - 1},
	} {
		assert.Equal(t, want, c.String())
	}
}

func TestDisassembleLen(t *testing.T) {
	prog := Program{Arch: ArchX86_64, Instructions: []bpf.RawInstruction{{Op: opLdWLen}, {Op: opLdxWLen}, {Op: opRetK, K: Allow.Ret()}}}
	line := func(text, comment string) string { return fmt.Sprintf("%-40s ; %s\n", text, comment) }
	want := line("0: ld len", "64, the size of seccomp_data") +
		line("1: ldx len", "64, the size of seccomp_data") +
		line("2: ret #0x7fff0000", "allow")
	assert.Equal(t, want, prog.Disassemble())
}

func TestArchesIsACopy(t *testing.T) {
	a := Arches()
	a[0] = 0x40000003
	assert.Equal(t, ArchX86_64, Arches()[0])
	_, err := ParseArch("x86_64")
	assert.NoError(t, err)
}
