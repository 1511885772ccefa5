package main

// libseccomp's multi-arch filter (NewFilter, AddArch) against ours: Docker's
// policy for a machine with the ABIs of its archMap (x86_64: x86_64, x86,
// x32; aarch64: aarch64, arm), built by both, each ABI verified on its own.

import (
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	libseccomp "github.com/seccomp/libseccomp-golang"

	"github.com/sandboxkit/seccomp"
	"github.com/sandboxkit/seccomp/profile"
)

// multiABISet is one table of the multi-ABI comparison: Docker's default
// profile for a machine, with the ABIs of its archMap.
type multiABISet struct {
	label string       // the table's policy column
	arch  seccomp.Arch // the machine's
	note  string       // what the table shows, printed under it
}

// multiABISets are the machines compared: x86_64, where the filter also
// runs here (runc.go), and aarch64, compiled on this host for another.
var multiABISets = []multiABISet{
	{
		label: "docker 3 ABIs",
		arch:  seccomp.ArchX86_64,
		note:  "`docker 3 ABIs` is Docker's default profile for x86_64 with its archMap's ABIs (x86_64, x86, x32), no capabilities, `NoENOSYS`; libseccomp builds it as one filter (`NewFilter`, `AddArch(x86)`, `AddArch(x32)`). Executed and cached per ABI over that ABI's table, classed by our program; each ABI verified on numbers 0..600 of its range.",
	},
	{
		label: "docker aarch64 2 ABIs",
		arch:  seccomp.ArchAArch64,
		note:  "`docker aarch64 2 ABIs` is Docker's default profile for aarch64 with its archMap's ABIs (aarch64, arm), no capabilities, `NoENOSYS`, compiled here for an aarch64 machine; libseccomp builds it as one filter of its aarch64 and arm arches (`AddArch`, and `RemoveArch` of its native arch, the host's x86_64), its rules resolved by name on each, exported with `seccomp_export_bpf`. Executed and cached per ABI over that ABI's table (arm's private calls at 0x0f0001 included), classed by our program; the cache is the kernel's for native aarch64 and compat arm (`SECCOMP_ARCH_COMPAT`), whose bitmap ends at `__NR_compat_syscalls`: arm's private breakpoint, cacheflush and set_tls, allowed, are never cached. Each ABI verified on numbers 0..600, and arm on 0x0f0000..0x0f0007 too, arm's args zero-extended 32-bit registers. No runc row: moby's `LoadProfile` resolves the profile for `runtime.GOARCH`, so runc's aarch64 filter is built only on an aarch64 host, as one filter (`NewFilter`, `AddArch(arm)`, `SetOptimize(2)`, a rule per name); built so here from our import, that filter exports the same program as the `optimize=2` row (`TestLibseccompOneFilterSameAsMerged`), to which runc adds its ENOSYS stub when loading.",
	},
}

// multiABIPolicy is Docker's default profile for arch with the ABIs of
// its archMap, no capabilities, NoENOSYS (libseccomp has no ENOSYS stub).
func multiABIPolicy(arch seccomp.Arch) (*seccomp.Policy, error) {
	p, _, err := profile.FromDocker(profile.DockerDefault(), profile.Options{Arch: arch, NoENOSYS: true})
	if err != nil {
		return nil, err
	}
	if len(p.Compat) == 0 {
		return nil, fmt.Errorf("the import serves only %s", p.Arch)
	}
	return p, nil
}

// policyABIs are p's ABIs, Arch first.
func policyABIs(p *seccomp.Policy) []seccomp.Arch {
	return append([]seccomp.Arch{p.Arch}, p.Compat...)
}

var scmpArchOf = map[seccomp.Arch]libseccomp.ScmpArch{
	seccomp.ArchX86_64:  libseccomp.ArchAMD64,
	seccomp.ArchX86:     libseccomp.ArchX86,
	seccomp.ArchX32:     libseccomp.ArchX32,
	seccomp.ArchAArch64: libseccomp.ArchARM64,
	seccomp.ArchARM:     libseccomp.ArchARM,
}

// scmpNative is libseccomp's native arch, the host's: a filter starts
// with it, and a rule's number is read as its number and translated by
// name to each arch of the filter (arch_syscall_translate, src/arch.c).
var scmpNative = sync.OnceValues(libseccomp.GetNativeArch)

// scmpNativeABI is our ABI of libseccomp's native arch, or 0.
func scmpNativeABI() seccomp.Arch {
	native, err := scmpNative()
	if err != nil {
		return 0
	}
	for abi, a := range scmpArchOf {
		if a == native {
			return abi
		}
	}
	return 0
}

// libseccompMultiCompiler compiles a policy of several ABIs with one
// libseccomp filter holding each ABI (AddArch). Its rules are added by
// name, resolved on the native arch as runc does (a pseudo-number for a
// name only another ABI has), so that libseccomp resolves each on every
// ABI itself; a name its table lacks is added by our number, on the
// native ABI alone (x86_64 here).
func libseccompMultiCompiler(optimize int) compiler {
	name := "libseccomp AddArch"
	if optimize == 2 {
		name += " optimize=2"
	}
	return exportingCompiler(name, optimize, libseccompMultiCompile)
}

func libseccompMultiCompile(p *seccomp.Policy, optimize int, buf *os.File) ([]byte, error) {
	// Each ABI is set explicitly: the host's arch does not matter.
	def, badArch, err := scmpActions(p)
	if err != nil {
		return nil, err
	}
	// One filter per ABI, its rules added by native (x86_64) number or
	// pseudo-number, which libseccomp translates by name to the ABI's;
	// then merged (seccomp_merge) into the first.
	var f *libseccomp.ScmpFilter
	defer func() {
		if f != nil {
			f.Release()
		}
	}()
	for _, abi := range policyABIs(p) {
		fa, err := libseccompABIFilter(p, abi, def, badArch, optimize)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", abi, err)
		}
		if f == nil {
			f = fa
			continue
		}
		if err := f.Merge(fa); err != nil {
			fa.Release()
			return nil, fmt.Errorf("merging %s: %w", abi, err)
		}
	}
	return exportBPF(f, buf)
}

// libseccompABIFilter is one ABI's filter: the entries for abi or for
// every ABI, added by name as runc adds them. The filter holds abi alone:
// libseccomp's native arch is replaced with it unless it is abi. A name
// libseccomp does not know is added by number on the native ABI and
// skipped elsewhere (its translation needs the name): scmpLacks tells
// verifyABI so.
func libseccompABIFilter(p *seccomp.Policy, abi seccomp.Arch, def, badArch libseccomp.ScmpAction, optimize int) (*libseccomp.ScmpFilter, error) {
	a, ok := scmpArchOf[abi]
	if !ok {
		return nil, fmt.Errorf("no libseccomp arch for %s", abi)
	}
	native, err := scmpNative()
	if err != nil {
		return nil, err
	}
	f, err := libseccomp.NewFilter(def)
	if err != nil {
		return nil, err
	}
	ok = false
	defer func() {
		if !ok {
			f.Release()
		}
	}()
	if a != native {
		if err := f.AddArch(a); err != nil {
			return nil, fmt.Errorf("AddArch: %w", err)
		}
		if err := f.RemoveArch(native); err != nil {
			return nil, fmt.Errorf("RemoveArch: %w", err)
		}
	}
	if err := f.SetBadArchAction(badArch); err != nil {
		return nil, err
	}
	if optimize != 0 {
		if err := f.SetOptimize(optimize); err != nil {
			return nil, err
		}
	}
	for _, sc := range abiPart(p, abi).Syscalls {
		if sc.Name == "" {
			return nil, fmt.Errorf("entry by number %d: not translated", sc.Nr)
		}
		if _, ok := abi.SyscallNumber(sc.Name); !ok {
			continue // the ABI lacks it: SkipMissing
		}
		nr, err := libseccomp.GetSyscallFromName(sc.Name)
		if err != nil {
			n, ok := abi.SyscallNumber(sc.Name)
			if !ok || abi != scmpNativeABI() {
				continue // scmpLacks
			}
			nr = libseccomp.ScmpSyscall(n)
		}
		for _, r := range sc.Rules {
			if r.Action == p.Default {
				continue // libseccomp refuses a rule with the default action
			}
			if err := addScmpRule(f, nr, r); err != nil {
				return nil, fmt.Errorf("syscall %s: %w", sc.Name, err)
			}
			if len(r.Conds) == 0 {
				break // the rules after it never match
			}
		}
	}
	ok = true
	return f, nil
}

// scmpLacks reports whether libseccomp's table lacks name on abi, so that
// libseccompABIFilter has no rule for it there.
func scmpLacks(name string, abi seccomp.Arch) bool {
	if _, err := libseccomp.GetSyscallFromName(name); err == nil {
		_, known := scmpNumber(name, runcABI{abi: abi, scmp: scmpArchOf[abi]})
		return !known
	}
	return abi != scmpNativeABI()
}

// abiVerdicts is verify's result for one ABI.
type abiVerdicts struct {
	abi        seccomp.Arch
	checked    int
	inScope    []string // disagreements: the comparison is void
	nInScope   int
	deliberate int    // x32 inputs that differ only by their high halves
	example    string // one of them
	// explained counts the other differences explain accounts for, by
	// its reason.
	explained map[string]int
}

// scmpExplain is verifyABI's explain for libseccomp's programs: a name its
// table lacks on the ABI (no rule there), and socketcall or ipc where ours
// fails closed for a conditional direct rule and libseccomp compares the
// pointer (multiplex.go; flatpak/flatpak#6773): deliberate. concrete is
// false for a difference in Analyze's action sets, where r1 and r2 are 0.
func scmpExplain(abi seccomp.Arch, nr uint32, concrete bool, r1, r2 uint32) string {
	name, _ := abi.SyscallName(int(nr))
	switch {
	case name != "" && scmpLacks(name, abi):
		return fmt.Sprintf("libseccomp %s's table lacks %s on %s: no rule", libseccompVersion(), name, abi)
	case (name == "socketcall" || name == "ipc") && (!concrete || r2 == seccomp.Allow.Ret() && r1 != r2):
		return name + ": ours fails closed for a conditional direct rule, libseccomp compares the pointer (deliberate)"
	}
	return ""
}

// verifyABI is verify for one ABI of a multi-ABI policy: every number of
// the ABI's range (0..600 above its base; on arm also its private calls,
// abiProbes), Analyze per ABI, and the concrete verdicts on generic args
// and args from the rules' constants. i386 and arm args are zero-extended
// 32-bit registers, as the kernel hands them (narrowArgs).
// On x32, libseccomp reads only the low halves of the args, though the
// kernel passes 64-bit registers: an input that differs only because of
// its high halves is counted as the deliberate difference, not voiding.
//
// explain, if not nil, accounts for a difference (see scmpExplain), which
// is then counted in explained rather than voiding.
func verifyABI(p *seccomp.Policy, abi seccomp.Arch, ref, got seccomp.Program,
	explain func(abi seccomp.Arch, nr uint32, concrete bool, r1, r2 uint32) string) (abiVerdicts, error) {
	v := abiVerdicts{abi: abi, explained: map[string]int{}}
	why := func(nr uint32, concrete bool, r1, r2 uint32) bool {
		if explain == nil {
			return false
		}
		w := explain(abi, nr, concrete, r1, r2)
		if w != "" {
			v.explained[w]++
		}
		return w != ""
	}
	if err := ref.Validate(); err != nil {
		return v, fmt.Errorf("reference: %w", err)
	}
	if err := got.Validate(); err != nil {
		return v, err
	}
	rules, _, err := syscallRules(knownPart(p, abi))
	if err != nil {
		return v, err
	}
	arch := abi
	if abi == seccomp.ArchX32 {
		arch = seccomp.ArchX86_64
	}
	add := func(format string, args ...any) {
		v.nInScope++
		if len(v.inScope) < maxListed {
			v.inScope = append(v.inScope, fmt.Sprintf(format, args...))
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	generic := genericArgs(rng)
	for _, nr := range abiProbes(abi) {
		a1, err := ref.AnalyzeArch(abi, nr)
		if err != nil {
			return v, err
		}
		a2, err := got.AnalyzeArch(abi, nr)
		if err != nil {
			return v, err
		}
		if !slices.Equal(a1.Actions, a2.Actions) && !why(nr, false, 0, 0) {
			add("%s nr %#x: ours can return %v, this %v", abi, nr, a1.Actions, a2.Actions)
		}
		vecs := append(slices.Clone(generic), argVectors(rules[int(nr)], rng)...)
		if name, _ := abi.SyscallName(int(nr)); name == "socketcall" || name == "ipc" {
			vecs = append(vecs, multiplexProbes()...)
		}
		for _, args := range vecs {
			if narrowArgs(abi) {
				for j := range args {
					args[j] &= 0xFFFFFFFF
				}
			}
			d := seccomp.Data{Nr: nr, Arch: arch, Args: args}
			r1, err := verdict(ref, d)
			if err != nil {
				return v, fmt.Errorf("reference: %w", err)
			}
			r2, err := verdict(got, d)
			if err != nil {
				return v, err
			}
			v.checked++
			if r1 == r2 {
				continue
			}
			if abi == seccomp.ArchX32 {
				low := d
				for j := range low.Args {
					low.Args[j] &= 0xFFFFFFFF
				}
				if r0, err := verdict(ref, low); err == nil && r0 == r2 {
					v.deliberate++
					if v.example == "" {
						v.example = fmt.Sprintf("nr %#x args %#x: ours %s, this %s", nr, trimArgs(args), retString(r1), retString(r2))
					}
					continue
				}
			}
			if !why(nr, true, r1, r2) {
				add("%s nr %#x args %#x: ours %s, this %s", abi, nr, trimArgs(args), retString(r1), retString(r2))
			}
		}
	}
	return v, nil
}

// abiProbes are the numbers verifyABI checks on abi: 0..600 above the
// ABI's base (x32's bit), and on arm its private calls, 0x0f0001..0x0f0006
// (arch/arm/kernel/traps.c, __ARM_NR_BASE), with a number either side.
func abiProbes(abi seccomp.Arch) []uint32 {
	base := uint32(0)
	if abi == seccomp.ArchX32 {
		base = x32Bit
	}
	var nrs []uint32
	for i := uint32(0); i <= 600; i++ {
		nrs = append(nrs, base+i)
	}
	if abi == seccomp.ArchARM {
		for nr := uint32(0x0f0000); nr <= 0x0f0007; nr++ {
			nrs = append(nrs, nr)
		}
	}
	return nrs
}

// narrowArgs reports whether abi's args are 32-bit registers, which the
// kernel zero-extends into seccomp_data (populate_seccomp_data on a compat
// task): i386 on x86_64, arm on aarch64. x32's are 64-bit.
func narrowArgs(abi seccomp.Arch) bool {
	return abi == seccomp.ArchX86 || abi == seccomp.ArchARM
}

// multiRow is one compiler's program for the multi-ABI policy.
type multiRow struct {
	compiler string
	err      error
	size     int
	exec     map[seccomp.Arch][numClasses][]int
	cached   map[seccomp.Arch][2]int // cached, allowed
	v        []abiVerdicts
	timing   timing
}

// multiABIRows compiles set's policy with ours and libseccomp's AddArch
// and verifies each ABI of each against our tree program.
func multiABIRows(set multiABISet, runs int, budget time.Duration) ([]multiRow, error) {
	p, err := multiABIPolicy(set.arch)
	if err != nil {
		return nil, err
	}
	ref, err := p.CompileLayout(seccomp.LayoutTree)
	if err != nil {
		return nil, err
	}
	compilers := []compiler{oursCompiler(seccomp.LayoutTree), oursCompiler(seccomp.LayoutBitmap), libseccompMultiCompiler(0)}
	if libseccompHasOptimize() {
		compilers = append(compilers, libseccompMultiCompiler(2))
	}
	var rows []multiRow
	for _, c := range compilers {
		r := multiRow{compiler: c.name, exec: map[seccomp.Arch][numClasses][]int{}, cached: map[seccomp.Arch][2]int{}}
		prog, err := c.compile(p)
		if err != nil {
			r.err = err
			rows = append(rows, r)
			continue
		}
		r.size = len(prog.Instructions)
		for _, abi := range policyABIs(p) {
			var ex [numClasses][]int
			var ca [2]int
			for nr := range abi.Syscalls() {
				an, err := ref.AnalyzeArch(abi, uint32(nr))
				if err != nil {
					return nil, err
				}
				cl := denied
				switch {
				case len(an.Actions) > 1:
					cl = argChecked
				case an.Actions[0] == seccomp.Allow:
					cl = allowed
				}
				ag, err := prog.AnalyzeArch(abi, uint32(nr))
				if err != nil {
					return nil, fmt.Errorf("%s: analyze %s %d: %w", c.name, abi, nr, err)
				}
				ex[cl] = append(ex[cl], ag.MaxExecuted)
				if cl == allowed {
					ca[1]++
					if ag.Cached {
						ca[0]++
					}
				}
			}
			r.exec[abi], r.cached[abi] = ex, ca
			var explain func(seccomp.Arch, uint32, bool, uint32, uint32) string
			if !strings.HasPrefix(c.name, "ours") {
				explain = scmpExplain
			}
			v, err := verifyABI(p, abi, ref, prog, explain)
			if err != nil {
				return nil, fmt.Errorf("%s: verify %s: %w", c.name, abi, err)
			}
			r.v = append(r.v, v)
		}
		r.timing = timeCompile(c, p, runs, budget)
		rows = append(rows, r)
	}
	return rows, nil
}

// printMultiABI is main's hook: a multi-ABI table per set. It reports
// whether some ABI of some program decides differently from ours.
func printMultiABI(runs int, budget time.Duration) (bool, error) {
	void := false
	for _, set := range multiABISets {
		v, err := printMultiABISet(set, runs, budget)
		if err != nil {
			return false, fmt.Errorf("%s: %w", set.label, err)
		}
		void = void || v
	}
	return void, nil
}

// printMultiABISet prints set's table, its note, and each difference: the
// unexplained ones (then it reports true), the deliberate and the
// explained.
func printMultiABISet(set multiABISet, runs int, budget time.Duration) (bool, error) {
	rows, err := multiABIRows(set, runs, budget)
	if err != nil {
		return false, err
	}
	void := false
	fmt.Println("| policy | compiler | insns | ABI | allowed: executed med / max | arg-checked | denied | allows cached | compile (median) | same verdicts |")
	fmt.Println("|---|---|---:|---|---:|---:|---:|---:|---:|---|")
	for _, r := range rows {
		if r.err != nil {
			fmt.Printf("| %s | %s | not compiled: %v | | | | | | | |\n", set.label, r.compiler, r.err)
			continue
		}
		for i, v := range r.v {
			ex, ca := r.exec[v.abi], r.cached[v.abi]
			same := fmt.Sprintf("yes (%d inputs)", v.checked)
			if v.nInScope > 0 {
				same, void = fmt.Sprintf("**NO (%d inputs) — see below**", v.nInScope), true
			}
			if n := sumCounts(v.explained); n > 0 {
				same += fmt.Sprintf("; %d inputs differ as explained below", n)
			}
			if v.deliberate > 0 {
				same += fmt.Sprintf("; %d x32 inputs differ by their high halves only (libseccomp reads the low halves: deliberate)", v.deliberate)
			}
			size, comp := "", ""
			if i == 0 {
				size, comp = fmt.Sprint(r.size), fmtDur(r.timing.median)
			}
			fmt.Printf("| %s | %s | %s | %s | %s | %s | %s | %d / %d | %s | %s |\n", set.label, r.compiler, size, v.abi,
				medMax(ex[allowed]), medMax(ex[argChecked]), medMax(ex[denied]), ca[0], ca[1], comp, same)
		}
	}
	fmt.Println()
	fmt.Println(set.note)
	for _, r := range rows {
		for _, v := range r.v {
			if v.nInScope > 0 {
				fmt.Printf("**DISAGREEMENT %s / %s / %s** on %d inputs:\n", set.label, r.compiler, v.abi, v.nInScope)
				for _, s := range v.inScope {
					fmt.Printf("  - %s\n", s)
				}
			}
			if v.example != "" {
				fmt.Printf("Deliberate, %s / %s: %d inputs differ by their high halves only, e.g. %s\n", r.compiler, v.abi, v.deliberate, v.example)
			}
			var whys []string
			for w, n := range v.explained {
				whys = append(whys, fmt.Sprintf("%s (%d)", w, n))
			}
			sort.Strings(whys)
			for _, w := range whys {
				fmt.Printf("Explained, %s / %s: %s\n", r.compiler, v.abi, w)
			}
		}
	}
	fmt.Println()
	return void, nil
}

func sumCounts(m map[string]int) int {
	n := 0
	for _, c := range m {
		n += c
	}
	return n
}
