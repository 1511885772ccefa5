package seccomp_test

import (
	"errors"
	"fmt"
	"syscall"

	"github.com/sandboxkit/seccomp"
)

// A policy too large for the kernel is refused before it is compiled, with
// the system calls that make it large.
func ExampleErrTooLarge() {
	p := seccomp.Policy{Arch: seccomp.ArchX86_64, Default: seccomp.Errno(syscall.EPERM)}
	for fd := range 1100 {
		p.Add("socket", seccomp.Rule{Action: seccomp.Allow, Conds: []seccomp.Cond{{Arg: 0, Op: seccomp.OpNotEqual, Value: uint64(fd)}}})
	}
	_, err := p.Compile()
	fmt.Println(errors.Is(err, seccomp.ErrTooLarge))
	fmt.Println(err)
	// Output:
	// true
	// seccomp: program needs at least 4406 instructions, over the kernel's limit of 4096: syscall "socket" (41) takes at least 4400, the dispatch over 1 system calls at least 3
}

// A condition that can never hold is an error: here the value has a bit
// outside the mask, which libseccomp would silently mask off.
func ExampleCond_neverHolds() {
	p := seccomp.Policy{Arch: seccomp.ArchX86_64, Default: seccomp.Errno(syscall.EPERM)}
	p.Add("personality", seccomp.Rule{Action: seccomp.Allow, Conds: []seccomp.Cond{
		{Arg: 0, Op: seccomp.OpMaskedEqual, Mask: 0xff, Value: 0x108},
	}})
	_, err := p.Compile()
	fmt.Println(err)
	// Output:
	// seccomp: syscall "personality" (135) rule 0: cond 0: arg 0: value 0x108 has bits outside mask 0xff (0x100), so the condition can never hold
}
