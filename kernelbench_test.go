//go:build linux

package seccomp

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// BenchmarkKernel measures what a filter costs a real system call: ns per
// call of three kinds of call under four configurations, each measured in a
// child process of its own (filters stack and never go), the configurations
// interleaved over several rounds, the median kept. It prints a markdown
// table and reports each figure as a sub-benchmark's ns/op.
//
//	go test -run '^$' -bench BenchmarkKernel
func BenchmarkKernel(b *testing.B) {
	requireKernel(b)
	native, err := NativeArch()
	require.NoError(b, err)

	progs := make(map[string]Program)
	for _, cfg := range benchConfigs {
		if prog, ok, err := benchProgram(native, cfg.name); err != nil {
			b.Fatal(err)
		} else if ok {
			progs[cfg.name] = prog
		}
	}

	samples := make(map[string][]float64) // by config/kind
	start := time.Now()
	for round := range benchRounds {
		// Rotate the order, so that no configuration always runs first.
		for i := range benchConfigs {
			cfg := benchConfigs[(i+round)%len(benchConfigs)]
			run := runLiveChild(b, "bench/"+cfg.name)
			run.requireExit(b)
			// The filter measured is the one loaded: one more filter than
			// the child started with, or none for "none" (whose figures
			// are the floor the others are read against).
			wantAdded := 1
			if _, ok := progs[cfg.name]; !ok {
				wantAdded = 0
			}
			if added := run.filtersAdded(b, run.event(b, "status", "loaded").Status); added != wantAdded {
				b.Fatalf("%s: the child loaded %d filters, want %d", cfg.name, added, wantAdded)
			}
			for _, k := range benchKinds {
				ev := run.event(b, "value", k.name)
				if want := k.wantErrno(cfg.name); syscall.Errno(ev.Errno) != want {
					b.Fatalf("%s under %s: errno %v, want %v", k.sys, cfg.name, syscall.Errno(ev.Errno), want)
				}
				ns, err := strconv.ParseFloat(ev.Text, 64)
				require.NoError(b, err)
				samples[cfg.name+"/"+k.name] = append(samples[cfg.name+"/"+k.name], ns)
			}
		}
	}
	median := make(map[string]float64)
	for key, s := range samples {
		median[key] = benchMedian(s)
	}
	fmt.Print(benchTable(native, progs, median, time.Since(start)))

	for _, cfg := range benchConfigs {
		for _, k := range benchKinds {
			b.Run(cfg.name+"/"+k.name, func(b *testing.B) {
				b.ReportMetric(median[cfg.name+"/"+k.name], "ns/op")
				prog, ok := progs[cfg.name]
				if !ok {
					return
				}
				executed, cached, err := benchPath(prog, k)
				require.NoError(b, err)
				b.ReportMetric(float64(len(prog.Instructions)), "insns")
				b.ReportMetric(float64(executed), "executed")
				cachedMetric := 0.0
				if cached {
					cachedMetric = 1
				}
				b.ReportMetric(cachedMetric, "cached")
			})
		}
	}
}

const (
	benchRounds  = 5       // children per configuration
	benchBatches = 5       // timed batches per kind in a child
	benchCalls   = 100_000 // calls per batch
)

// benchConfigs are the filters measured, in the order of the table.
var benchConfigs = []struct{ name, title string }{
	{"none", "no filter"},
	{"ret-allow", "`ret ALLOW`, 1 instruction"},
	{"tree", "Docker-sized allowlist, tree"},
	{"bitmap", "Docker-sized allowlist, bitmap"},
}

// benchKind is a kind of system call measured.
type benchKind struct {
	name, title string
	sys         string
	args        [6]uint64
}

var benchKinds = []benchKind{
	{"allowed", "getpid (allowed)", "getpid", [6]uint64{}},
	// Allowed by the last of its three rules. (personality, the call
	// Docker checks, costs some 400 ns by itself here, which would bury
	// the filter's share.)
	{"arg-checked", "getpriority(PRIO_PROCESS, 0) (arg-checked)", "getpriority", [6]uint64{unix.PRIO_PROCESS, 0}},
	// With no filter the kernel runs it: ESRCH, as no process 0 exists.
	{"denied", "ptrace (denied)", "ptrace", [6]uint64{livePtraceRequest}},
}

// wantErrno is what the call returns under the configuration.
func (k benchKind) wantErrno(config string) syscall.Errno {
	if k.name != "denied" {
		return 0
	}
	if config == "none" || config == "ret-allow" {
		return unix.ESRCH
	}
	return unix.EPERM
}

// benchDenied are the calls the Docker-sized policy refuses outright.
var benchDenied = []string{
	"ptrace", "kexec_load", "kexec_file_load", "reboot", "mount", "umount2",
	"pivot_root", "bpf", "perf_event_open", "acct", "swapon", "swapoff",
	"init_module", "finit_module", "delete_module", "add_key", "request_key",
	"keyctl", "userfaultfd", "process_vm_readv", "process_vm_writev",
	"open_by_handle_at", "syslog", "settimeofday", "clock_settime",
}

// benchCloneNamespaces are the clone flags that make namespaces, which Docker's
// profile refuses to clone and unshare.
const benchCloneNamespaces = 0x7E020000

// benchChecked are the calls the Docker-sized policy allows on some
// arguments only.
func benchChecked() []Syscall {
	allowIf := func(conds ...Cond) Rule { return Rule{Action: Allow, Conds: conds} }
	var personality []Rule
	for _, v := range []uint64{0, 8, 0x20000, 0x20008, 0xffffffff} {
		personality = append(personality, allowIf(Cond{Arg: 0, Op: OpEqual, Value: v}))
	}
	// Only the caller's own priority: who == 0.
	var getpriority []Rule
	for _, which := range []uint64{unix.PRIO_PGRP, unix.PRIO_USER, unix.PRIO_PROCESS} {
		getpriority = append(getpriority, allowIf(Cond{Arg: 0, Op: OpEqual, Value: which}, Cond{Arg: 1, Op: OpEqual, Value: 0}))
	}
	return []Syscall{
		{Name: "personality", Rules: personality},
		{Name: "getpriority", Rules: getpriority},
		{Name: "clone", Rules: []Rule{allowIf(Cond{Arg: 0, Op: OpMaskedEqual, Mask: benchCloneNamespaces, Value: 0})}},
		{Name: "unshare", Rules: []Rule{allowIf(Cond{Arg: 0, Op: OpMaskedEqual, Mask: benchCloneNamespaces, Value: 0})}},
		{Name: "setns", Rules: []Rule{allowIf(Cond{Arg: 1, Op: OpEqual, Value: unix.CLONE_NEWNET, Width: 32})}},
		{Name: "socket", Rules: []Rule{{Action: Errno(unix.EAFNOSUPPORT), Conds: []Cond{{Arg: 0, Op: OpEqual, Value: unix.AF_VSOCK, Width: 32}}}, {Action: Allow}}},
		{Name: "ioctl", Rules: []Rule{{Action: Errno(unix.EPERM), Conds: []Cond{{Arg: 1, Op: OpEqual, Value: unix.TIOCSTI, Width: 32}}}, {Action: Allow}}},
		{Name: "prctl", Rules: []Rule{{Action: Errno(unix.EPERM), Conds: []Cond{{Arg: 0, Op: OpEqual, Value: unix.PR_SET_MM, Width: 32}}}, {Action: Allow}}},
		{Name: "kcmp", Rules: []Rule{allowIf(Cond{Arg: 2, Op: OpEqual, Value: 0, Width: 32})}},
		{Name: "sched_setaffinity", Rules: []Rule{allowIf(Cond{Arg: 0, Op: OpEqual, Value: 0, Width: 32})}},
		{Name: "mprotect", Rules: []Rule{{Action: Errno(unix.EPERM), Conds: []Cond{{Arg: 2, Op: OpMaskedEqual, Mask: unix.PROT_WRITE | unix.PROT_EXEC, Value: unix.PROT_WRITE | unix.PROT_EXEC}}}, {Action: Allow}}},
	}
}

// benchDockerPolicy is an allowlist the size of Docker's default profile:
// every call in the arch's table but those denied, some of them on
// conditions, and clone3 failing with ENOSYS so that libc falls back.
func benchDockerPolicy(arch Arch) Policy {
	p := Policy{Arch: arch, Default: Errno(unix.EPERM)}
	skip := map[string]bool{"clone3": true}
	for _, name := range benchDenied {
		skip[name] = true
	}
	checked := benchChecked()
	for _, sc := range checked {
		skip[sc.Name] = true
	}
	for nr := range 1024 {
		if name, ok := arch.SyscallName(nr); ok && !skip[name] {
			p.Allow(name)
		}
	}
	p.Add("clone3", Rule{Action: Errno(unix.ENOSYS)})
	p.Syscalls = append(p.Syscalls, checked...)
	return p
}

// benchProgram returns the filter of a configuration; ok is false for none.
func benchProgram(arch Arch, config string) (prog Program, ok bool, err error) {
	switch config {
	case "none":
		return Program{}, false, nil
	case "ret-allow":
		return liveAllowAll(arch), true, nil
	case "tree", "bitmap":
		layout, err := ParseLayout(config)
		if err != nil {
			return Program{}, false, err
		}
		p := benchDockerPolicy(arch)
		prog, err := p.CompileLayout(layout)
		return prog, err == nil, err
	}
	return Program{}, false, fmt.Errorf("unknown configuration %q", config)
}

// runBenchChild is the child of BenchmarkKernel: it loads the
// configuration's filter and times each kind of call.
func runBenchChild(t *testing.T, rep liveReporter, config string) {
	native, err := NativeArch()
	require.NoError(t, err)
	prog, ok, err := benchProgram(native, config)
	require.NoError(t, err)
	if ok {
		require.NoError(t, prog.Install())
	}
	rep.reportStatus("loaded")
	for _, k := range benchKinds {
		nr, ok := native.SyscallNumber(k.sys)
		require.True(t, ok, k.sys)
		a := k.args
		call := func() unix.Errno {
			_, _, errno := unix.RawSyscall6(uintptr(nr), uintptr(a[0]), uintptr(a[1]), uintptr(a[2]), uintptr(a[3]), uintptr(a[4]), uintptr(a[5]))
			return errno
		}
		errno := call()
		for range benchCalls / 10 { // warm up
			call()
		}
		perCall := make([]float64, benchBatches)
		for i := range perCall {
			start := time.Now()
			for range benchCalls {
				call()
			}
			perCall[i] = float64(time.Since(start).Nanoseconds()) / benchCalls
		}
		rep.report(liveEvent{Kind: "value", Name: k.name, Errno: int(errno), Text: strconv.FormatFloat(benchMedian(perCall), 'f', 2, 64)})
	}
}

// benchPath returns how many instructions the program runs for the call,
// and whether the kernel skips it, as always allowed.
func benchPath(prog Program, k benchKind) (executed int, cached bool, err error) {
	nr, ok := prog.Arch.SyscallNumber(k.sys)
	if !ok {
		return 0, false, fmt.Errorf("no %s on %s", k.sys, prog.Arch)
	}
	_, executed, err = runCompiled(prog, Data{Nr: uint32(nr), Arch: prog.Arch, Args: k.args})
	return executed, prog.KernelCaches(uint32(nr)), err
}

func benchMedian(s []float64) float64 {
	s = slices.Sorted(slices.Values(s))
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// benchTable formats the medians as a markdown table, with each
// configuration's program size and the instructions each call runs.
func benchTable(arch Arch, progs map[string]Program, median map[string]float64, took time.Duration) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "\nseccomp filter cost, ns per system call (median of %d rounds, %s, %s):\n\n", benchRounds, arch, took.Round(time.Second))
	sb.WriteString("| configuration | insns |")
	for _, k := range benchKinds {
		fmt.Fprintf(&sb, " %s |", k.title)
	}
	sb.WriteString("\n|---|---:|")
	for range benchKinds {
		sb.WriteString("---:|")
	}
	sb.WriteString("\n")
	for _, cfg := range benchConfigs {
		prog, ok := progs[cfg.name]
		size := "—"
		if ok {
			size = strconv.Itoa(len(prog.Instructions))
		}
		fmt.Fprintf(&sb, "| %s | %s |", cfg.title, size)
		for _, k := range benchKinds {
			cell := fmt.Sprintf("%.1f", median[cfg.name+"/"+k.name])
			if ok {
				if executed, cached, err := benchPath(prog, k); err != nil {
					cell += " (" + err.Error() + ")"
				} else if cached {
					cell += " (cached)"
				} else {
					cell += fmt.Sprintf(" (%d insns)", executed)
				}
			}
			fmt.Fprintf(&sb, " %s |", cell)
		}
		sb.WriteString("\n")
	}
	floor := median["ret-allow/allowed"]
	sb.WriteString("\nIn parentheses: instructions the filter runs for the call, or (cached) when the kernel\nskips the filter as always allowed. Without a filter that denies it, ptrace runs: ESRCH.\n")
	fmt.Fprintf(&sb, "\nallowed call vs the 1-instruction filter: tree %+.1f%%, bitmap %+.1f%%\n",
		100*(median["tree/allowed"]/floor-1), 100*(median["bitmap/allowed"]/floor-1))
	return sb.String()
}
