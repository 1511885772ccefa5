package seccomp

import (
	"math/rand/v2"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A policy whose size is all in its dispatch (thousands of numbers, each
// an outcome of its own, no chain) is refused on its floors, before
// anything is emitted, as one whose size is in its chains is: the
// ceiling that lets checkFloor skip the floors must count the section's
// dispatch too (sectionCeiling), not the chains alone.
func TestCeilingCountsDispatch(t *testing.T) {
	p := &Policy{Arch: ArchX86_64, Default: KillProcess}
	for nr := range 9000 {
		a := Allow
		if nr%2 == 1 {
			a = Errno(syscall.EPERM)
		}
		p.AddNr(nr, Rule{Action: a})
	}
	for _, layout := range layouts {
		_, err := p.CompileLayout(layout)
		require.ErrorIs(t, err, ErrTooLarge, "%s", layout)
		assert.Contains(t, err.Error(), "program needs at least", "%s layout: refused on the floors, before emitting", layout)
	}
}

// A compile never writes into the caller's rules, nor into the memory
// past their length: not where reduceRules drops the rules just before an
// unconditional one of their action (its owned flag), nor where it joins
// a number's entries, nor where a multiplexer's derived rules come before
// its own (in the plan's memory). Every backing array here has spare room
// holding a sentinel, and the policy is compared whole after each compile.
func TestCompileLeavesRulesAlone(t *testing.T) {
	sentinel := Rule{Action: Trap(7), Conds: []Cond{{Arg: 5, Op: OpEqual, Value: 0xdead, Width: 64}}}
	// roomy returns rules in an array with two sentinels after them.
	roomy := func(rules ...Rule) []Rule {
		a := append(append(make([]Rule, 0, len(rules)+2), rules...), sentinel, sentinel)
		return a[:len(rules)]
	}
	cond := func(arg int, v uint64) []Cond { return []Cond{{Arg: arg, Op: OpEqual, Value: v, Width: 32}} }
	always := []Cond{{Arg: 0, Op: OpMaskedEqual, Mask: 0, Value: 0, Width: 64}} // always holds
	policies := map[string]*Policy{
		"rules before an unconditional one of their action": {Arch: ArchX86_64, Default: KillProcess, Syscalls: []Syscall{
			{Name: "read", Rules: roomy(Rule{Action: Allow, Conds: cond(0, 1)}, Rule{Action: Allow, Conds: cond(1, 2)}, Rule{Action: Allow})},
		}},
		"joined entries of one number": {Arch: ArchX86_64, Default: KillProcess, Syscalls: []Syscall{
			{Name: "read", Rules: roomy(Rule{Action: Allow, Conds: cond(0, 1)})},
			{Name: "write", Rules: roomy(Rule{Action: Log, Conds: cond(0, 3)})},
			{Nr: 0, Rules: roomy(Rule{Action: Allow, Conds: cond(1, 2)}, Rule{Action: Allow})},
		}},
		"conditions that always hold": {Arch: ArchX86_64, Default: KillProcess, Syscalls: []Syscall{
			{Name: "read", Rules: roomy(Rule{Action: Allow, Conds: cond(0, 1)}, Rule{Action: Allow, Conds: always})},
		}},
		"socketcall's derived rules and its own": {Arch: ArchX86, Default: Errno(syscall.EPERM), Syscalls: []Syscall{
			{Name: "socket", Rules: roomy(Rule{Action: Allow, Conds: cond(0, 1)})},
			{Name: "connect", Rules: roomy(Rule{Action: Allow})},
			{Name: "socketcall", Rules: roomy(Rule{Action: Allow, Conds: cond(1, 9)}, Rule{Action: Allow})},
			{Name: "ipc", Rules: roomy(Rule{Action: Log, Conds: cond(1, 9)})},
			{Name: "shmget", Rules: roomy(Rule{Action: Log})},
		}},
		"three ABIs sharing one rule array": func() *Policy {
			shared := roomy(Rule{Action: Allow, Conds: cond(0, 1)}, Rule{Action: Allow})
			p := &Policy{Arch: ArchX86_64, Compat: []Arch{ArchX86, ArchX32}, Default: Errno(syscall.EPERM)}
			for _, a := range []Arch{ArchX86_64, ArchX86, ArchX32} {
				p.Syscalls = append(p.Syscalls, Syscall{Arch: a, Name: "socket", Rules: shared}, Syscall{Arch: a, Name: "close", Rules: shared})
			}
			p.Syscalls = append(p.Syscalls, Syscall{Arch: ArchX86, Name: "socketcall", Rules: shared})
			return p
		}(),
	}
	// deep copies a policy's rules, the spare room after them included.
	deep := func(p *Policy) [][]Rule {
		var out [][]Rule
		for _, sc := range p.Syscalls {
			full := sc.Rules[:cap(sc.Rules)]
			c := make([]Rule, len(full))
			for i, r := range full {
				c[i] = Rule{Action: r.Action, Conds: append([]Cond(nil), r.Conds[:cap(r.Conds)]...)}
			}
			out = append(out, c)
		}
		return out
	}
	for name, p := range policies {
		t.Run(name, func(t *testing.T) {
			want := deep(p)
			for _, layout := range layouts {
				for range 2 { // the second reuses the first's workspace
					_, err := p.CompileLayout(layout)
					require.NoError(t, err, "%s", layout)
					require.Equal(t, want, deep(p), "%s layout: the policy changed", layout)
				}
				checkEquivalence(t, p, layout)
			}
		})
	}
}

// x32's numbers enter x86_64's search past a search of those x32 decides
// otherwise (emitX32Diff): with that search near its bound of 100
// segments and x86_64's own search and chains long, the jumps into the
// shared chains reach past 255 instructions, through the assembler's
// stand-ins. The program decides as the policy does, and below the bound
// x32 really enters x86_64's search (one and of bit 30).
func TestX32DiffFarJumps(t *testing.T) {
	for _, x32Entries := range []int{10, 49, 60} {
		p := &Policy{Arch: ArchX86_64, Compat: []Arch{ArchX32}, Default: Errno(syscall.EPERM), BadArch: KillProcess}
		for nr := range 350 {
			a := Allow
			if nr%2 == 1 {
				a = Log
			}
			rules := []Rule{{Action: a}}
			if nr%7 == 0 {
				rules = []Rule{{Action: Allow, Conds: []Cond{{Arg: 0, Op: OpEqual, Value: uint64(nr), Width: 64}}}, {Action: Trap(1), Conds: []Cond{{Arg: 1, Op: OpGreater, Value: uint64(nr) << 32, Width: 64}}}}
			}
			p.Syscalls = append(p.Syscalls, Syscall{Arch: ArchX86_64, Nr: nr, Rules: rules})
			p.Syscalls = append(p.Syscalls, Syscall{Arch: ArchX32, Nr: x32SyscallBit + nr, Rules: rules})
		}
		// x32 decides every fourth of its first numbers otherwise.
		for k := range x32Entries {
			nr := x32SyscallBit + 4*k + 2 // even: x86_64 allows it
			for i := range p.Syscalls {
				if sc := &p.Syscalls[i]; sc.Arch == ArchX32 && sc.Nr == nr {
					sc.Rules = []Rule{{Action: KillThread}}
				}
			}
		}
		prog, _ := checkEquivalence(t, p, LayoutTree)
		ands := 0
		for _, ri := range prog.Instructions {
			if ri.Op == opAndK && ri.K == ^uint32(x32SyscallBit) {
				ands++
			}
		}
		t.Logf("%d x32 entries of their own: %d instructions, x32 enters x86_64's search: %v", x32Entries, len(prog.Instructions), ands == 1)
		if x32Entries <= 40 {
			assert.Equal(t, 1, ands, "%d: x32 shares x86_64's search", x32Entries)
		}
	}
}

// The floors of a program of several ABIs, shared chains counted once and
// x32's dispatch not at all where x32 may enter x86_64's search, are lower
// bounds: no program is shorter than floorTotal says, on random policies
// of FuzzCompileX32's shape (FuzzCompile checks one ABI's; FuzzCompileX32
// checks no floors).
func TestMultiABIFloorsBoundPrograms(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 30))
	var policies []*Policy
	for _, set := range abiSets {
		policies = append(policies, multiDockerLike(set), multiNumbered(set))
	}
	for range 3000 {
		data := make([]byte, 8+rng.IntN(120))
		for j := range data {
			data[j] = byte(rng.Uint32())
		}
		policies = append(policies, decodeX32Policy(data))
	}
	for i, p := range policies {
		data := p.Syscalls // for the message
		for _, layout := range layouts {
			prog, err := p.CompileLayout(layout)
			if err != nil {
				require.ErrorIs(t, err, ErrTooLarge, "policy %d %v", i, data)
				continue
			}
			pls, _, err := p.plansIn(new(workspace))
			require.NoError(t, err)
			for _, pl := range pls {
				pl.computeFloors(newBuilder(16))
			}
			// The tree's sections share chains, the bitmap's do not.
			total, _, _ := floorTotal(pls, layout, layout == LayoutTree)
			require.LessOrEqual(t, total, len(prog.Instructions), "policy %d %v, %s layout: floors over the program", i, data, layout)
		}
	}
}
