package seccomp_test

import (
	"fmt"

	"github.com/sandboxkit/seccomp"
)

// Arch.Syscalls walks an arch's whole table in order of number, 32-bit
// arm's private calls far above the rest included.
func ExampleArch_Syscalls() {
	n := 0
	for nr, name := range seccomp.ArchARM.Syscalls() {
		n++
		if nr >= 0x0f0000 {
			fmt.Printf("%#x %s\n", nr, name)
		}
	}
	fmt.Println(n > 400)
	// Output:
	// 0xf0001 breakpoint
	// 0xf0002 cacheflush
	// 0xf0003 usr26
	// 0xf0004 usr32
	// 0xf0005 set_tls
	// 0xf0006 get_tls
	// true
}
