package int80

// Supported reports whether Syscall can make the call on this GOARCH.
const Supported = true

// Syscall makes i386 system call nr with arguments a1, a2 and a3 (ebx, ecx,
// edx; esi and edi are zero) and returns eax: the result, or a negated
// errno, in its low 32 bits. The registers are loaded whole, 64 bits; what
// the kernel makes of their high halves is its business, which the tests
// that use this package find out.
//
// Like syscall.RawSyscall it does not tell the Go scheduler, so the call
// must not block.
func Syscall(nr, a1, a2, a3 uintptr) (r uintptr)
