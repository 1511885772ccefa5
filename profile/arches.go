package profile

import (
	"math/bits"
	"sync"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/sandboxkit/seccomp"
)

// targets names each target arch as a profile names it: libseccomp's name
// in architectures and archMap, Docker's in includes and excludes.
var targets = map[seccomp.Arch]struct {
	scmp   specs.Arch
	docker string
}{
	seccomp.ArchX86_64:      {specs.ArchX86_64, "amd64"},
	seccomp.ArchX86:         {specs.ArchX86, "x86"},
	seccomp.ArchX32:         {specs.ArchX32, "x32"},
	seccomp.ArchAArch64:     {specs.ArchAARCH64, "arm64"},
	seccomp.ArchARM:         {specs.ArchARM, "arm"},
	seccomp.ArchRISCV64:     {specs.ArchRISCV64, "riscv64"},
	seccomp.ArchPPC64LE:     {specs.ArchPPC64LE, "ppc64le"},
	seccomp.ArchPPC64:       {specs.ArchPPC64, "ppc64"},
	seccomp.ArchS390X:       {specs.ArchS390X, "s390x"},
	seccomp.ArchMIPS:        {specs.ArchMIPS, "mips"},
	seccomp.ArchMIPSEL:      {specs.ArchMIPSEL, "mipsel"},
	seccomp.ArchMIPS64:      {specs.ArchMIPS64, "mips64"},
	seccomp.ArchMIPSEL64:    {specs.ArchMIPSEL64, "mipsel64"},
	seccomp.ArchLoongArch64: {specs.ArchLOONGARCH64, "loongarch64"},
}

// scmpTarget returns the ABI a libseccomp arch name stands for, if it has
// a syscall table here.
func scmpTarget(name string) (seccomp.Arch, bool) {
	for a, t := range targets {
		if string(t.scmp) == name {
			return a, true
		}
	}
	return 0, false
}

// scmpArches are the arch names runc accepts in architectures.
var scmpArches = map[specs.Arch]bool{
	specs.ArchX86: true, specs.ArchX86_64: true, specs.ArchX32: true,
	specs.ArchARM: true, specs.ArchAARCH64: true,
	specs.ArchMIPS: true, specs.ArchMIPS64: true, specs.ArchMIPS64N32: true,
	specs.ArchMIPSEL: true, specs.ArchMIPSEL64: true, specs.ArchMIPSEL64N32: true,
	specs.ArchPPC: true, specs.ArchPPC64: true, specs.ArchPPC64LE: true,
	specs.ArchS390: true, specs.ArchS390X: true,
	specs.ArchRISCV64: true, specs.ArchLOONGARCH64: true,
}

// dockerArches are the arch names Docker compares includes and excludes
// with: libseccomp's native names as Docker and runc spell them.
var dockerArches = map[string]bool{
	"x86": true, "amd64": true, "x32": true,
	"arm": true, "arm64": true,
	"mips": true, "mips64": true, "mips64n32": true,
	"mipsel": true, "mipsel64": true, "mipsel64n32": true, "mips3l64n32": true,
	"ppc": true, "ppc64": true, "ppc64le": true,
	"s390": true, "s390x": true,
	"riscv64": true, "loongarch64": true, "loong64": true,
}

// linuxCaps are Linux's capabilities, CAP_CHOWN (0) to
// CAP_CHECKPOINT_RESTORE (40), from include/uapi/linux/capability.h.
var linuxCaps = [...]string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
	"CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
	"CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK",
	"CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
	"CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE",
	"CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE",
	"CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
	"CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
	"CAP_CHECKPOINT_RESTORE",
}

// table is an ABI's system call table, read once from the core: the number
// of a name libseccomp knows by its index in linuxSyscallNames (no map
// lookup per ABI), a number's name by index from base, the ABI's lowest
// number (x32's carry bit 30, MIPS's start at 4000 and up). Numbers past
// tableSpan, and names the list lacks, go to the core's own lookups.
type table struct {
	byID  []int32 // by name id (nameSlots.id): the number, or -1 where the ABI lacks the name
	base  int
	names []string // names[nr-base]
}

const tableSpan = 8192

var tables sync.Map // seccomp.Arch to *table

func tableOf(arch seccomp.Arch) *table {
	if t, ok := tables.Load(arch); ok {
		return t.(*table)
	}
	t := &table{byID: make([]int32, len(linuxSyscallNames)), base: -1}
	for id, name := range linuxSyscallNames {
		t.byID[id] = -1
		if nr, ok := arch.SyscallNumber(name); ok {
			t.byID[id] = int32(nr)
			if t.base < 0 || nr < t.base {
				t.base = nr
			}
		}
	}
	t.base = max(t.base, 0)
	for nr := t.base; nr < t.base+tableSpan; nr++ {
		if name, ok := arch.SyscallName(nr); ok {
			t.names = append(t.names, make([]string, nr-t.base+1-len(t.names))...)
			t.names[nr-t.base] = name
		}
	}
	actual, _ := tables.LoadOrStore(arch, t)
	return actual.(*table)
}

// number returns the number of a named system call on the table's arch;
// id is the name's id (nameSlots.id).
func (t *table) number(arch seccomp.Arch, id int32, name string) (int, bool) {
	if id >= 0 {
		nr := t.byID[id]
		return int(nr), nr >= 0
	}
	return arch.SyscallNumber(name) // a name libseccomp lacks, if anywhere
}

// name returns the name of system call nr.
func (t *table) name(arch seccomp.Arch, nr int) string {
	if i := nr - t.base; i >= 0 && i < len(t.names) {
		return t.names[i]
	}
	name, _ := arch.SyscallName(nr)
	return name
}

// nameSlots index linuxSyscallNames by name: an open-addressed table
// whose slots hold a name's index plus one (0 for none), from nameHash on.
// One lookup a name costs a hash of its first and last bytes and one
// comparison, mostly: less than a map's.
type nameSlots [1 << nameBits]uint16

const nameBits = 11 // slots for 4 times the names

var syscallSlots = sync.OnceValue(func() *nameSlots {
	var t nameSlots
	for id, name := range linuxSyscallNames {
		h := nameHash(name)
		for t[h] != 0 {
			h = (h + 1) % uint32(len(t))
		}
		t[h] = uint16(id + 1)
	}
	return &t
})

// id returns a name's index in linuxSyscallNames (its id), or -1
// for a name libseccomp does not know.
func (t *nameSlots) id(name string) int32 {
	for h := nameHash(name); ; h = (h + 1) % uint32(len(t)) {
		k := t[h]
		if k == 0 {
			return -1
		}
		if linuxSyscallNames[k-1] == name {
			return int32(k - 1)
		}
	}
}

// nameHash hashes a name from its length and its first and last 8 bytes
// (4, or each byte, for a shorter one) into nameBits bits.
func nameHash(s string) uint32 {
	var a, b uint64
	switch n := len(s); {
	case n >= 8:
		a, b = load64(s[:8]), load64(s[n-8:])
	case n >= 4:
		a, b = uint64(load32(s[:4])), uint64(load32(s[n-4:]))
	default:
		for i := 0; i < n; i++ {
			a |= uint64(s[i]) << (8 * i)
		}
	}
	h := (a ^ bits.RotateLeft64(b, 31) ^ uint64(len(s))<<58) * 0x9E3779B97F4A7C15
	return uint32(h >> (64 - nameBits))
}

// load64 and load32 read s's first bytes as a little-endian number, in
// one load where the compiler can.
func load64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

func load32(s string) uint32 {
	_ = s[3]
	return uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
}
