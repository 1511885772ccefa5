// Command cmdsignals runs a shell under seccomp.Cmd and under os/exec,
// with SIGHUP and SIGUSR2 ignored, and fails unless both see the same
// signal state: built for another GOARCH (TestCmdSignalState32), it
// checks the trampoline's struct sigaction on that arch.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"

	"github.com/sandboxkit/seccomp"
)

func main() {
	signal.Ignore(syscall.SIGHUP, syscall.SIGUSR2)
	script := `grep -E '^Sig(Blk|Ign|Cgt):' /proc/self/status`
	want, err := exec.Command("/bin/sh", "-c", script).Output()
	if err != nil {
		fmt.Println("os/exec:", err)
		os.Exit(2)
	}
	// The shell may be of another ABI than this program: allow it too.
	prog, err := (&seccomp.Policy{Default: seccomp.Allow, BadArch: seccomp.Allow}).Compile()
	if err != nil {
		fmt.Println(err)
		os.Exit(2)
	}
	got, err := seccomp.Command(prog, "/bin/sh", "-c", script).Output()
	if err != nil {
		fmt.Println("seccomp.Cmd:", err)
		os.Exit(2)
	}
	if string(got) != string(want) {
		fmt.Printf("os/exec:\n%sseccomp.Cmd:\n%s", want, got)
		os.Exit(1)
	}
	fmt.Print(string(got))
}
