// Package int80 makes a 32-bit (i386) Linux system call from a 64-bit
// process, with the int $0x80 instruction. The kernel then runs the call
// through its IA32 emulation, and a seccomp filter sees it with
// seccomp_data.arch = AUDIT_ARCH_I386: the way to test a filter's arch
// check on a 64-bit machine. It exists for tests only.
//
// It works on amd64 (and only with a kernel built with IA32 emulation, and
// not booted with ia32_emulation=0: otherwise the instruction faults).
// Elsewhere Syscall panics.
package int80
