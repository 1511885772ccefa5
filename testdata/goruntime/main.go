// Command goruntime installs a filter of seccomp.GoRuntimeSyscalls plus
// the few calls its own code makes, on itself, then works the Go runtime
// hard (GC, returning memory, threads, preemption, timers, the netpoller)
// and finally makes a call outside the set. TestGoRuntimeSyscalls builds
// and runs it.
//
// With -kill the default is KillProcess, so that any call the set lacks
// kills it; otherwise EPERM, as the README's tour has it.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/sandboxkit/seccomp"
)

func main() {
	kill := flag.Bool("kill", false, "deny with KillProcess instead of EPERM")
	dir := flag.String("dir", "", "a directory to try to make a subdirectory in")
	flag.Parse()

	p := seccomp.Policy{Default: seccomp.Errno(syscall.EPERM)}
	if *kill {
		p.Default = seccomp.KillProcess
	}
	p.Allow(seccomp.GoRuntimeSyscalls(0)...)
	// What this program's own code calls: os.ReadFile.
	p.Allow("openat", "newfstatat", "fstat")
	prog, err := p.Compile()
	if err != nil {
		fail(err)
	}
	if err := prog.Install(); err != nil {
		fail(err)
	}

	// The garbage collector, and memory given back to the OS.
	var keep [][]byte
	for i := range 200 {
		b := make([]byte, 1<<16)
		if i%10 == 0 {
			keep = append(keep, b)
		}
	}
	runtime.GC()
	debug.FreeOSMemory()

	// New OS threads, goroutines blocked on each other and on timers.
	var wg sync.WaitGroup
	ch := make(chan int)
	for i := range 16 {
		wg.Go(func() {
			runtime.LockOSThread() // a thread of its own: clone
			time.Sleep(time.Duration(i) * time.Millisecond)
			ch <- i
		})
	}
	sum := 0
	for range 16 {
		sum += <-ch
	}
	wg.Wait()

	// Preemption: a loop with no calls, stopped by SIGURG.
	stop := time.Now().Add(50 * time.Millisecond)
	done := make(chan bool)
	go func() {
		n := 0
		for time.Now().Before(stop) {
			n++
		}
		done <- n > 0
	}()
	<-done

	// The netpoller: a pipe read with a deadline.
	r, w, err := os.Pipe()
	if err != nil {
		fail(err)
	}
	r.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
	if _, err := r.Read(make([]byte, 1)); !errors.Is(err, os.ErrDeadlineExceeded) {
		fail(fmt.Errorf("read with deadline: %v", err))
	}
	go w.Write([]byte("x"))
	r.SetReadDeadline(time.Time{})
	if _, err := r.Read(make([]byte, 1)); err != nil {
		fail(err)
	}

	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		fail(err)
	}
	if !strings.Contains(string(status), "Seccomp:\t2") {
		fail(errors.New("no filter in /proc/self/status"))
	}
	fmt.Printf("ran: %d goroutines summed %d, %d blocks kept\n", 16, sum, len(keep))

	// A call outside the set.
	err = os.Mkdir(*dir+"/denied", 0o755)
	fmt.Printf("mkdir: %v\n", errors.Is(err, syscall.EPERM))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "goruntime:", err)
	os.Exit(1)
}
