package main

// End to end: what a container runtime waits for, from the profile's JSON
// bytes to a program, on our path and on runc's, in the same run.

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	mobyseccomp "github.com/moby/profiles/seccomp"
	"github.com/opencontainers/runc/libcontainer/configs"
	"github.com/opencontainers/runc/libcontainer/specconv"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	libseccomp "github.com/seccomp/libseccomp-golang"
	"golang.org/x/sys/unix"

	"github.com/sandboxkit/seccomp"
	"github.com/sandboxkit/seccomp/profile"
)

// e2eRow is one timed path.
type e2eRow struct {
	path, abis string
	insns      int
	timing     timing
	err        error
}

// printEndToEnd times Docker's default profile, as JSON, to a program:
// ours (profile.Import, then Compile) and runc's (moby decodes and
// resolves the profile for the host, runc's specconv converts it, and
// libseccomp builds and exports the filter as runc's InitSeccomp does),
// for x86_64 alone and for the ABIs of the profile's archMap; then the
// same without the decoding, from a policy or runc's config ready.
func printEndToEnd(runs int, budget time.Duration) {
	data, err := json.Marshal(profile.DockerDefault())
	if err != nil {
		fmt.Printf("end to end: encoding Docker's profile: %v\n", err)
		return
	}
	const single, archMap = "x86_64", "x86_64, x86, x32"
	// The ABIs runc's filter serves: x86_64 alone, or those the archMap
	// gives the host (nil keeps them).
	runcArches := map[string][]string{single: {"SCMP_ARCH_X86_64"}, archMap: nil}

	var rows []e2eRow
	add := func(path, abis string, f func() (int, error)) {
		r := e2eRow{path: path, abis: abis}
		if r.insns, r.err = f(); r.err == nil {
			r.timing = timeRuns(f, runs, budget)
		}
		rows = append(rows, r)
	}
	// Ours for x86_64 alone reads the profile with x86_64's archMap entry
	// cut to x86_64, as runc's row for it replaces the ABIs; both made
	// outside the timing.
	alone := *profile.DockerDefault()
	alone.ArchMap = nil
	for _, am := range profile.DockerDefault().ArchMap {
		if am.Arch == "SCMP_ARCH_X86_64" {
			am.SubArches = nil
		}
		alone.ArchMap = append(alone.ArchMap, am)
	}
	dataAlone, err := json.Marshal(&alone)
	if err != nil {
		fmt.Printf("end to end: encoding Docker's profile for x86_64 alone: %v\n", err)
		return
	}
	opts := profile.Options{Arch: seccomp.ArchX86_64}
	ourData := map[string][]byte{single: dataAlone, archMap: data}
	for _, abis := range []string{single, archMap} {
		add("ours: profile.Import + Compile", abis, func() (int, error) {
			pol, _, err := profile.Import(ourData[abis], opts)
			if err != nil {
				return 0, err
			}
			if got := abiList(pol); got != abis {
				return 0, fmt.Errorf("the policy serves %s, want %s", got, abis)
			}
			prog, err := pol.Compile()
			return len(prog.Instructions), err
		})
	}
	for _, abis := range []string{single, archMap} {
		add("runc: decode + libseccomp build + export", abis, func() (int, error) {
			cfg, err := runcDecode(data, runcArches[abis])
			if err != nil {
				return 0, err
			}
			return runcFilter(cfg)
		})
	}

	// Compile only: the profile decoded once, outside the timing.
	for _, abis := range []string{single, archMap} {
		pol, _, err := profile.Import(ourData[abis], opts)
		if err != nil {
			rows = append(rows, e2eRow{path: "ours: Compile", abis: abis, err: err})
			continue
		}
		add("ours: Compile", abis, func() (int, error) {
			prog, err := pol.Compile()
			return len(prog.Instructions), err
		})
	}
	for _, abis := range []string{single, archMap} {
		cfg, err := runcDecode(data, runcArches[abis])
		if err != nil {
			rows = append(rows, e2eRow{path: "runc: libseccomp build + export", abis: abis, err: err})
			continue
		}
		add("runc: libseccomp build + export", abis, func() (int, error) { return runcFilter(cfg) })
	}

	fmt.Println("End to end: Docker's default profile as JSON bytes to a program (`cd compare && ./run.sh`).")
	fmt.Println()
	fmt.Println("| path | ABIs | insns | time (median) | allocs/op | B/op | runc's path / ours |")
	fmt.Println("|---|---|---:|---:|---:|---:|---:|")
	// ours holds our medians by kind (end to end or not) and ABIs.
	type kind struct {
		endToEnd bool
		abis     string
	}
	ours := map[kind]time.Duration{}
	for _, r := range rows {
		if r.err == nil && strings.HasPrefix(r.path, "ours") {
			ours[kind{strings.Contains(r.path, "Import"), r.abis}] = r.timing.median
		}
	}
	for _, r := range rows {
		if r.err != nil {
			fmt.Printf("| %s | %s | – | %v | | | |\n", r.path, r.abis, r.err)
			continue
		}
		ratio := ""
		if base := ours[kind{strings.Contains(r.path, "decode"), r.abis}]; strings.HasPrefix(r.path, "runc") && base > 0 {
			ratio = fmt.Sprintf("%.0f×", float64(r.timing.median)/float64(base))
		}
		allocs, bytes := fmt.Sprint(r.timing.allocs), fmt.Sprint(r.timing.bytes)
		if strings.HasPrefix(r.path, "runc") {
			allocs, bytes = allocs+" (Go side)", bytes+" (Go side)"
		}
		fmt.Printf("| %s | %s | %d | %s | %s | %s | %s |\n", r.path, r.abis, r.insns, fmtDur(r.timing.median), allocs, bytes, ratio)
	}
	fmt.Println()
	fmt.Printf("Median of up to %d runs each. Ours serves the row's ABIs in one program (for x86_64 alone, from the profile with x86_64's archMap entry cut to it) and includes runc's ENOSYS stub per ABI; runc's is timed up to `seccomp_export_bpf` (into a memfd), without the stub patchbpf adds before loading. runc's decode is moby's `LoadProfile` (Docker's format resolved for the host, as dockerd does) and runc's `specconv.SetupSeccomp`; its build makes the calls `libcontainer/seccomp.InitSeccomp` makes (NewFilter, AddArch per ABI, SetOptimize(2) past 32 syscalls, SetNoNewPrivsBit(false), a rule per syscall name). The ratio column compares a runc row with ours of the same kind (end to end, or compile only) for the same ABIs.\n\n", rowsMaxRuns(e2eTimings(rows)))
}

// abiList names the ABIs a policy serves, as the rows do.
func abiList(p *seccomp.Policy) string {
	names := []string{p.Arch.String()}
	for _, a := range p.Compat {
		names = append(names, a.String())
	}
	return strings.Join(names, ", ")
}

// e2eTimings lets rowsMaxRuns count the end-to-end rows' runs.
func e2eTimings(rows []e2eRow) []row {
	out := make([]row, len(rows))
	for i, r := range rows {
		out[i].timing = r.timing
	}
	return out
}

// timeRuns times f: the median of up to runs calls, stopping after budget
// once it has 10, with allocations per call.
func timeRuns(f func() (int, error), runs int, budget time.Duration) timing {
	ds := make([]time.Duration, 0, runs)
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	start := time.Now()
	for len(ds) < runs {
		t := time.Now()
		f()
		ds = append(ds, time.Since(t))
		if len(ds) >= 10 && time.Since(start) > budget {
			break
		}
	}
	runtime.ReadMemStats(&m1)
	slices.Sort(ds)
	n := uint64(len(ds))
	return timing{runs: len(ds), median: ds[(len(ds)-1)/2], allocs: (m1.Mallocs - m0.Mallocs) / n, bytes: (m1.TotalAlloc - m0.TotalAlloc) / n}
}

// runcDecode does what dockerd and runc do with a profile's JSON before
// libseccomp sees it: moby's LoadProfile decodes it and resolves it for
// the host (no capabilities), runc's specconv converts the result. arches,
// if not nil, replaces the ABIs the archMap gave.
func runcDecode(data []byte, arches []string) (*configs.Seccomp, error) {
	oci, err := mobyseccomp.LoadProfile(string(data), &specs.Spec{Process: &specs.Process{Capabilities: &specs.LinuxCapabilities{}}})
	if err != nil {
		return nil, err
	}
	if arches != nil {
		oci.Architectures = nil
		for _, a := range arches {
			oci.Architectures = append(oci.Architectures, specs.Arch(a))
		}
	}
	return specconv.SetupSeccomp(oci)
}

// e2eBuf is the memfd runcFilter exports into, made once.
var e2eBuf *os.File

// runcFilter builds cfg's filter with libseccomp-golang, making the calls
// runc's libcontainer/seccomp.InitSeccomp makes (runc v1.5.2,
// libcontainer/seccomp/seccomp_linux.go: InitSeccomp, matchCall), but
// exports the filter instead of loading it. It returns the program's
// length.
func runcFilter(cfg *configs.Seccomp) (int, error) {
	def, err := runcAction(cfg.DefaultAction, cfg.DefaultErrnoRet)
	if err != nil {
		return 0, err
	}
	f, err := libseccomp.NewFilter(def)
	if err != nil {
		return 0, err
	}
	defer f.Release()
	for _, a := range cfg.Architectures {
		arch, err := libseccomp.GetArchFromString(a)
		if err != nil {
			return 0, err
		}
		if err := f.AddArch(arch); err != nil {
			return 0, err
		}
	}
	if len(cfg.Syscalls) > 32 {
		f.SetOptimize(2) // as runc: only logged if unavailable
	}
	if err := f.SetNoNewPrivsBit(false); err != nil {
		return 0, err
	}
	for _, call := range cfg.Syscalls {
		act, err := runcAction(call.Action, call.ErrnoRet)
		if err != nil {
			return 0, err
		}
		if act == def {
			continue
		}
		nr, err := libseccomp.GetSyscallFromName(call.Name)
		if err != nil {
			continue // runc ignores a name libseccomp does not know
		}
		if len(call.Args) == 0 {
			if err := f.AddRule(nr, act); err != nil {
				return 0, err
			}
			continue
		}
		conds := make([]libseccomp.ScmpCondition, 0, len(call.Args))
		perIndex := make([]int, 6)
		split := false
		for _, a := range call.Args {
			op, err := runcOp(a.Op)
			if err != nil {
				return 0, err
			}
			c, err := libseccomp.MakeCondition(a.Index, op, a.Value, a.ValueTwo)
			if err != nil {
				return 0, err
			}
			conds = append(conds, c)
			if a.Index < 6 {
				perIndex[a.Index]++
				split = split || perIndex[a.Index] > 1
			}
		}
		if !split {
			if err := f.AddRuleConditional(nr, act, conds); err != nil {
				return 0, err
			}
			continue
		}
		// Two args on one index: runc makes each a rule of its own.
		for _, c := range conds {
			if err := f.AddRuleConditional(nr, act, []libseccomp.ScmpCondition{c}); err != nil {
				return 0, err
			}
		}
	}
	if e2eBuf == nil {
		fd, err := unix.MemfdCreate("bpf", unix.MFD_CLOEXEC)
		if err != nil {
			return 0, err
		}
		e2eBuf = os.NewFile(uintptr(fd), "memfd:bpf")
	}
	if err := e2eBuf.Truncate(0); err != nil {
		return 0, err
	}
	if _, err := e2eBuf.Seek(0, io.SeekStart); err != nil {
		return 0, err
	}
	if err := f.ExportBPF(e2eBuf); err != nil {
		return 0, err
	}
	if _, err := e2eBuf.Seek(0, io.SeekStart); err != nil {
		return 0, err
	}
	raw, err := io.ReadAll(e2eBuf)
	return len(raw) / 8, err
}

// runcAction maps runc's action as runc's getAction does: EPERM where an
// errno action has no errnoRet.
func runcAction(a configs.Action, errnoRet *uint) (libseccomp.ScmpAction, error) {
	ret := int16(unix.EPERM)
	if errnoRet != nil {
		ret = int16(*errnoRet)
	}
	switch a {
	case configs.Kill, configs.KillThread:
		return libseccomp.ActKillThread, nil
	case configs.KillProcess:
		return libseccomp.ActKillProcess, nil
	case configs.Errno:
		return libseccomp.ActErrno.SetReturnCode(ret), nil
	case configs.Trace:
		return libseccomp.ActTrace.SetReturnCode(ret), nil
	case configs.Trap:
		return libseccomp.ActTrap, nil
	case configs.Allow:
		return libseccomp.ActAllow, nil
	case configs.Log:
		return libseccomp.ActLog, nil
	case configs.Notify:
		return libseccomp.ActNotify, nil
	}
	return libseccomp.ActInvalid, fmt.Errorf("runc action %d unknown", a)
}

func runcOp(op configs.Operator) (libseccomp.ScmpCompareOp, error) {
	switch op {
	case configs.EqualTo:
		return libseccomp.CompareEqual, nil
	case configs.NotEqualTo:
		return libseccomp.CompareNotEqual, nil
	case configs.GreaterThan:
		return libseccomp.CompareGreater, nil
	case configs.GreaterThanOrEqualTo:
		return libseccomp.CompareGreaterEqual, nil
	case configs.LessThan:
		return libseccomp.CompareLess, nil
	case configs.LessThanOrEqualTo:
		return libseccomp.CompareLessOrEqual, nil
	case configs.MaskEqualTo:
		return libseccomp.CompareMaskedEqual, nil
	}
	return libseccomp.CompareInvalid, fmt.Errorf("runc operator %d unknown", op)
}
