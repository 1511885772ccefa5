// Command tour is the README's "A short tour of the API", as written
// there, in a main function: TestREADMETour checks that the two agree
// and that it runs to the end under the filter it installs.
package main

import (
	"fmt"
	"log"
	"os"
	"syscall"

	"github.com/sandboxkit/seccomp"
)

func main() {
	// tour begins
	p := seccomp.Policy{
		Arch:    seccomp.ArchX86_64,           // zero: the host's arch
		Default: seccomp.Errno(syscall.EPERM), // zero: KillProcess
		// BadArch (zero: KillProcess) decides calls made with another arch's
		// convention, and x32 calls on x86_64.
		UnknownENOSYS: true, // numbers above the highest named one fail with ENOSYS
	}
	// A Go program that filters itself must allow what the Go runtime needs;
	// to confine only a command, see "Sandboxing a command" below.
	p.Allow(seccomp.GoRuntimeSyscalls(p.Arch)...)
	p.Allow("read", "write", "close", "exit_group", "futex", "mmap")
	p.Add("clone3", seccomp.Rule{Action: seccomp.Errno(syscall.ENOSYS)})
	p.Add("socket",
		// Rules are tried in order; the first whose conditions all hold decides.
		seccomp.Rule{Action: seccomp.Allow, Conds: []seccomp.Cond{
			{Arg: 0, Op: seccomp.OpEqual, Value: syscall.AF_UNIX, Width: 32},
		}},
		seccomp.Rule{Action: seccomp.Errno(syscall.EAFNOSUPPORT)})

	prog, err := p.Compile() // or p.CompileLayout(seccomp.LayoutBitmap)
	if err != nil {
		log.Fatal(err) // e.g. `seccomp: syscall "socket" (41) rule 0: cond 0: arg 7: index must be 0..5`
	}
	fmt.Print(prog.Disassemble())       // assembly with syscall names and absolute jump targets
	raw, _ := prog.MarshalBinary()      // struct sock_filter[], as libseccomp's seccomp_export_bpf writes it
	an, _ := prog.Analyze(41)           // actions possible for socket, instructions run, cached by the kernel?
	fmt.Println(len(raw)/8, an.Actions) // instructions, and [errno(97) allow]
	// What the kernel will return for socket(AF_INET), and the rule behind it:
	v, _ := prog.Eval(seccomp.Data{Nr: 41, Arch: seccomp.ArchX86_64, Args: [6]uint64{syscall.AF_INET}})
	d, _ := p.Decide(seccomp.Data{Nr: 41, Arch: seccomp.ArchX86_64, Args: [6]uint64{syscall.AF_INET}})
	fmt.Println(v.Action(), d.Action, d.Rule) // errno(97) errno(97) 1
	if err := prog.Install(); err != nil {    // no_new_privs, then seccomp(SET_MODE_FILTER, TSYNC): every thread
		log.Fatal(err)
	}
	_, err = os.ReadFile("/etc/hostname") // openat is not allowed
	fmt.Println(err)                      // open /etc/hostname: operation not permitted
	// tour ends
}
