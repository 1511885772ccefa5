//go:build linux

package seccomp_test

import (
	"runtime"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/sandboxkit/seccomp"
	"github.com/sandboxkit/seccomp/profile"
)

// evalCases are calls to Docker's default profile on x86_64, one of each
// kind of path: an unconditional allow, an allow after an argument check,
// and a denial by the default action after one.
var evalCases = []struct {
	name string
	d    seccomp.Data
	want seccomp.Action
}{
	{"allowed", seccomp.Data{Nr: unix.SYS_READ, Arch: seccomp.ArchX86_64}, seccomp.Allow},
	{"arg-checked", seccomp.Data{Nr: unix.SYS_SOCKET, Arch: seccomp.ArchX86_64, Args: [6]uint64{unix.AF_INET, unix.SOCK_STREAM}}, seccomp.Allow},
	{"denied", seccomp.Data{Nr: unix.SYS_SOCKET, Arch: seccomp.ArchX86_64, Args: [6]uint64{unix.AF_VSOCK, unix.SOCK_STREAM}}, seccomp.Errno(unix.EPERM)},
}

// dockerPrograms compiles Docker's default profile for x86_64 in each
// layout.
func dockerPrograms(tb testing.TB) map[string]seccomp.Program {
	tb.Helper()
	pol, _, err := profile.FromDocker(profile.DockerDefault(), profile.Options{Arch: seccomp.ArchX86_64})
	if err != nil {
		tb.Fatal(err)
	}
	progs := map[string]seccomp.Program{}
	for _, layout := range []seccomp.Layout{seccomp.LayoutTree, seccomp.LayoutBitmap} {
		prog, err := pol.CompileLayout(layout)
		if err != nil {
			tb.Fatal(err)
		}
		progs[layout.String()] = prog
	}
	return progs
}

// BenchmarkEval measures Program.Eval on Docker's compiled program: ns/op,
// cpu-ns/op (the benchmark thread's CPU time, which waiting for a shared CPU
// does not inflate), allocs/op (none), and insns/op, the instructions the
// call ran.
//
//	go test -run '^$' -bench BenchmarkEval -benchmem .
func BenchmarkEval(b *testing.B) {
	for layout, prog := range dockerPrograms(b) {
		for _, c := range evalCases {
			b.Run(layout+"/"+c.name, func(b *testing.B) {
				b.ReportAllocs()
				// The thread's CPU time as well as the wall time: on a
				// shared machine the wall time also counts waiting.
				runtime.LockOSThread()
				defer runtime.UnlockOSThread()
				cpu0 := threadCPU(b)
				var v seccomp.Verdict
				var err error
				for b.Loop() {
					v, err = prog.Eval(c.d)
				}
				b.ReportMetric(float64(threadCPU(b)-cpu0)/float64(b.N), "cpu-ns/op")
				if err != nil || v.Action() != c.want {
					b.Fatalf("%s: %v, %v; want %s", c.name, v, err, c.want)
				}
				b.ReportMetric(float64(v.Executed), "insns/op")
			})
		}
	}
}

// threadCPU returns the calling thread's CPU time so far, in nanoseconds.
func threadCPU(b *testing.B) int64 {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_THREAD, &ru); err != nil {
		b.Fatal(err)
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// TestEvalDoesNotAllocate holds Eval to its word: no allocation, on every
// kind of path through Docker's program.
func TestEvalDoesNotAllocate(t *testing.T) {
	for layout, prog := range dockerPrograms(t) {
		for _, c := range evalCases {
			var v seccomp.Verdict
			allocs := testing.AllocsPerRun(100, func() { v, _ = prog.Eval(c.d) })
			if allocs != 0 {
				t.Errorf("%s/%s: %v allocations a call", layout, c.name, allocs)
			}
			if v.Action() != c.want {
				t.Errorf("%s/%s: %s, want %s", layout, c.name, v, c.want)
			}
		}
	}
}
