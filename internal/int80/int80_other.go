//go:build !amd64

package int80

// Supported reports whether Syscall can make the call on this GOARCH.
const Supported = false

// Syscall panics: int $0x80 is an x86 instruction.
func Syscall(nr, a1, a2, a3 uintptr) (r uintptr) {
	panic("int80: i386 system calls need amd64")
}
