package seccomp

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"syscall"
	"testing"
	"time"

	"golang.org/x/net/bpf"
)

// NamedPolicy is one policy of GoldenCorpus.
type NamedPolicy struct {
	Name   string
	Policy *Policy
}

// GoldenCorpus returns the core's own policies, which the external
// emission golden test (emit_golden_test.go) compiles beside the imported
// profiles: the equivalence tests' policies on every arch, the multi-ABI
// tests' on every set, and seeded random policies of FuzzCompile's and
// FuzzCompileX32's decoders. Every call returns the same policies.
func GoldenCorpus() []NamedPolicy {
	var out []NamedPolicy
	add := func(name string, p *Policy) { out = append(out, NamedPolicy{name, p}) }
	single := []struct {
		name string
		make func(Arch) *Policy
	}{
		{"zero", func(a Arch) *Policy { return &Policy{Arch: a} }},
		{"docker-like", dockerLikePolicy},
		{"docker-like-enosys", func(a Arch) *Policy {
			p := dockerLikePolicy(a)
			p.UnknownENOSYS = true
			return p
		}},
		{"denylist", denylistPolicy},
		{"every-op", opsPolicy},
		{"equality-runs", equalityRunsPolicy},
		{"range-runs", rangeRunsPolicy},
	}
	for _, a := range Arches() {
		for _, s := range single {
			add(s.name+"/"+a.String(), s.make(a))
		}
	}
	for _, set := range abiSets {
		add("multi-docker-like/"+setName(set), multiDockerLike(set))
		add("multi-numbered/"+setName(set), multiNumbered(set))
	}
	// Seeded, so that the corpus is the same on every run; lengths up to
	// 300 bytes give the decoders room for their most entries.
	rng := rand.New(rand.NewPCG(0x5ecc0, 0x901d))
	bytes := func() []byte {
		b := make([]byte, rng.IntN(300))
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return b
	}
	for i := range 600 {
		add(fmt.Sprintf("fuzz/%d", i), decodePolicy(bytes()))
	}
	for i := range 600 {
		add(fmt.Sprintf("fuzz-x32/%d", i), decodeX32Policy(bytes()))
	}
	return out
}

// TimeEmission times what a compile of p does after its plans are
// made (checkFloor, emit, assemble), the plans made once, for the
// external benchmarks of the emission (emit_bench_test.go). It fails if
// the program is not Compile's.
func TimeEmission(b *testing.B, p *Policy, layout Layout) {
	want, err := p.CompileLayout(layout)
	if err != nil {
		b.Fatal(err)
	}
	w := new(workspace)
	pls, _, err := p.plansIn(w)
	if err != nil {
		b.Fatal(err)
	}
	var insns []bpf.RawInstruction
	b.ReportAllocs()
	// The thread's CPU time, beside the wall time: on a machine shared
	// with other work it leaves out the time the benchmark waits for a
	// core.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var before, after syscall.Rusage
	if err := syscall.Getrusage(rusageThread, &before); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := checkFloor(&w.b, pls, layout); err != nil {
			b.Fatal(err)
		}
		w.b.reset(128 * len(pls))
		emit(&w.b, pls, layout)
		if insns, err = w.b.assemble(); err != nil {
			b.Fatal(err)
		}
	}
	if err := syscall.Getrusage(rusageThread, &after); err != nil {
		b.Fatal(err)
	}
	cpu := time.Duration(after.Utime.Nano()+after.Stime.Nano()-before.Utime.Nano()-before.Stime.Nano()) * time.Nanosecond
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
	if !slices.Equal(insns, want.Instructions) {
		b.Fatal("the emission made another program than Compile")
	}
	b.ReportMetric(float64(len(insns)), "insns")
}

// rusageThread is Linux's RUSAGE_THREAD: the calling thread's usage.
const rusageThread = 1

// DerivedX32 plans p, and reports whether x32's plan was derived from
// x86_64's (deriveX32), and if so how it differs from x32's planned on its
// own ("" for not at all).
func DerivedX32(p *Policy) (derived bool, diff string, err error) {
	w := new(workspace)
	pls, _, err := p.plansIn(w)
	if err != nil || !w.rec.derived {
		return false, "", err
	}
	at := slices.Index(w.set, ArchX32)
	got := pls[at]
	var want plan
	if err := p.planABI(new(workspace), &want, w.set[0], ArchX32, w.applies[at]); err != nil {
		return true, "", err
	}
	switch {
	case !slices.Equal(got.calls, want.calls):
		return true, fmt.Sprintf("calls %v, planned %v", got.calls, want.calls), nil
	case len(got.chains) != len(want.chains):
		return true, fmt.Sprintf("%d chains, planned %d", len(got.chains), len(want.chains)), nil
	case got.enosysAbove != want.enosysAbove || got.ceiling != want.ceiling || got.runs != want.runs || got.tableBase != want.tableBase:
		return true, fmt.Sprintf("enosys %d ceiling %d runs %d base %#x, planned %d %d %d %#x", got.enosysAbove, got.ceiling, got.runs, got.tableBase, want.enosysAbove, want.ceiling, want.runs, want.tableBase), nil
	}
	for i := range got.chains {
		if !rulesEqual(got.chains[i], want.chains[i]) {
			return true, fmt.Sprintf("chain %d: %v, planned %v", i, got.chains[i], want.chains[i]), nil
		}
	}
	return true, "", nil
}
