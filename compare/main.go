// Command compare compiles the same seccomp policies with this library and
// with the compilers it means to beat — libseccomp (through
// libseccomp-golang, as runc uses it) and gVisor's pkg/seccomp — checks that
// every program decides like ours, and prints a markdown table of program
// size, instructions executed per syscall, kernel-cache coverage and compile
// time.
//
// Run it from this directory: go run . (or ./run.sh, which installs
// libseccomp first).
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/sandboxkit/seccomp"
)

// compiler is one contender.
type compiler struct {
	name    string
	compile func(*seccomp.Policy) (seccomp.Program, error)
	// cNote marks a compiler whose work is done in C: Go allocations do
	// not count it.
	cNote bool
}

type row struct {
	policy, compiler string
	err              error
	size             int
	exec             [numClasses][]int
	cached, allowed  int
	timing           timing
	v                verdicts
}

const (
	allowed = iota
	argChecked
	denied
	numClasses
)

func main() {
	runs := flag.Int("n", 200, "compile runs per (policy, compiler); the median is reported")
	budget := flag.Duration("budget", 5*time.Second, "stop timing a (policy, compiler) after this long, if it has run at least 10 times")
	flag.Parse()
	if err := mainErr(*runs, *budget); err != nil {
		fmt.Fprintln(os.Stderr, "compare:", err)
		os.Exit(1)
	}
}

func mainErr(runs int, budget time.Duration) error {
	pols, err := policies()
	if err != nil {
		return err
	}
	compilers := []compiler{oursCompiler(seccomp.LayoutTree), oursCompiler(seccomp.LayoutBitmap), libseccompCompiler(0)}
	if libseccompHasOptimize() {
		compilers = append(compilers, libseccompCompiler(2))
	} else {
		fmt.Fprintf(os.Stderr, "libseccomp %s has no binary-tree optimization (SetOptimize(2)): row left out\n", libseccompVersion())
	}
	compilers = append(compilers, gvisorCompiler())

	var rows []row
	var void bool
	for _, pol := range pols {
		ref, err := pol.pol.CompileLayout(seccomp.LayoutTree)
		if err != nil {
			return fmt.Errorf("%s: %w", pol.name, err)
		}
		class, err := classify(ref)
		if err != nil {
			return err
		}
		for _, c := range compilers {
			if pol.oursOnly && !strings.HasPrefix(c.name, "ours") {
				continue
			}
			r := row{policy: pol.name, compiler: c.name}
			prog, err := c.compile(pol.pol)
			if err != nil {
				r.err = err
				rows = append(rows, r)
				continue
			}
			r.size = len(prog.Instructions)
			if err := measure(&r, prog, class); err != nil {
				return fmt.Errorf("%s/%s: %w", pol.name, c.name, err)
			}
			if r.v, err = verify(pol.pol, ref, prog); err != nil {
				return fmt.Errorf("%s/%s: verify: %w", pol.name, c.name, err)
			}
			if len(r.v.inScope) > 0 {
				void = true
			}
			r.timing = timeCompile(c, pol.pol, runs, budget)
			rows = append(rows, r)
		}
	}
	printReport(rows, compilers)
	multiVoid, err := printMultiABI(runs, budget) // multiabi.go: libseccomp's AddArch filter vs ours, per ABI
	if err != nil {
		return err
	}
	void = void || multiVoid
	printEndToEnd(runs, budget) // endtoend.go: JSON to program, ours and runc's path
	printRuncSummary()          // runc.go: the filter runc really loads vs our import
	if void {
		return fmt.Errorf("some programs decide differently from ours on syscalls 0..600: their rows compare nothing")
	}
	return nil
}

// classify sorts the syscalls of the arch's table by what the policy does
// with them, as seccompc stats does: allowed whatever the args,
// argument-checked (more than one possible action), denied (one other
// action).
func classify(ref seccomp.Program) (map[uint32]int, error) {
	class := map[uint32]int{}
	for nr := uint32(0); nr < 4096; nr++ {
		if _, ok := ref.Arch.SyscallName(int(nr)); !ok {
			continue
		}
		an, err := ref.Analyze(nr)
		if err != nil {
			return nil, err
		}
		switch {
		case len(an.Actions) > 1:
			class[nr] = argChecked
		case an.Actions[0] == seccomp.Allow:
			class[nr] = allowed
		default:
			class[nr] = denied
		}
	}
	return class, nil
}

func measure(r *row, prog seccomp.Program, class map[uint32]int) error {
	for nr, c := range class {
		an, err := prog.Analyze(nr)
		if err != nil {
			return fmt.Errorf("analyze %d: %w", nr, err)
		}
		r.exec[c] = append(r.exec[c], an.MaxExecuted)
		if c == allowed {
			r.allowed++
			if an.Cached {
				r.cached++
			}
		}
	}
	return nil
}

type timing struct {
	runs          int
	median        time.Duration
	allocs, bytes uint64 // per run
}

// timeCompile times a compiler on p with timeRuns, after one warm-up run.
func timeCompile(c compiler, p *seccomp.Policy, runs int, budget time.Duration) timing {
	if _, err := c.compile(p); err != nil { // warm up
		return timing{}
	}
	return timeRuns(func() (int, error) {
		prog, err := c.compile(p)
		return len(prog.Instructions), err
	}, runs, budget)
}

func medMax(ex []int) string {
	if len(ex) == 0 {
		return "–"
	}
	ex = slices.Clone(ex)
	slices.Sort(ex)
	return fmt.Sprintf("%d / %d", ex[(len(ex)-1)/2], ex[len(ex)-1])
}

func moduleVersion(path string) string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "?"
	}
	for _, m := range bi.Deps {
		if m.Path == path {
			if m.Replace != nil {
				return m.Replace.Path
			}
			return m.Version
		}
	}
	return "?"
}

func printReport(rows []row, compilers []compiler) {
	cNote := map[string]bool{}
	for _, c := range compilers {
		cNote[c.name] = c.cNote
	}
	fmt.Println("| policy | compiler | insns | allowed: executed med / max | arg-checked: med / max | denied: med / max | allows cached | compile (median) | allocs/op | B/op | same verdicts |")
	fmt.Println("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
	for _, r := range rows {
		if r.err != nil {
			fmt.Printf("| %s | %s | not compiled: %v | | | | | | | | |\n", r.policy, r.compiler, r.err)
			continue
		}
		same := fmt.Sprintf("yes (%d inputs)", r.v.checked)
		if len(r.v.inScope) > 0 {
			same = "**NO — see below**"
		}
		allocs, bytes := fmt.Sprint(r.timing.allocs), fmt.Sprint(r.timing.bytes)
		if cNote[r.compiler] {
			allocs, bytes = allocs+" (Go side)", bytes+" (Go side)"
		}
		fmt.Printf("| %s | %s | %d | %s | %s | %s | %d / %d | %s | %s | %s | %s |\n",
			r.policy, r.compiler, r.size, medMax(r.exec[allowed]), medMax(r.exec[argChecked]), medMax(r.exec[denied]),
			r.cached, r.allowed, fmtDur(r.timing.median), allocs, bytes, same)
	}
	fmt.Println()
	var cls [numClasses]int
	for _, r := range rows {
		if r.err == nil && r.policy == "docker" {
			for c := range cls {
				cls[c] = len(r.exec[c])
			}
			break
		}
	}
	fmt.Printf("Executed = instructions run in the worst case over the args (`Analyze(nr).MaxExecuted`), median / max over the x86_64 syscall table; for docker %d allowed, %d argument-checked, %d denied syscalls. Cached = unconditional allows the kernel (5.11+) proves always-allowed and skips the filter for. Compile time: median of up to %d runs, translation from our `*seccomp.Policy` included for libseccomp and gVisor (libseccomp: new filter, rules, `seccomp_export_bpf` into a memfd). `docker` is Docker's default profile, x86_64, no capabilities, with `NoENOSYS` so that all compilers compile the same meaning; `docker+ENOSYS` is what runc really loads (its patchbpf stub, which only we compile). `denylist` allows everything but socket(AF_INET|AF_INET6) (32-bit compare on arg0), connect, bind, ptrace, mount, bpf (EPERM).\n\n", cls[allowed], cls[argChecked], cls[denied], rowsMaxRuns(rows))
	fmt.Printf("Versions: %s %s/%s; libseccomp %s (libseccomp-golang %s); gVisor %s.\n\n",
		runtime.Version(), runtime.GOOS, runtime.GOARCH, libseccompVersion(),
		moduleVersion("github.com/seccomp/libseccomp-golang"), moduleVersion("gvisor.dev/gvisor"))
	for _, r := range rows {
		if r.err != nil {
			continue
		}
		if len(r.v.inScope) > 0 {
			fmt.Printf("**DISAGREEMENT %s / %s** (syscalls 0..600) — this row compares programs that decide differently:\n", r.policy, r.compiler)
			for _, s := range r.v.inScope {
				fmt.Printf("  - %s\n", s)
			}
		}
		if r.v.nOutside > 0 {
			fmt.Printf("Outside 0..600, %s / %s differs from ours on %d probed inputs, e.g.:\n", r.policy, r.compiler, r.v.nOutside)
			for _, s := range r.v.outside {
				fmt.Printf("  - %s\n", s)
			}
		}
	}
}

func rowsMaxRuns(rows []row) int {
	m := 0
	for _, r := range rows {
		m = max(m, r.timing.runs)
	}
	return m
}

func fmtDur(d time.Duration) string {
	switch {
	case d >= time.Millisecond:
		return fmt.Sprintf("%.2f ms", float64(d)/1e6)
	default:
		return fmt.Sprintf("%.1f µs", float64(d)/1e3)
	}
}
