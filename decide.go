package seccomp

import (
	"fmt"
	"math"
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
// d.Arch must be the policy's arch (the host's for the zero Arch) for a
// rule to decide; d.InstructionPointer is not read.
func (p *Policy) Decide(d Data) (Decision, error) {
	arch, info, err := p.Arch.lookup()
	if err != nil {
		return Decision{}, fmt.Errorf("seccomp: %w", err)
	}
	by := func(a Action, reason string) (Decision, error) {
		return Decision{Action: a, Syscall: -1, Rule: -1, Reason: reason}, nil
	}
	const x32Bit = 0x40000000 // __X32_SYSCALL_BIT
	switch {
	case uint32(d.Arch) != arch.auditArch(),
		arch == ArchX86_64 && d.Nr&x32Bit != 0 && d.Nr != math.MaxUint32,
		arch == ArchX32 && d.Nr&x32Bit == 0:
		return by(p.BadArch, "bad arch")
	}
	highest := -1
	for i, sc := range p.Syscalls {
		nr, _, err := identify(arch, info, sc)
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
