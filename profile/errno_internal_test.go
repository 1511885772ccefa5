package profile

import (
	"slices"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestErrnoNumber checks errno names on the targets whose numbers differ,
// against the kernel's headers: include/uapi/asm-generic/errno*.h,
// arch/mips/include/uapi/asm/errno.h, arch/powerpc/include/uapi/asm/errno.h.
func TestErrnoNumber(t *testing.T) {
	tests := []struct {
		target specs.Arch
		name   string
		want   uint64
	}{
		{specs.ArchX86_64, "EPERM", 1},
		{specs.ArchX86_64, "ENOSYS", 38},
		{specs.ArchAARCH64, "EDEADLOCK", 35},
		{specs.ArchRISCV64, "EHWPOISON", 133},
		{"", "EAGAIN", 11},
		{"", "EWOULDBLOCK", 11},
		{specs.ArchMIPS64, "EPERM", 1},
		{specs.ArchMIPS, "ENOSYS", 89},
		{specs.ArchMIPSEL64, "EDEADLK", 45},
		{specs.ArchMIPSEL, "EHWPOISON", 168},
		{specs.ArchPPC64LE, "EDEADLOCK", 58},
		{specs.ArchPPC64, "EDEADLK", 35},
		{specs.ArchX86_64, "22", 22},
	}
	for _, tt := range tests {
		got, err := errnoNumber(tt.target, tt.name)
		if err != nil || got != tt.want {
			t.Errorf("%s on %q: %d, %v; want %d", tt.name, tt.target, got, err, tt.want)
		}
	}
	if _, err := errnoNumber(specs.ArchX86_64, "EPREM"); err == nil {
		t.Error("EPREM: no error")
	}
}

// TestTablesSorted checks the tables the binary searches rely on.
func TestTablesSorted(t *testing.T) {
	byName := func(a, b errnoName) int { return strings.Compare(a.name, b.name) }
	if !slices.IsSortedFunc(errnoNumbers[:], byName) || !slices.IsSortedFunc(errnoNumbersMIPS[:], byName) {
		t.Error("errno tables not sorted by name")
	}
	if !slices.IsSorted(linuxSyscallNames[:]) {
		t.Error("linuxSyscallNames not sorted")
	}
}

// TestNameSlots checks that the name table finds every name libseccomp
// knows at its place, and no other, with short probes.
func TestNameSlots(t *testing.T) {
	slots := syscallSlots()
	require.Less(t, len(linuxSyscallNames), len(slots)/2, "the table is too full")
	longest := 0
	for id, name := range linuxSyscallNames {
		require.Equal(t, int32(id), slots.id(name), name)
		probes := 1
		for h := nameHash(name); linuxSyscallNames[slots[h]-1] != name; h = (h + 1) % uint32(len(slots)) {
			probes++
		}
		longest = max(longest, probes)
	}
	assert.LessOrEqual(t, longest, 8, "longest probe")
	for _, name := range []string{"", "r", "rea", "readx", "mkdri", "read\x00", "clock_gettime6", "a_very_long_name_no_arch_has"} {
		assert.Equal(t, int32(-1), slots.id(name), "%q", name)
	}
}
