package seccomp

//go:generate go run ./internal/mksysnum -o zsysnum.go

import (
	"errors"
	"fmt"
	"iter"
	"runtime"
	"strings"
	"sync/atomic"
)

// Arch is a target ABI, identified by its AUDIT_ARCH_* value: the number the
// kernel puts in seccomp_data.arch. A program is compiled for one Arch, or
// for several (see Policy.Compat), which need not be the host's.
//
// ArchX32 is the exception: the kernel reports x32 calls with
// ArchX86_64's value and __X32_SYSCALL_BIT (bit 30) set in the number, so
// ArchX32 is libseccomp's value for it, AUDIT_ARCH_X86_64 without
// __AUDIT_ARCH_64BIT, which no seccomp_data ever carries. x32's numbers, in
// a Syscall's Nr and from SyscallNumber, are the kernel's: bit 30 set.
//
// The zero Arch stands for the host's architecture (see NativeArch).
type Arch uint32

// The supported arches: every Linux GOARCH, and x32. The values are the
// kernel's (include/uapi/linux/audit.h); ArchX32's is libseccomp's.
const (
	ArchX86_64      Arch = 0xC000003E // AUDIT_ARCH_X86_64
	ArchX86         Arch = 0x40000003 // AUDIT_ARCH_I386
	ArchX32         Arch = 0x4000003E // SCMP_ARCH_X32; calls carry AUDIT_ARCH_X86_64
	ArchAArch64     Arch = 0xC00000B7 // AUDIT_ARCH_AARCH64
	ArchARM         Arch = 0x40000028 // AUDIT_ARCH_ARM
	ArchRISCV64     Arch = 0xC00000F3 // AUDIT_ARCH_RISCV64
	ArchPPC64LE     Arch = 0xC0000015 // AUDIT_ARCH_PPC64LE
	ArchPPC64       Arch = 0x80000015 // AUDIT_ARCH_PPC64, big-endian
	ArchS390X       Arch = 0x80000016 // AUDIT_ARCH_S390X, big-endian
	ArchMIPS        Arch = 0x00000008 // AUDIT_ARCH_MIPS, o32, big-endian
	ArchMIPSEL      Arch = 0x40000008 // AUDIT_ARCH_MIPSEL, o32
	ArchMIPS64      Arch = 0x80000008 // AUDIT_ARCH_MIPS64, n64, big-endian
	ArchMIPSEL64    Arch = 0xC0000008 // AUDIT_ARCH_MIPSEL64, n64
	ArchLoongArch64 Arch = 0xC0000102 // AUDIT_ARCH_LOONGARCH64
)

// arches are the supported arches, in the order Arches returns them.
var arches = [...]Arch{
	ArchX86_64, ArchX86, ArchX32, ArchAArch64, ArchARM, ArchRISCV64,
	ArchPPC64LE, ArchPPC64, ArchS390X,
	ArchMIPS, ArchMIPSEL, ArchMIPS64, ArchMIPSEL64, ArchLoongArch64,
}

// Arches returns the supported arches.
func Arches() []Arch { return append([]Arch(nil), arches[:]...) }

// x32SyscallBit is __X32_SYSCALL_BIT: on x86_64, syscall numbers with it
// set belong to the x32 ABI.
const x32SyscallBit = 0x40000000

// MaxSyscall bounds the syscall numbers a policy may name: numbers are
// non-negative and below MaxSyscall, except on x32, where they are
// x32SyscallBit more (bit 30 set, bit 31 clear).
const MaxSyscall = 0x40000000

// sysTable is an arch's system calls: names[i] is number first+i, and an
// empty name is a gap. sparse, by number, holds the calls far above the
// dense part (arm's private calls at __ARM_NR_BASE, 0x0f0000), which a
// dense array would reach with a million gaps. Code that walks names alone
// misses them: use each.
type sysTable struct {
	first  int
	names  []string
	sparse []sparseSyscall
}

// sparseSyscall is a call of a table's sparse part.
type sparseSyscall struct {
	nr   int
	name string
}

// name returns the name of call nr, if the table has it.
func (t *sysTable) name(nr int) (string, bool) {
	if i := nr - t.first; i >= 0 && i < len(t.names) {
		return t.names[i], t.names[i] != ""
	}
	for _, s := range t.sparse {
		if s.nr == nr {
			return s.name, true
		}
	}
	return "", false
}

// each calls f with every call of the table, by number, until f returns
// false.
func (t *sysTable) each(f func(nr int, name string) bool) {
	for i, name := range t.names {
		if name != "" && !f(t.first+i, name) {
			return
		}
	}
	for _, s := range t.sparse {
		if !f(s.nr, s.name) {
			return
		}
	}
}

type archInfo struct {
	name    string
	goarch  string // "" for x32, which has none
	aliases []string
	table   sysTable
	byName  map[string]int // name to number
	// callsBelow[i] counts the calls of the table's dense part below
	// number table.first+i (callWeights).
	callsBelow []int32
	// subCallAt[nr-table.first] is set for the direct calls that are
	// also a multiplexer's sub-calls here (socket on x86, say); nil on
	// an arch without socketcall and ipc.
	subCallAt []bool
	// nrBase is the lowest number the ABI can have: x32SyscallBit on
	// x32, else 0.
	nrBase int
	// compat is the arch the kernel also caches allows for
	// (SECCOMP_ARCH_COMPAT), when this one is native; 0 if none.
	compat Arch
	// muxNr[i] is the number of multiplexers[i] here, or -1.
	muxNr [numMultiplexers]int
	// index is the arch's place in arches; cross[k] is crossNumbers'
	// table to arches[k], made on first use.
	index int
	cross [len(arches)]atomic.Pointer[[]int32]
}

// crossNumbers returns, for each call of from's table's dense part (by
// number from from.table.first), the number of the call of that name on
// to, plus one; 0 where to lacks it. A policy of several ABIs numbers its
// entries of every ABI on its first (Syscall.Nr); the others find theirs
// here, an index where a name would take a map's lookup.
func crossNumbers(from, to *archInfo) []int32 {
	if t := from.cross[to.index].Load(); t != nil {
		return *t
	}
	t := make([]int32, len(from.table.names))
	for i, name := range from.table.names {
		if nr, ok := to.byName[name]; ok && name != "" {
			t[i] = int32(nr) + 1
		}
	}
	from.cross[to.index].Store(&t)
	return t
}

// The aliases are Go's GOARCH, Docker's and runc's spellings (which are
// libseccomp's without the prefix, and Go's) and libseccomp's SCMP_ARCH_*,
// all lower case.
var archInfos = map[Arch]*archInfo{
	ArchX86_64:      {name: "x86_64", goarch: "amd64", aliases: []string{"amd64", "x86-64", "scmp_arch_x86_64"}, table: sysnumX8664, compat: ArchX86},
	ArchX86:         {name: "x86", goarch: "386", aliases: []string{"386", "i386", "i686", "scmp_arch_x86"}, table: sysnumX86},
	ArchX32:         {name: "x32", aliases: []string{"scmp_arch_x32"}, table: sysnumX32, nrBase: x32SyscallBit},
	ArchAArch64:     {name: "aarch64", goarch: "arm64", aliases: []string{"arm64", "scmp_arch_aarch64"}, table: sysnumAarch64, compat: ArchARM},
	ArchARM:         {name: "arm", goarch: "arm", aliases: []string{"scmp_arch_arm"}, table: sysnumArm},
	ArchRISCV64:     {name: "riscv64", goarch: "riscv64", aliases: []string{"scmp_arch_riscv64"}, table: sysnumRiscv64},
	ArchPPC64LE:     {name: "ppc64le", goarch: "ppc64le", aliases: []string{"scmp_arch_ppc64le"}, table: sysnumPpc64le},
	ArchPPC64:       {name: "ppc64", goarch: "ppc64", aliases: []string{"scmp_arch_ppc64"}, table: sysnumPpc64},
	ArchS390X:       {name: "s390x", goarch: "s390x", aliases: []string{"scmp_arch_s390x"}, table: sysnumS390x},
	ArchMIPS:        {name: "mips", goarch: "mips", aliases: []string{"scmp_arch_mips"}, table: sysnumMips},
	ArchMIPSEL:      {name: "mipsel", goarch: "mipsle", aliases: []string{"mipsle", "scmp_arch_mipsel"}, table: sysnumMipsel},
	ArchMIPS64:      {name: "mips64", goarch: "mips64", aliases: []string{"scmp_arch_mips64"}, table: sysnumMips64},
	ArchMIPSEL64:    {name: "mipsel64", goarch: "mips64le", aliases: []string{"mips64le", "mips64el", "scmp_arch_mipsel64"}, table: sysnumMipsel64},
	ArchLoongArch64: {name: "loongarch64", goarch: "loong64", aliases: []string{"loong64", "scmp_arch_loongarch64"}, table: sysnumLoongarch64},
}

// unsupportedArches are libseccomp's arches (and their other spellings)
// that have no Go syscall table here: ParseArch names them in an error
// wrapping ErrNoSyscallTable rather than calling them unknown.
var unsupportedArches = map[string]string{
	"mips64n32": "mips64n32", "scmp_arch_mips64n32": "mips64n32",
	"mipsel64n32": "mipsel64n32", "scmp_arch_mipsel64n32": "mipsel64n32", "mips3l64n32": "mipsel64n32",
	"s390": "s390", "scmp_arch_s390": "s390",
	"ppc": "ppc", "scmp_arch_ppc": "ppc",
	"parisc": "parisc", "scmp_arch_parisc": "parisc",
	"parisc64": "parisc64", "scmp_arch_parisc64": "parisc64",
	"sh": "sh", "scmp_arch_sh": "sh",
	"sheb": "sheb", "scmp_arch_sheb": "sheb",
	"m68k": "m68k", "scmp_arch_m68k": "m68k",
	"riscv32": "riscv32", "sparc64": "sparc64",
}

// ErrNoSyscallTable is wrapped by the error ParseArch returns for an arch
// that libseccomp knows but this package has no system call table for
// (mips n32, s390, ppc, parisc, sh, m68k): callers can tell it from a
// misspelling and say which arch they left out.
var ErrNoSyscallTable = errors.New("known arch, but not supported: no syscall table")

func init() {
	for _, info := range archInfos {
		info.byName = make(map[string]int, len(info.table.names)+len(info.table.sparse))
		info.table.each(func(nr int, name string) bool {
			info.byName[name] = nr
			return true
		})
	}
	for i, a := range arches {
		archInfos[a].index = i
	}
	for _, info := range archInfos {
		info.callsBelow = make([]int32, len(info.table.names)+1)
		for i, name := range info.table.names {
			info.callsBelow[i+1] = info.callsBelow[i]
			if name != "" {
				info.callsBelow[i+1]++
			}
		}
		for mi, m := range multiplexers {
			info.muxNr[mi] = -1
			if nr, ok := info.byName[m.name]; ok {
				info.muxNr[mi] = nr
			} else {
				continue
			}
			for name := range m.sub {
				nr, ok := info.byName[name]
				if !ok {
					continue
				}
				if i := nr - info.table.first; i >= 0 && i < len(info.table.names) {
					if info.subCallAt == nil {
						info.subCallAt = make([]bool, len(info.table.names))
					}
					info.subCallAt[i] = true
				}
			}
		}
	}
}

// ParseArch returns the Arch a name spells, case-insensitively: the kernel's
// name (x86_64, x86, x32, aarch64, arm, riscv64, ppc64le, ppc64, s390x, mips,
// mipsel, mips64, mipsel64, loongarch64), Go's GOARCH (amd64, 386, arm64,
// mipsle, mips64le, loong64, ...), Docker's (the same, and i386, x86-64) or
// libseccomp's (SCMP_ARCH_X86_64, SCMP_ARCH_X86, SCMP_ARCH_PPC64LE, ...).
// An arch libseccomp knows but no table here covers gets an error wrapping
// ErrNoSyscallTable.
func ParseArch(s string) (Arch, error) {
	low := strings.ToLower(s)
	for _, a := range arches {
		info := archInfos[a]
		if low == info.name {
			return a, nil
		}
		for _, alias := range info.aliases {
			if low == alias {
				return a, nil
			}
		}
	}
	if name, ok := unsupportedArches[low]; ok {
		return 0, fmt.Errorf("arch %q (%s): %w", s, name, ErrNoSyscallTable)
	}
	names := make([]string, len(arches))
	for i, a := range arches {
		names[i] = archInfos[a].name
	}
	return 0, fmt.Errorf("unknown arch %q (want one of %s)", s, strings.Join(names, ", "))
}

// NativeArch returns the Arch of the running program's GOARCH, or an error
// if it is not one of the supported architectures.
func NativeArch() (Arch, error) {
	for _, a := range arches {
		if info := archInfos[a]; info.goarch != "" && info.goarch == runtime.GOARCH {
			return a, nil
		}
	}
	return 0, fmt.Errorf("GOARCH %s is not a supported arch", runtime.GOARCH)
}

// String returns the kernel's name of the arch, or its AUDIT_ARCH value in
// hexadecimal if it is not supported.
func (a Arch) String() string {
	if info, ok := archInfos[a]; ok {
		return info.name
	}
	return fmt.Sprintf("arch(%#x)", uint32(a))
}

// orNative returns the arch the zero Arch stands for: the host's, or 0 if
// that is not supported.
func (a Arch) orNative() Arch {
	if a == 0 {
		a, _ = NativeArch()
	}
	return a
}

// lookup returns the arch the zero Arch stands for, and its tables.
func (a Arch) lookup() (Arch, *archInfo, error) {
	if a == 0 {
		native, err := NativeArch()
		if err != nil {
			return 0, nil, err
		}
		a = native
	}
	info, ok := archInfos[a]
	if !ok {
		return 0, nil, fmt.Errorf("unsupported arch %#x", uint32(a))
	}
	return a, info, nil
}

// bigEndian reports whether the arch lays out seccomp_data big-endian: the
// AUDIT_ARCH_* values of little-endian arches carry __AUDIT_ARCH_LE
// (0x40000000). The zero Arch is the host's.
func (a Arch) bigEndian() bool {
	a = a.orNative()
	if a == 0 {
		return false
	}
	return a&auditArchLE == 0
}

// auditArch is the value the kernel puts in seccomp_data.arch for a call
// made with the arch's ABI: ArchX86_64's for ArchX32.
func (a Arch) auditArch() uint32 {
	a = a.orNative()
	if a == ArchX32 {
		return uint32(ArchX86_64)
	}
	return uint32(a)
}

// auditArchLE is __AUDIT_ARCH_LE.
const auditArchLE = 0x40000000

// SyscallNumber returns the number of the named system call on the arch, as
// the kernel spells the name (e.g. "newfstatat", "_sysctl"). On ArchX32 the
// number has bit 30 set, as the kernel sees it.
func (a Arch) SyscallNumber(name string) (int, bool) {
	_, info, err := a.lookup()
	if err != nil {
		return 0, false
	}
	nr, ok := info.byName[name]
	return nr, ok
}

// SyscallName returns the name of system call nr on the arch.
func (a Arch) SyscallName(nr int) (string, bool) {
	_, info, err := a.lookup()
	if err != nil {
		return "", false
	}
	return info.table.name(nr)
}

// Syscalls returns the arch's system calls, number and name, in
// increasing order of number. Most arches number theirs from 0 (4000 on
// mips o32, 5000 on n64, bit 30 on x32) with few gaps; 32-bit arm also has
// its private calls (breakpoint, cacheflush, usr26, usr32, set_tls,
// get_tls) at 0x0f0001 and up.
func (a Arch) Syscalls() iter.Seq2[int, string] {
	return func(yield func(int, string) bool) {
		if _, info, err := a.lookup(); err == nil {
			info.table.each(yield)
		}
	}
}
