package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/sandboxkit/seccomp"
)

// learnGrace is how long learn keeps serving, once the command has exited,
// for what it left running.
const learnGrace = 2 * time.Second

// learnedProfile is the Docker/OCI profile learn writes.
type learnedProfile struct {
	DefaultAction string           `json:"defaultAction"`
	Architectures []string         `json:"architectures"`
	Syscalls      []learnedSyscall `json:"syscalls"`
}

type learnedSyscall struct {
	Names  []string `json:"names"`
	Action string   `json:"action"`
}

// scmpArch names the arches as a profile's architectures does.
var scmpArch = map[seccomp.Arch]string{
	seccomp.ArchX86_64:  "SCMP_ARCH_X86_64",
	seccomp.ArchAArch64: "SCMP_ARCH_AARCH64",
	seccomp.ArchRISCV64: "SCMP_ARCH_RISCV64",
}

// learn runs the command under a filter that notifies every system call of
// every ABI, answers each with continue, and writes a profile that allows
// exactly the calls it saw. Its exit status is the command's; the profile
// is written either way.
func learn(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("learn")
	out := fs.String("o", "", "write the profile to `FILE`")
	argv, err := parse(fs, args, true)
	if err != nil {
		return err
	}
	if *out == "" {
		return badInputf("learn: -o: missing (seccompc learn -o PROFILE -- COMMAND [ARGS...])")
	}
	if len(argv) == 0 {
		return badInputf("learn: no command (seccompc learn -o PROFILE -- COMMAND [ARGS...])")
	}
	native, err := seccomp.NativeArch()
	if err != nil {
		return badInput{err}
	}
	name, ok := scmpArch[native]
	if !ok {
		return badInputf("learn: no profile name for %s", native)
	}
	// Notify for every call, and for every call of another ABI (i386 and
	// x32 on x86_64), which BadArch decides.
	pol := seccomp.Policy{Arch: native, Default: seccomp.Notify, BadArch: seccomp.Notify}
	prog, err := pol.Compile()
	if err != nil {
		return err
	}
	cmd, err := command(prog, argv, stdout, stderr)
	if err != nil {
		return err
	}
	rec := &recorder{arch: native, names: make(map[string]bool), other: make(map[string]int)}
	served := make(chan struct{})
	var listener *seccomp.Listener
	cmd.Supervise = func(l *seccomp.Listener) {
		listener = l
		go func() {
			defer close(served)
			rec.serve(l)
		}()
	}
	runErr := runCommand(cmd)
	if _, exited := errors.AsType[commandExit](runErr); runErr != nil && !exited {
		if listener != nil {
			listener.Close()
		}
		return runErr // the command did not start
	}
	// Serve what the command left running for a while; then closing the
	// listener fails their notified calls with ENOSYS.
	select {
	case <-served:
	case <-time.After(learnGrace):
		fmt.Fprintf(stderr, "seccompc: note: processes the command started still ran %v after it exited; their later calls are not recorded and fail with ENOSYS\n", learnGrace)
	}
	listener.Close()
	<-served
	if rec.err != nil {
		return rec.err
	}

	names := rec.sorted()
	prof := learnedProfile{
		DefaultAction: "SCMP_ACT_ERRNO",
		Architectures: []string{name},
		Syscalls:      []learnedSyscall{{Names: names, Action: "SCMP_ACT_ALLOW"}},
	}
	b, err := json.MarshalIndent(prof, "", "\t")
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, append(b, '\n'), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "seccompc: learn: %d system calls (%d notifications) written to %s\n", len(names), rec.calls, *out)
	for _, label := range slices.Sorted(maps.Keys(rec.other)) {
		fmt.Fprintf(stderr, "seccompc: note: %d calls %s, not in the profile: under it they get the bad-arch action\n", rec.other[label], label)
	}
	if runErr != nil {
		fmt.Fprintf(stderr, "seccompc: note: %v; the profile has what it called until then\n", runErr)
	}
	return runErr
}

// recorder records the calls a listener receives and continues them.
type recorder struct {
	arch  seccomp.Arch
	mu    sync.Mutex
	names map[string]bool
	other map[string]int // calls it cannot name, by what they are
	calls int
	err   error
}

func (r *recorder) serve(l *seccomp.Listener) {
	for {
		n, err := l.Receive(context.Background())
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, os.ErrClosed) {
				r.err = err
			}
			return
		}
		r.record(n)
		if err := l.Continue(n.ID); err != nil && !errors.Is(err, seccomp.ErrNotificationGone) {
			r.err = err
			return
		}
	}
}

func (r *recorder) record(n seccomp.Notification) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	const x32Bit = 0x40000000
	switch {
	case n.Arch != r.arch:
		r.other[fmt.Sprintf("of %s", n.Arch)]++
	case r.arch == seccomp.ArchX86_64 && n.Nr&x32Bit != 0 && n.Nr != -1:
		r.other["of the x32 ABI"]++
	default:
		if name, ok := r.arch.SyscallName(n.Nr); ok {
			r.names[name] = true
		} else {
			r.other[fmt.Sprintf("to number %d, which %s's table lacks", n.Nr, r.arch)]++
		}
	}
}

func (r *recorder) sorted() []string { return slices.Sorted(maps.Keys(r.names)) }
