package seccomp

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"golang.org/x/sys/unix"
)

// The arch values are the kernel's AUDIT_ARCH_* constants, as x/sys
// generates them from linux/audit.h; x32's is libseccomp's SCMP_ARCH_X32,
// AUDIT_ARCH_X86_64 without __AUDIT_ARCH_64BIT.
func TestArchValuesAreTheKernels(t *testing.T) {
	for arch, want := range map[Arch]uint32{
		ArchX86_64: unix.AUDIT_ARCH_X86_64, ArchX86: unix.AUDIT_ARCH_I386,
		ArchX32:     unix.AUDIT_ARCH_X86_64 &^ 0x80000000,
		ArchAArch64: unix.AUDIT_ARCH_AARCH64, ArchARM: unix.AUDIT_ARCH_ARM,
		ArchRISCV64: unix.AUDIT_ARCH_RISCV64,
		ArchPPC64LE: unix.AUDIT_ARCH_PPC64LE, ArchPPC64: unix.AUDIT_ARCH_PPC64,
		ArchS390X: unix.AUDIT_ARCH_S390X,
		ArchMIPS:  unix.AUDIT_ARCH_MIPS, ArchMIPSEL: unix.AUDIT_ARCH_MIPSEL,
		ArchMIPS64: unix.AUDIT_ARCH_MIPS64, ArchMIPSEL64: unix.AUDIT_ARCH_MIPSEL64,
		ArchLoongArch64: unix.AUDIT_ARCH_LOONGARCH64,
	} {
		assert.Equal(t, want, uint32(arch), "%s", arch)
	}
	assert.Len(t, Arches(), 14)
	for _, a := range []Arch{ArchPPC64, ArchS390X, ArchMIPS, ArchMIPS64} {
		assert.True(t, a.bigEndian(), "%s", a)
	}
	assert.Equal(t, uint32(unix.AUDIT_ARCH_X86_64), ArchX32.auditArch())
}
