//go:build linux

package seccomp_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"syscall"

	"github.com/sandboxkit/seccomp"
)

// Run a shell under a filter that lets it do anything but make
// directories, from a program that stays unfiltered: the program then
// makes the directory the command could not.
func ExampleCommand() {
	p := seccomp.Policy{Default: seccomp.Allow}
	native, _ := seccomp.NativeArch()
	for _, name := range []string{"mkdir", "mkdirat"} { // aarch64 and riscv64 have only mkdirat
		if _, ok := native.SyscallNumber(name); ok {
			p.Add(name, seccomp.Rule{Action: seccomp.Errno(syscall.EPERM)})
		}
	}
	prog, err := p.Compile()
	if err != nil {
		log.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	sub := filepath.Join(dir, "sub")

	cmd := seccomp.Command(prog, "/bin/sh", "-c", `echo "hello from $0"; mkdir "$1" 2>/dev/null || echo "mkdir failed"`, "sh", sub)
	out, err := cmd.Output()
	fmt.Printf("%s%v\n", out, err)
	fmt.Println(os.Mkdir(sub, 0o755))
	// Output:
	// hello from sh
	// mkdir failed
	// <nil>
	// <nil>
}

// Supervise a command: every system call it makes comes to this program,
// which lets each run (Continue) and counts the calls by name, as
// seccompc learn does.
func ExampleCmd_Supervise() {
	p := seccomp.Policy{Default: seccomp.Notify}
	prog, err := p.Compile()
	if err != nil {
		log.Fatal(err)
	}
	native, _ := seccomp.NativeArch()
	seen := make(map[string]bool)
	done := make(chan struct{})
	cmd := seccomp.Command(prog, "/bin/echo", "supervised")
	cmd.Stdout = os.Stdout
	cmd.Supervise = func(l *seccomp.Listener) {
		// The command's execve is notified too: serve from now on.
		go func() {
			defer close(done)
			defer l.Close()
			for {
				n, err := l.Receive(context.Background())
				if err != nil {
					return // io.EOF: the command and all it started are gone
				}
				name, _ := native.SyscallName(n.Nr)
				seen[name] = true
				l.Continue(n.ID)
			}
		}()
	}
	if err := cmd.Run(); err != nil {
		log.Fatal(err)
	}
	<-done
	fmt.Println(seen["execve"], seen["write"], seen["exit_group"])
	// Output:
	// supervised
	// true true true
}
