package seccomp

import (
	"fmt"
	"math"
	"slices"
)

// Decision is what a policy says of one system call, and what said it.
type Decision struct {
	// Action is the policy's verdict.
	Action Action
	// Syscall and Rule locate the rule that decided,
	// Policy.Syscalls[Syscall].Rules[Rule]; both are -1 when no rule did.
	Syscall, Rule int
	// Reason is what decided: "rule", "default action", "bad arch" (a
	// call made with another arch's convention, or an x32 call on
	// x86_64), or "unknown syscall" (a number above the highest the
	// policy names, under UnknownENOSYS).
	Reason string
}

// String returns the decision as "errno 1 (EPERM) by rule 0 of entry 3".
func (d Decision) String() string {
	if d.Syscall >= 0 {
		return fmt.Sprintf("%s by rule %d of entry %d", d.Action, d.Rule, d.Syscall)
	}
	return fmt.Sprintf("%s by the %s", d.Action, d.Reason)
}

// Decide evaluates the policy on one system call straight from its
// definition, with no BPF: the reference that the tests prove every
// compiled program equal to (docs/DESIGN.md, section 7). It shares nothing
// with the compiler but the system call tables, and it checks only what it
// reads: an entry it reaches that names no system call of the arch, or a
// condition it evaluates that is malformed, is an error.
//
// d must be made with one of the policy's ABIs (Arch, the host's for the
// zero Arch, and Compat) for a rule to decide: its arch value picks the ABI,
// and on x86_64 bit 30 of the number tells x32 from x86_64. Of the entries,
// those for another ABI (Syscall.Arch) are passed over, and with
// SkipMissing so are those whose name the ABI lacks. d.InstructionPointer
// is not read.
func (p *Policy) Decide(d Data) (Decision, error) {
	by := func(a Action, reason string) (Decision, error) {
		return Decision{Action: a, Syscall: -1, Rule: -1, Reason: reason}, nil
	}
	arch, err := p.abiOf(d)
	if err != nil {
		return Decision{}, err
	}
	if arch == 0 {
		return by(p.BadArch, "bad arch")
	}
	info := archInfos[arch]
	target, _, _ := p.Arch.lookup() // abiOf has looked it up
	highest := -1
	// A multiplexer (socketcall, ipc) first decides by the direct calls'
	// rules, as multiplex.go defines it.
	for _, m := range multiplexers {
		if mnr, ok := info.byName[m.name]; ok && uint32(mnr) == d.Nr {
			dec, err := p.decideMultiplexed(arch, m, d)
			if err != nil {
				return Decision{}, err
			}
			if dec != nil {
				return *dec, nil
			}
		}
	}
	for i, sc := range p.Syscalls {
		if sc.Arch != 0 && sc.Arch != arch {
			continue
		}
		if sc.Name != "" && p.UnknownENOSYS {
			for _, m := range multiplexers { // a sub-call names its multiplexer
				if _, ok := m.sub[sc.Name]; ok {
					if mnr, ok := info.byName[m.name]; ok {
						highest = max(highest, mnr)
					}
				}
			}
		}
		if sc.Name != "" && sc.Arch == 0 && !hasName(arch, sc.Name) && multiplexed(arch, sc.Name) {
			continue // only through the multiplexer on this ABI
		}
		if sc.Name != "" && p.SkipMissing && sc.Arch == 0 && !hasName(arch, sc.Name) {
			continue
		}
		if sc.Name == "" && sc.Arch == 0 && len(p.Compat) > 0 {
			return Decision{}, fmt.Errorf("seccomp: syscall %d: a number names a call on one ABI, so the entry must set Arch in a policy of several (entry %d)", sc.Nr, i)
		}
		nr, _, err := identifyOn(target, arch, info, &sc)
		if err != nil {
			return Decision{}, fmt.Errorf("%w (entry %d)", err, i)
		}
		highest = max(highest, nr)
		if uint32(nr) != d.Nr {
			continue
		}
		for j, r := range sc.Rules {
			ok, err := r.holds(d.Args)
			if err != nil {
				return Decision{}, fmt.Errorf("seccomp: %s: rule %d: %w", syscallLabel(sc.Name, nr), j, err)
			}
			if ok {
				return Decision{Action: r.Action, Syscall: i, Rule: j, Reason: "rule"}, nil
			}
		}
	}
	if p.UnknownENOSYS && highest >= 0 && d.Nr != math.MaxUint32 && int64(d.Nr) > int64(highest) {
		return by(enosys, "unknown syscall")
	}
	return by(p.Default, "default action")
}

// decideMultiplexed returns, for a call d of m whose sub-call the entries
// on arch name, the decision: the outcome of the direct call's rules when
// that is constant, else the most restrictive outcome they (and the
// default, unless a rule always holds) can have, by the kernel's
// precedence; nil if no entry names the sub-call.
func (p *Policy) decideMultiplexed(arch Arch, m multiplexer, d Data) (*Decision, error) {
	sub := uint32(d.Args[0]) & m.mask // an int, or call & 0xffff
	var pick *Decision
	decided := false // a rule that always holds has been seen
	for i, sc := range p.Syscalls {
		k, ok := m.sub[sc.Name]
		if !ok || (sc.Arch != 0 && sc.Arch != arch) {
			continue
		}
		if k != sub || decided {
			continue
		}
		for j, r := range sc.Rules {
			if err := r.Action.Validate(); err != nil {
				return nil, fmt.Errorf("seccomp: %q rule %d: action: %w", sc.Name, j, err)
			}
			cand := Decision{Action: r.Action, Syscall: i, Rule: j, Reason: "rule, through " + m.name}
			if pick == nil || actionRank(r.Action) < actionRank(pick.Action) {
				pick = &cand
			}
			if !slices.ContainsFunc(r.Conds, func(c Cond) bool { return !c.alwaysHolds() }) {
				decided = true // no condition that can fail
				break
			}
		}
	}
	if pick != nil && !decided && actionRank(p.Default) < actionRank(pick.Action) {
		pick = &Decision{Action: p.Default, Syscall: -1, Rule: -1, Reason: "default action, through " + m.name}
	}
	return pick, nil
}

// actionRank is the kernel's precedence of an action among filters'
// verdicts: SECCOMP_RET_ACTION_FULL as a signed number, lowest first.
func actionRank(a Action) int32 {
	return int32(a.Ret() &^ 0xFFFF)
}

// abiOf returns the ABI of the policy that call d is made with, or 0 if it
// is none of them.
func (p *Policy) abiOf(d Data) (Arch, error) {
	arch, _, err := p.Arch.lookup()
	if err != nil {
		return 0, fmt.Errorf("seccomp: %w", err)
	}
	abis := append([]Arch{arch}, p.Compat...)
	const x32Bit = 0x40000000 // __X32_SYSCALL_BIT
	if d.Arch == ArchX86_64 {
		// Bit 30 is x32's, but -1 (a call a tracer skipped) is x86_64's
		// when the policy has it.
		want := ArchX86_64
		if d.Nr&x32Bit != 0 && (d.Nr != math.MaxUint32 || !slices.Contains(abis, ArchX86_64)) {
			want = ArchX32
		}
		if slices.Contains(abis, want) {
			return want, nil
		}
		return 0, nil
	}
	for _, a := range abis {
		if a != ArchX32 && d.Arch == a {
			return a, nil
		}
	}
	return 0, nil
}

// holds reports whether every condition of the rule holds for args.
func (r Rule) holds(args [6]uint64) (bool, error) {
	for _, c := range r.Conds {
		if err := c.validate(); err != nil {
			return false, err
		}
		a, v, m := args[c.Arg], c.Value, c.Mask
		if c.is32() {
			a, v, m = a&math.MaxUint32, v&math.MaxUint32, m&math.MaxUint32
		}
		var ok bool
		switch c.Op {
		case OpEqual:
			ok = a == v
		case OpNotEqual:
			ok = a != v
		case OpLess:
			ok = a < v
		case OpLessEqual:
			ok = a <= v
		case OpGreater:
			ok = a > v
		case OpGreaterEqual:
			ok = a >= v
		case OpMaskedEqual:
			ok = a&m == v
		}
		if !ok {
			return false, nil
		}
	}
	return true, nil
}
