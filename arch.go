package seccomp

//go:generate go run ./internal/mksysnum -o zsysnum.go

import (
	"fmt"
	"runtime"
	"strings"
)

// Arch is a target architecture, identified by its AUDIT_ARCH_* value: the
// number the kernel puts in seccomp_data.arch. A program is compiled for one
// Arch, which need not be the host's.
//
// The zero Arch stands for the host's architecture (see NativeArch).
type Arch uint32

// The supported architectures. All three are little-endian and 64-bit.
const (
	ArchX86_64  Arch = 0xC000003E // AUDIT_ARCH_X86_64
	ArchAArch64 Arch = 0xC00000B7 // AUDIT_ARCH_AARCH64
	ArchRISCV64 Arch = 0xC00000F3 // AUDIT_ARCH_RISCV64
)

// arches are the supported architectures.
var arches = [...]Arch{ArchX86_64, ArchAArch64, ArchRISCV64}

// Arches returns the supported architectures.
func Arches() []Arch { return append([]Arch(nil), arches[:]...) }

// x32SyscallBit is __X32_SYSCALL_BIT: on x86_64, syscall numbers with it
// set belong to the x32 ABI.
const x32SyscallBit = 0x40000000

// MaxSyscall bounds the syscall numbers a policy may name: numbers are
// non-negative and below MaxSyscall.
const MaxSyscall = 0x40000000

type archInfo struct {
	name    string
	goarch  string
	aliases []string
	table   []string       // number to name; "" is a gap
	byName  map[string]int // name to number
}

var archInfos = map[Arch]*archInfo{
	ArchX86_64:  {name: "x86_64", goarch: "amd64", aliases: []string{"amd64", "x86-64", "scmp_arch_x86_64"}, table: sysnumX8664[:]},
	ArchAArch64: {name: "aarch64", goarch: "arm64", aliases: []string{"arm64", "scmp_arch_aarch64"}, table: sysnumAarch64[:]},
	ArchRISCV64: {name: "riscv64", goarch: "riscv64", aliases: []string{"scmp_arch_riscv64"}, table: sysnumRiscv64[:]},
}

func init() {
	for _, info := range archInfos {
		info.byName = make(map[string]int, len(info.table))
		for nr, name := range info.table {
			if name != "" {
				info.byName[name] = nr
			}
		}
	}
}

// ParseArch returns the Arch a name spells, case-insensitively: the kernel's
// name (x86_64, aarch64, riscv64), Go's GOARCH (amd64, arm64, riscv64), or
// libseccomp's (SCMP_ARCH_X86_64, SCMP_ARCH_AARCH64, SCMP_ARCH_RISCV64).
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
	return 0, fmt.Errorf("unknown arch %q (want x86_64, aarch64 or riscv64)", s)
}

// NativeArch returns the Arch of the running program's GOARCH, or an error
// if it is not one of the supported architectures.
func NativeArch() (Arch, error) {
	for _, a := range arches {
		if archInfos[a].goarch == runtime.GOARCH {
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
	if a == 0 {
		native, err := NativeArch()
		if err != nil {
			return false
		}
		a = native
	}
	return a&auditArchLE == 0
}

// auditArchLE is __AUDIT_ARCH_LE.
const auditArchLE = 0x40000000

// SyscallNumber returns the number of the named system call on the arch, as
// the kernel spells the name (e.g. "newfstatat", "_sysctl").
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
	if err != nil || nr < 0 || nr >= len(info.table) || info.table[nr] == "" {
		return "", false
	}
	return info.table[nr], true
}
