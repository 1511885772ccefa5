//go:build linux

package seccomp_test

import (
	"fmt"
	"log"
	"syscall"

	"github.com/sandboxkit/seccomp"
)

// An allowlist: everything not allowed fails with EPERM, clone3 fails with
// ENOSYS so that libc falls back to clone, and socket is allowed for
// AF_UNIX only.
func Example() {
	p := seccomp.Policy{Arch: seccomp.ArchX86_64, Default: seccomp.Errno(syscall.EPERM)}
	p.Allow("read", "write", "close", "exit_group")
	p.Add("clone3", seccomp.Rule{Action: seccomp.Errno(syscall.ENOSYS)})
	p.Add("socket",
		seccomp.Rule{Action: seccomp.Allow, Conds: []seccomp.Cond{
			{Arg: 0, Op: seccomp.OpEqual, Value: 1 /* AF_UNIX */, Width: 32},
		}},
		seccomp.Rule{Action: seccomp.Errno(syscall.EAFNOSUPPORT)})

	prog, err := p.Compile()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(prog.Disassemble())
	// Output:
	//  0: ld [4]                               ; arch
	//  1: jeq #0xc000003e, 2, 15               ; x86_64
	//  2: ld [0]                               ; nr
	//  3: jeq #41, 16, 4                       ; socket
	//  4: jge #435, 8, 5                       ; clone3
	//  5: jge #4, 7, 6                         ; stat
	//  6: jeq #2, 14, 18                       ; open
	//  7: jeq #231, 18, 14                     ; exit_group
	//  8: jge #2147483648, 12, 9
	//  9: jge #436, 11, 10                     ; close_range
	// 10: ret #0x50026                         ; errno(38)
	// 11: jge #1073741824, 15, 14
	// 12: jge #3221225472, 13, 14
	// 13: jge #4294967295, 14, 15
	// 14: ret #0x50001                         ; errno(1)
	// 15: ret #0x80000000                      ; kill-process
	// 16: ld [16]                              ; arg0 (low)
	// 17: jeq #0x1, 18, 19
	// 18: ret #0x7fff0000                      ; allow
	// 19: ret #0x50061                         ; errno(97)
}

// A denylist for an agent sandbox: everything is allowed but networking to
// the outside, ptrace and mount. Under the default layout every allowed
// call is one the kernel caches, so it skips the filter.
func ExamplePolicy_denylist() {
	p := seccomp.Policy{Arch: seccomp.ArchAArch64, Default: seccomp.Allow}
	for _, family := range []uint64{2, 10} { // AF_INET, AF_INET6
		p.Add("socket", seccomp.Rule{
			Action: seccomp.Errno(syscall.EAFNOSUPPORT),
			Conds:  []seccomp.Cond{{Arg: 0, Op: seccomp.OpEqual, Value: family, Width: 32}},
		})
	}
	for _, name := range []string{"connect", "bind", "ptrace", "mount"} {
		p.Add(name, seccomp.Rule{Action: seccomp.Errno(syscall.EPERM)})
	}
	prog, err := p.Compile()
	if err != nil {
		log.Fatal(err)
	}
	for _, name := range []string{"read", "socket", "connect"} {
		nr, _ := seccomp.ArchAArch64.SyscallNumber(name)
		an, err := prog.Analyze(uint32(nr))
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s: %v, %d-%d instructions, cached %v\n", name, an.Actions, an.MinExecuted, an.MaxExecuted, an.Cached)
	}
	// Output:
	// read: [allow], 8-8 instructions, cached true
	// socket: [errno(97) allow], 7-8 instructions, cached false
	// connect: [errno(1)], 8-8 instructions, cached false
}

// Validation names the syscall, the rule and the field.
func ExamplePolicy_Compile_error() {
	p := seccomp.Policy{Arch: seccomp.ArchRISCV64}
	p.Add("openat", seccomp.Rule{Action: seccomp.Allow, Conds: []seccomp.Cond{
		{Arg: 2, Op: seccomp.OpEqual, Value: 1 << 32, Width: 32},
	}})
	_, err := p.Compile()
	fmt.Println(err)
	// Output:
	// seccomp: syscall "openat" (56) rule 0: cond 0: arg 2: value 0x100000000 does not fit the 32-bit width
}
