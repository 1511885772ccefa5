package seccomp_test

import (
	"fmt"
	"log"
	"syscall"

	"github.com/sandboxkit/seccomp"
)

// examplePolicy allows read and write, and write only to stdout and
// stderr; everything else fails with EPERM.
func examplePolicy() *seccomp.Policy {
	p := &seccomp.Policy{Arch: seccomp.ArchX86_64, Default: seccomp.Errno(syscall.EPERM)}
	p.Allow("read")
	p.Add("write", seccomp.Rule{Action: seccomp.Allow, Conds: []seccomp.Cond{
		{Arg: 0, Op: seccomp.OpGreaterEqual, Value: 1, Width: 32},
		{Arg: 0, Op: seccomp.OpLessEqual, Value: 2, Width: 32},
	}})
	return p
}

// Eval runs a program on one system call, as the kernel would, without
// loading it.
func ExampleProgram_Eval() {
	prog, err := examplePolicy().Compile()
	if err != nil {
		log.Fatal(err)
	}
	const write = 1 // x86_64
	for _, fd := range []uint64{1, 3} {
		v, err := prog.Eval(seccomp.Data{Nr: write, Arch: seccomp.ArchX86_64, Args: [6]uint64{fd}})
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("write(%d): %s\n", fd, v)
	}
	// Output:
	// write(1): allow after 10 instructions
	// write(3): errno(1) after 10 instructions
}

// EvalPath also returns the instructions run. For read, number 0: the
// arch check (0, 1), the x32 check (2, 3), then "nr >= 1?" (6), no, so
// allow (12); see the Disassemble example.
func ExampleProgram_EvalPath() {
	prog, err := examplePolicy().Compile()
	if err != nil {
		log.Fatal(err)
	}
	const read = 0 // x86_64
	v, path, err := prog.EvalPath(seccomp.Data{Nr: read, Arch: seccomp.ArchX86_64}, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(v)
	fmt.Println(path)
	// Output:
	// allow after 6 instructions
	// [0 1 2 3 6 12]
}

// Disassemble prints a program with syscall names, seccomp_data fields
// and actions. Jump targets are line numbers; "jge #1, 7, 12" goes to 7 if
// A >= 1, else to 12. The arch check comes first, then the x32 numbers
// (bit 30) other than -1 get the bad-arch action, then a search on nr.
func ExampleProgram_Disassemble() {
	prog, err := examplePolicy().Compile()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(prog.Disassemble())
	// Output:
	//  0: ld [4]                               ; arch
	//  1: jeq #0xc000003e, 2, 5                ; x86_64
	//  2: ld [0]                               ; nr
	//  3: jset #0x40000000, 4, 6
	//  4: jeq #4294967295, 11, 5
	//  5: ret #0x80000000                      ; kill-process
	//  6: jge #1, 7, 12                        ; write
	//  7: jge #2, 11, 8                        ; open
	//  8: ld [16]                              ; arg0 (low)
	//  9: jge #0x1, 10, 11
	// 10: jgt #0x2, 11, 12
	// 11: ret #0x50001                         ; errno(1)
	// 12: ret #0x7fff0000                      ; allow
}

// Decide says what a policy does to a call, and which rule said it.
func ExamplePolicy_Decide() {
	p := examplePolicy()
	const write = 1 // x86_64
	d, err := p.Decide(seccomp.Data{Nr: write, Arch: seccomp.ArchX86_64, Args: [6]uint64{2}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(d)
	fmt.Println(p.Syscalls[d.Syscall].Name, p.Syscalls[d.Syscall].Rules[d.Rule].Conds)
	// Output:
	// allow by rule 0 of entry 1
	// write [arg0 >= 0x1 (32-bit) arg0 <= 0x2 (32-bit)]
}

// EvalStack combines a thread's filters as the kernel does: all run, and
// the action of highest precedence wins — here the older filter's EPERM
// over the newer one's allow.
func ExampleEvalStack() {
	old, err := examplePolicy().Compile()
	if err != nil {
		log.Fatal(err)
	}
	allowAll := seccomp.Policy{Arch: seccomp.ArchX86_64, Default: seccomp.Allow}
	newer, err := allowAll.Compile()
	if err != nil {
		log.Fatal(err)
	}
	const write = 1 // x86_64
	v, decider, err := seccomp.EvalStack([]seccomp.Program{old, newer}, seccomp.Data{Nr: write, Arch: seccomp.ArchX86_64, Args: [6]uint64{3}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s, decided by filter %d\n", v.Action(), decider)
	// Output:
	// errno(1), decided by filter 0
}
