package seccomp

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

// This file proves compiled programs right: the verdict the interpreter
// (Program.Eval) computes from the program must equal the verdict the
// reference evaluator (Policy.Decide) computes from the policy, with no
// BPF, on every input that could tell them apart.

// layouts are the layouts every check runs on.
var layouts = []Layout{LayoutTree, LayoutBitmap}

// referenceVerdict is the policy's meaning: Policy.Decide, which shares no
// code with the compiler but the syscall tables.
func referenceVerdict(p *Policy, d Data) uint32 {
	dec, err := p.Decide(d)
	if err != nil {
		panic(fmt.Sprintf("reference: %v", err))
	}
	return dec.Action.Ret()
}

// policyABIs returns the ABIs a policy serves, Arch first.
func policyABIs(p *Policy) []Arch {
	arch := p.Arch
	if arch == 0 {
		arch, _ = NativeArch()
	}
	return append([]Arch{arch}, p.Compat...)
}

// equivalenceReport counts what checkEquivalence ran.
type equivalenceReport struct {
	inputs        int
	disagreements []string
}

// checkEquivalence compiles p with layout, validates the program with the
// kernel's load-time checks, and compares program and reference on: every
// number 0-4095, the x32 edges, -1, every constant a jump compares with
// (±1), every named syscall with argument vectors built from the constants
// of its conditions (k-1, k, k+1, 0, all ones, in each half) plus random
// ones, and calls made with a wrong arch. It fails t on any disagreement.
func checkEquivalence(t testing.TB, p *Policy, layout Layout) (Program, equivalenceReport) {
	t.Helper()
	prog, err := p.CompileLayout(layout)
	require.NoError(t, err)
	require.NoError(t, validateProgram(prog.Instructions), "kernel load-time checks")
	rep := equivalenceInputs(p, prog, func(d Data) (string, bool) {
		want := referenceVerdict(p, d)
		v, err := prog.Eval(d) // in the byte order of the program's arch
		if err != nil {
			return err.Error(), false
		}
		if got := v.Ret; got != want {
			return fmt.Sprintf("program returns %#x, policy says %#x", got, want), false
		}
		return "", true
	})
	if len(rep.disagreements) > 0 {
		t.Errorf("%s layout, %s: %d disagreements in %d inputs, first:\n%s\nprogram:\n%s",
			layout, prog.Arch, len(rep.disagreements), rep.inputs,
			strings.Join(rep.disagreements[:min(10, len(rep.disagreements))], "\n"), prog.Disassemble())
	}
	return prog, rep
}

// equivalenceInputs feeds every interesting input to check.
func equivalenceInputs(p *Policy, prog Program, check func(Data) (string, bool)) equivalenceReport {
	var rep equivalenceReport
	rng := rand.New(rand.NewPCG(1, uint64(len(prog.Instructions))))
	try := func(d Data) {
		rep.inputs++
		if msg, ok := check(d); !ok {
			rep.disagreements = append(rep.disagreements, fmt.Sprintf("nr %d arch %#x args %#x: %s", d.Nr, d.Arch, d.Args, msg))
		}
	}
	byNr := conditionsByNr(p)
	abis := append([]Arch{prog.Arch.orNative()}, prog.Compat...)
	ours := map[Arch]bool{}
	for _, arch := range abis {
		audit := Arch(arch.auditArch())
		ours[audit] = true
		nrs := make(map[uint32]bool, 4200)
		for _, nr := range testNrs(arch) {
			nrs[nr] = true
		}
		for _, nr := range []uint32{0x3FFFFFFF, 0x40000000, 0x40000001, 0x40000000 + 512, 0x7FFFFFFF, 0x80000000, 0xBFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFF} {
			nrs[nr] = true
		}
		for _, ri := range prog.Instructions {
			if opClass(ri.Op) == classJmp && ri.Op != opJa { // every jump constant, whatever it compares
				nrs[ri.K-1], nrs[ri.K], nrs[ri.K+1] = true, true, true
			}
		}
		for nr := range nrs {
			try(Data{Nr: nr, Arch: audit})
			try(Data{Nr: nr, Arch: audit, InstructionPointer: rng.Uint64(), Args: randomArgs(rng)})
			if conds, ok := byNr[nr]; ok {
				for _, args := range argVectors(conds, rng) {
					try(Data{Nr: nr, Arch: audit, Args: args})
				}
			}
		}
	}
	// Other arches, and a number the policy names, with each.
	var sample []uint32
	for nr := range byNr {
		sample = append(sample, nr)
	}
	sample = append(sample, 0, 1, 59, 231, 0x40000001, 0xFFFFFFFF)
	others := append(Arches(), 0, 0xC00000F3|0x20000000 /* a convention bit */, Arch(rng.Uint32()))
	for _, other := range others {
		if ours[other] {
			continue
		}
		for _, nr := range sample {
			try(Data{Nr: nr, Arch: other, Args: randomArgs(rng)})
		}
	}
	return rep
}

// conditionsByNr returns, per syscall number of p with conditions, all its
// conditions, on every ABI of p.
func conditionsByNr(p *Policy) map[uint32][]Cond {
	out := make(map[uint32][]Cond)
	for _, arch := range policyABIs(p) {
		for _, sc := range p.Syscalls {
			if sc.Arch != 0 && sc.Arch != arch {
				continue
			}
			// A sub-call of a multiplexer the ABI has: its number is a
			// condition on the multiplexer's arg0.
			for _, m := range multiplexers {
				if k, ok := m.sub[sc.Name]; ok {
					if mnr, ok := arch.SyscallNumber(m.name); ok {
						out[uint32(mnr)] = append(out[uint32(mnr)], subCallCond(m, k))
					}
				}
			}
			nr := sc.Nr
			if sc.Name != "" {
				var ok bool
				if nr, ok = arch.SyscallNumber(sc.Name); !ok {
					continue
				}
			}
			for _, r := range sc.Rules {
				out[uint32(nr)] = append(out[uint32(nr)], r.Conds...)
			}
		}
	}
	return out
}

func randomArgs(rng *rand.Rand) [6]uint64 {
	var a [6]uint64
	for i := range a {
		a[i] = rng.Uint64()
	}
	return a
}

// boundaryValues are the values around constant k that a comparison could
// misjudge: k±1 in the whole and in each half, the halves' edges, garbage
// above a 32-bit value.
func boundaryValues(k uint64, rng *rand.Rand) []uint64 {
	hi, lo := k>>32, k&math.MaxUint32
	out := []uint64{0, math.MaxUint64, k, k - 1, k + 1, lo, hi << 32,
		(hi+1)<<32 | lo, (hi-1)<<32 | lo, hi<<32 | (lo+1)&math.MaxUint32, hi<<32 | (lo-1)&math.MaxUint32,
		(hi+1)<<32 | (lo-1)&math.MaxUint32, (hi-1)<<32 | (lo+1)&math.MaxUint32,
		math.MaxUint32<<32 | lo, rng.Uint64()<<32 | lo, lo | 1<<63}
	return out
}

// argVectors builds argument vectors for a syscall from its conditions:
// each argument in turn runs through the boundary values of every constant
// compared with it, while the others hold values that make their own
// conditions hold or not; then random mixtures.
func argVectors(conds []Cond, rng *rand.Rand) [][6]uint64 {
	var cands [6][]uint64
	for _, c := range conds {
		cands[c.Arg] = append(cands[c.Arg], boundaryValues(c.Value, rng)...)
		if c.Op == OpMaskedEqual {
			cands[c.Arg] = append(cands[c.Arg], c.Value|^c.Mask, c.Value&c.Mask, c.Value^(c.Mask&-c.Mask), ^c.Value)
		}
	}
	for i := range cands {
		slices.Sort(cands[i])
		cands[i] = slices.Compact(cands[i])
	}
	var out [][6]uint64
	// Bases: every condition's own constant, so that a rule can hold, and
	// each argument's boundary values picked at random.
	var bases [][6]uint64
	var exact [6]uint64
	for _, c := range conds {
		exact[c.Arg] = c.Value
	}
	bases = append(bases, exact, [6]uint64{})
	for range 8 {
		var b [6]uint64
		for i := range b {
			if len(cands[i]) > 0 {
				b[i] = cands[i][rng.IntN(len(cands[i]))]
			}
		}
		bases = append(bases, b)
	}
	for _, base := range bases {
		out = append(out, base)
		for i := range cands {
			for _, v := range cands[i] {
				b := base
				b[i] = v
				out = append(out, b)
			}
		}
	}
	for range 64 {
		var b [6]uint64
		for i := range b {
			if len(cands[i]) > 0 && rng.IntN(4) > 0 {
				b[i] = cands[i][rng.IntN(len(cands[i]))]
			} else {
				b[i] = rng.Uint64()
			}
		}
		out = append(out, b)
	}
	return out
}

// dockerLikePolicy is a container-runtime allowlist the size of Docker's
// default profile: default EPERM, every syscall of the arch allowed but a
// denied few (~300 allows), about ten syscalls with argument checks, and
// overrides such as clone3 -> ENOSYS.
func dockerLikePolicy(arch Arch) *Policy {
	denied := map[string]bool{
		"acct": true, "add_key": true, "bpf": true, "clock_adjtime": true, "clock_settime": true,
		"create_module": true, "delete_module": true, "finit_module": true, "get_kernel_syms": true,
		"get_mempolicy": true, "init_module": true, "ioperm": true, "iopl": true, "kcmp": true,
		"kexec_file_load": true, "kexec_load": true, "keyctl": true, "lookup_dcookie": true,
		"mbind": true, "mount": true, "move_pages": true, "nfsservctl": true, "open_by_handle_at": true,
		"perf_event_open": true, "pivot_root": true, "process_vm_readv": true, "process_vm_writev": true,
		"ptrace": true, "query_module": true, "quotactl": true, "reboot": true, "request_key": true,
		"set_mempolicy": true, "setns": true, "settimeofday": true, "stime": true, "swapoff": true,
		"swapon": true, "_sysctl": true, "sysfs": true, "umount": true, "umount2": true, "unshare": true,
		"uselib": true, "userfaultfd": true, "ustat": true, "vm86": true, "vm86old": true,
		"fsopen": true, "fsconfig": true, "fsmount": true, "fspick": true, "open_tree": true, "move_mount": true,
		"mount_setattr": true, "name_to_handle_at": true, "syslog": true, "vhangup": true, "lookup_dcookie ": true,
	}
	checked := map[string][]Rule{
		"personality": {
			{Action: Allow, Conds: []Cond{{Arg: 0, Op: OpEqual, Value: 0}}},
			{Action: Allow, Conds: []Cond{{Arg: 0, Op: OpEqual, Value: 8}}},
			{Action: Allow, Conds: []Cond{{Arg: 0, Op: OpEqual, Value: 0x20000}}},
			{Action: Allow, Conds: []Cond{{Arg: 0, Op: OpEqual, Value: 0x20008}}},
			{Action: Allow, Conds: []Cond{{Arg: 0, Op: OpEqual, Value: 0xffffffff}}},
		},
		"clone": {{Action: Allow, Conds: []Cond{{Arg: 0, Op: OpMaskedEqual, Mask: 0x7E020000, Value: 0}}}},
		"socket": {
			{Action: Errno(syscall.EAFNOSUPPORT), Conds: []Cond{{Arg: 0, Op: OpEqual, Value: 40}}}, // AF_VSOCK
			{Action: Allow, Conds: []Cond{{Arg: 0, Op: OpNotEqual, Value: 16}}},                    // not AF_NETLINK
			{Action: Allow, Conds: []Cond{{Arg: 0, Op: OpEqual, Value: 16}, {Arg: 2, Op: OpNotEqual, Value: 9}}},
		},
		"prctl":    {{Action: Allow, Conds: []Cond{{Arg: 0, Op: OpNotEqual, Value: 22}}}}, // not PR_SET_SECCOMP
		"fcntl":    {{Action: Allow, Conds: []Cond{{Arg: 1, Op: OpLess, Value: 1030, Width: 32}}}},
		"mprotect": {{Action: Allow, Conds: []Cond{{Arg: 2, Op: OpMaskedEqual, Mask: 0x4, Value: 0}}}},
		"ioctl":    {{Action: Errno(syscall.ENOTTY), Conds: []Cond{{Arg: 1, Op: OpEqual, Value: 0x5412, Width: 32}}}, {Action: Allow}},
		"kill":     {{Action: Allow, Conds: []Cond{{Arg: 0, Op: OpGreater, Value: 0}, {Arg: 1, Op: OpLessEqual, Value: 64}}}},
		"mmap":     {{Action: Allow, Conds: []Cond{{Arg: 1, Op: OpLess, Value: 1 << 40}}}},
		"madvise":  {{Action: Allow, Conds: []Cond{{Arg: 2, Op: OpGreaterEqual, Value: 0x100000000}}}, {Action: Allow, Conds: []Cond{{Arg: 2, Op: OpLess, Value: 100}}}},
		"setsockopt": {
			{Action: Errno(syscall.EPERM), Conds: []Cond{{Arg: 1, Op: OpEqual, Value: 0}, {Arg: 2, Op: OpEqual, Value: 64}}},
			{Action: Allow},
		},
	}
	overrides := map[string]Action{"clone3": Errno(syscall.ENOSYS), "ptrace": Errno(syscall.EPERM), "reboot": KillProcess}
	p := &Policy{Arch: arch, Default: Errno(syscall.EPERM)}
	for _, name := range arch.Syscalls() {
		switch {
		case checked[name] != nil:
			p.Add(name, checked[name]...)
		case overrides[name] != 0:
			p.Add(name, Rule{Action: overrides[name]})
		case !denied[name]:
			p.Allow(name)
		}
	}
	return p
}

// denylistPolicy is an agent-sandbox denylist: default allow, networking,
// ptrace, mount and bpf denied, with argument checks on socket.
func denylistPolicy(arch Arch) *Policy {
	p := &Policy{Arch: arch, Default: Allow}
	p.Add("socket",
		Rule{Action: Errno(syscall.EAFNOSUPPORT), Conds: []Cond{{Arg: 0, Op: OpEqual, Value: 2, Width: 32}}},
		Rule{Action: Errno(syscall.EAFNOSUPPORT), Conds: []Cond{{Arg: 0, Op: OpEqual, Value: 10, Width: 32}}})
	for _, name := range []string{"connect", "bind", "listen", "accept", "accept4", "ptrace", "mount", "umount2", "bpf", "kexec_load", "init_module", "perf_event_open"} {
		if _, ok := arch.SyscallNumber(name); ok {
			p.Add(name, Rule{Action: Errno(syscall.EPERM)})
		}
	}
	p.Add("kill", Rule{Action: KillProcess, Conds: []Cond{{Arg: 0, Op: OpEqual, Value: 1}}})
	return p
}

// opsPolicy uses every op at both widths, on constants that straddle the
// 32-bit halves, with rules ORed and ANDed on the same argument.
func opsPolicy(arch Arch) *Policy {
	p := &Policy{Arch: arch, Default: Errno(syscall.EPERM), BadArch: Trap(7)}
	consts := []uint64{0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000, 0x100000001, 0x7fffffffffffffff, 0x8000000000000000, 0xffffffff00000000, math.MaxUint64}
	nr := 0
	for op := OpEqual; op <= OpMaskedEqual; op++ {
		for _, width := range []int{64, 32} {
			var rules []Rule
			for i, k := range consts {
				if width == 32 && k > math.MaxUint32 {
					continue
				}
				c := Cond{Arg: i % 6, Op: op, Value: k, Width: width}
				if op == OpMaskedEqual {
					c.Mask = k | 0xF0F0
					if width == 32 {
						c.Mask &= math.MaxUint32
					}
				}
				if c.validate() != nil || c.alwaysHolds() {
					continue // conds_test.go tests these alone
				}
				rules = append(rules, Rule{Action: Errno(syscall.Errno(1 + i)), Conds: []Cond{c}})
			}
			p.AddNr(nrOn(arch, nr), rules...)
			nr++
		}
	}
	// Two conditions on one argument: a range.
	p.AddNr(nrOn(arch, nr), Rule{Action: Allow, Conds: []Cond{{Arg: 0, Op: OpGreater, Value: 0xfffffff0}, {Arg: 0, Op: OpLessEqual, Value: 0x100000010}}})
	return p
}

// equalityRunsPolicy has runs of rules that each test one argument for
// equality, which the compiler turns into one search: values that touch,
// repeat, sit at 0 and at the top of a half, share or change the high half,
// at both widths, broken up by other actions and conditions.
func equalityRunsPolicy(arch Arch) *Policy {
	p := &Policy{Arch: arch, Default: Errno(syscall.EPERM)}
	eq := func(a Action, arg int, v uint64, width int) Rule {
		return Rule{Action: a, Conds: []Cond{{Arg: arg, Op: OpEqual, Value: v, Width: width}}}
	}
	var families []Rule
	for _, v := range []uint64{1, 2, 3, 5, 10, 16, 17, 40, 0, 0xffffffff, 44, 44, 29} {
		families = append(families, eq(Allow, 0, v, 64))
	}
	p.AddNr(nrOn(arch, 41), families...)
	p.AddNr(nrOn(arch, 42),
		eq(Allow, 1, 0x100000001, 64), eq(Allow, 1, 0x100000007, 64), eq(Allow, 1, 0x200000007, 64), eq(Allow, 1, 0x200000008, 64),
		eq(Log, 1, 0x200000009, 64), eq(Log, 1, 9, 64),
		eq(Allow, 1, 7, 32), eq(Allow, 1, 0xffffffff, 32), eq(Allow, 1, 0, 32),
		Rule{Action: Allow, Conds: []Cond{{Arg: 1, Op: OpEqual, Value: 3}, {Arg: 2, Op: OpEqual, Value: 4}}},
		eq(Allow, 2, 1, 64), eq(Allow, 3, 1, 64), eq(Allow, 3, 2, 64))
	p.AddNr(nrOn(arch, 43), eq(Allow, 5, 0xffffffffffffffff, 64), eq(Allow, 5, 0xfffffffffffffffe, 64), eq(Trap(3), 5, 0xfffffffffffffffd, 64))
	return p
}

// rangeRunsPolicy has runs of rules that each test one argument against a
// range, which the compiler joins into one search of the low half: ranges
// that overlap, touch, reach 0 or the top, cover everything, at both
// widths and within one high half or across several, mixed with
// equalities, like Docker's socket families ("< 3", "== 7", ...).
func rangeRunsPolicy(arch Arch) *Policy {
	p := &Policy{Arch: arch, Default: Errno(syscall.EPERM)}
	c := func(a Action, arg int, op Op, v uint64, width int) Rule {
		return Rule{Action: a, Conds: []Cond{{Arg: arg, Op: op, Value: v, Width: width}}}
	}
	// Docker's socket shape, 64-bit, high half 0.
	p.AddNr(nrOn(arch, 41), c(Allow, 0, OpLess, 3, 64), c(Allow, 0, OpEqual, 7, 64), c(Allow, 0, OpEqual, 8, 64),
		c(Allow, 0, OpLessEqual, 5, 64), c(Allow, 0, OpEqual, 0xffffffff, 64), c(Allow, 0, OpEqual, 40, 64),
		c(Allow, 0, OpEqual, 41, 64), c(Allow, 0, OpEqual, 39, 64), c(Allow, 0, OpEqual, 100, 64))
	// 32-bit: != joins as two ranges; ranges that cover everything.
	p.AddNr(nrOn(arch, 42), c(Allow, 1, OpNotEqual, 9, 32), c(Allow, 1, OpEqual, 9, 32), c(Log, 1, OpEqual, 9, 32))
	p.AddNr(nrOn(arch, 43), c(Allow, 1, OpGreater, 0xfffffff0, 32), c(Allow, 1, OpLess, 0x10, 32), c(Allow, 1, OpEqual, 0x80, 32),
		c(Trap(2), 1, OpGreaterEqual, 0x70, 32), c(Trap(2), 1, OpLessEqual, 0x60, 32))
	// 64-bit at the top of the range (high half 0xffffffff), and ranges that
	// cross high halves, which cannot join.
	p.AddNr(nrOn(arch, 44), c(Allow, 2, OpGreater, 0xfffffffffffffff0, 64), c(Allow, 2, OpGreaterEqual, 0xffffffff00000000, 64),
		c(Allow, 2, OpEqual, 0xffffffff00000005, 64), c(Log, 2, OpGreater, 0x100000000, 64), c(Log, 2, OpLess, 0x100000000, 64))
	// Two runs of one argument, back to back; a condition that holds for
	// everything (and is dropped), then one of the same run.
	p.AddNr(nrOn(arch, 45), c(Allow, 3, OpEqual, 4, 64), c(Allow, 3, OpEqual, 6, 64), c(Log, 3, OpEqual, 1, 32), c(Log, 3, OpGreaterEqual, 0xfffffff0, 32))
	p.AddNr(nrOn(arch, 46), c(Allow, 4, OpLessEqual, 0xffffffff, 32), c(Allow, 4, OpEqual, 3, 32))
	// A high half other than 0 and the top; a run broken by the width.
	p.AddNr(nrOn(arch, 47), c(Allow, 5, OpEqual, 0x500000001, 64), c(Allow, 5, OpEqual, 0x500000003, 64), c(Allow, 5, OpEqual, 0x500000004, 64),
		c(Allow, 5, OpEqual, 0x500000009, 64), c(Allow, 5, OpEqual, 0x500000002, 64), c(Allow, 5, OpEqual, 2, 32), c(Allow, 5, OpLess, 1, 32))
	return p
}

func TestEquivalence(t *testing.T) {
	policies := []struct {
		name string
		make func(Arch) *Policy
	}{
		{"zero", func(a Arch) *Policy { return &Policy{Arch: a} }},
		{"docker-like allowlist", dockerLikePolicy},
		{"docker-like with ENOSYS", func(a Arch) *Policy {
			p := dockerLikePolicy(a)
			p.UnknownENOSYS = true
			return p
		}},
		{"denylist", denylistPolicy},
		{"denylist with ENOSYS", func(a Arch) *Policy {
			p := denylistPolicy(a)
			p.UnknownENOSYS = true
			return p
		}},
		{"every op", opsPolicy},
		{"equality runs", equalityRunsPolicy},
		{"range runs", rangeRunsPolicy},
	}
	for _, arch := range Arches() {
		for _, layout := range layouts {
			for _, pc := range policies {
				t.Run(fmt.Sprintf("%s/%s/%s", arch, layout, pc.name), func(t *testing.T) {
					t.Parallel()
					_, rep := checkEquivalence(t, pc.make(arch), layout)
					require.Greater(t, rep.inputs, 2000)
				})
			}
		}
	}
}

// TestEquivalenceCatchesWrongPrograms makes sure the check can fail: a
// program with one return changed must disagree.
func TestEquivalenceCatchesWrongPrograms(t *testing.T) {
	for _, layout := range layouts {
		p := dockerLikePolicy(ArchX86_64)
		prog, err := p.CompileLayout(layout)
		require.NoError(t, err)
		for i, ri := range prog.Instructions {
			if ri.Op != opRetK || ri.K != Allow.Ret() {
				continue
			}
			bad := slices.Clone(prog.Instructions)
			bad[i].K = Log.Ret()
			found := false // one disagreement is enough: skip the rest
			rep := equivalenceInputs(p, prog, func(d Data) (string, bool) {
				if found {
					return "", true
				}
				got, _, err := cbpfExec(bad, d)
				found = err != nil || got != referenceVerdict(p, d)
				return "", !found
			})
			require.NotEmpty(t, rep.disagreements, "%s: changing instruction %d went unnoticed", layout, i)
		}
	}
}
