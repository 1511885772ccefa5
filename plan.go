package seccomp

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// This file is the compiler's first stage: it validates a policy and
// reduces it to a plan, per system call either a constant action or a chain
// of rules, sorted by number. The layouts (tree.go, bitmap.go) take a plan
// and never re-validate.

// enosys is the action UnknownENOSYS gives, ERRNO(ENOSYS): 38 on every
// supported arch, whatever the host's syscall.ENOSYS.
const enosys = Action(kindErrno)<<32 | 38

// plan is a validated policy reduced to what a layout needs: per system
// call, either a constant action or a chain of rules.
type plan struct {
	arch    Arch
	def     Action
	badArch Action
	// calls are the system calls whose outcome is not simply the default,
	// sorted by number.
	calls []callPlan
	// enosysAbove is the highest named syscall when UnknownENOSYS is set,
	// or -1.
	enosysAbove int64
	// tableBase is the arch's lowest system call number rounded down to a
	// multiple of 32: where the bitmap layout's words start (0, 4000 on
	// mips o32, 4992 on n64, bit 30 on x32).
	tableBase uint32
}

type callPlan struct {
	nr   uint32
	name string
	// rules is nil when the outcome does not depend on the arguments;
	// action is then the outcome.
	rules  []Rule
	action Action
	// floor is a lower bound on the instructions the rule chain takes
	// (chainFloor); 0 without rules.
	floor int
}

// errNoRules is returned for a Syscall entry with no rules at all: it
// would otherwise silently mean "the default".
var errNoRules = errors.New("no rules")

// plan validates a policy of one ABI and reduces it.
func (p *Policy) plan() (*plan, error) {
	pls, _, err := p.plans()
	if err != nil {
		return nil, err
	}
	return pls[0], nil
}

// plans validates the policy and reduces it, one plan per ABI, Arch's
// first, and returns the notes SkipMissing asks for.
func (p *Policy) plans() ([]*plan, []string, error) {
	if err := p.Default.Validate(); err != nil {
		return nil, nil, fmt.Errorf("seccomp: default action: %w", err)
	}
	if err := p.BadArch.Validate(); err != nil {
		return nil, nil, fmt.Errorf("seccomp: bad-arch action: %w", err)
	}
	set, err := p.abis()
	if err != nil {
		return nil, nil, err
	}
	if err := p.checkInputSize(); err != nil {
		return nil, nil, err
	}
	// An entry's reach: the ABIs it names, and for a name missing on one
	// of them, an error or (SkipMissing) a note.
	var notes []string
	skip := make([][]bool, len(set)) // skip[a][i]: entry i does not apply on set[a]
	for a := range set {
		skip[a] = make([]bool, len(p.Syscalls))
	}
	for i, sc := range p.Syscalls {
		if sc.Arch != 0 && !slices.Contains(set, sc.Arch) {
			label := fmt.Sprintf("syscall %d", sc.Nr)
			if sc.Name != "" {
				label = fmt.Sprintf("syscall %q", sc.Name)
			}
			return nil, nil, fmt.Errorf("seccomp: %s: arch %s is not one of the policy's", label, sc.Arch)
		}
		if sc.Name == "" && sc.Arch == 0 && len(set) > 1 {
			return nil, nil, fmt.Errorf("seccomp: syscall %d: a number names a call on one ABI, so the entry must set Arch in a policy of several", sc.Nr)
		}
		var missing []string
		have := 0
		for a, arch := range set {
			switch {
			case sc.Arch != 0 && sc.Arch != arch:
				skip[a][i] = true
			case sc.Name == "" || sc.Arch != 0 || !p.SkipMissing:
				// identify decides, and reports a missing name.
			case !hasName(arch, sc.Name) && !multiplexed(arch, sc.Name):
				skip[a][i] = true
				missing = append(missing, arch.String())
			default:
				have++
			}
		}
		if len(missing) > 0 {
			if have == 0 {
				return nil, nil, fmt.Errorf("seccomp: syscall %q: unknown on %s", sc.Name, strings.Join(missing, ", "))
			}
			notes = append(notes, fmt.Sprintf("syscall %q: not on %s, skipped there", sc.Name, strings.Join(missing, ", ")))
		}
	}
	pls := make([]*plan, len(set))
	for a, arch := range set {
		if pls[a], err = p.planABI(arch, skip[a]); err != nil {
			return nil, nil, err
		}
	}
	return pls, notes, nil
}

// abis returns the policy's ABIs, Arch's first, checked: each supported,
// none twice, one byte order.
func (p *Policy) abis() ([]Arch, error) {
	arch, _, err := p.Arch.lookup()
	if err != nil {
		return nil, fmt.Errorf("seccomp: %w", err)
	}
	set := []Arch{arch}
	for _, c := range p.Compat {
		if _, ok := archInfos[c]; !ok {
			return nil, fmt.Errorf("seccomp: compat arch: unsupported arch %#x", uint32(c))
		}
		if slices.Contains(set, c) {
			return nil, fmt.Errorf("seccomp: compat arch %s: listed twice", c)
		}
		if c.bigEndian() != arch.bigEndian() {
			return nil, fmt.Errorf("seccomp: compat arch %s: byte order differs from %s's, so no kernel runs both", c, arch)
		}
		set = append(set, c)
	}
	return set, nil
}

func hasName(arch Arch, name string) bool {
	_, ok := archInfos[arch].byName[name]
	return ok
}

// planABI reduces the entries that apply on one ABI (those skip leaves).
func (p *Policy) planABI(arch Arch, skip []bool) (*plan, error) {
	info := archInfos[arch]
	pl := &plan{arch: arch, def: p.Default, badArch: p.BadArch, enosysAbove: -1, tableBase: uint32(info.table.first) &^ 31}

	// Resolve the entries, then sort them by number, keeping the order of
	// those for one number (one uint64 key each sorts far faster than the
	// entries themselves), and join those.
	order := make([]uint64, 0, len(p.Syscalls))
	for i, sc := range p.Syscalls {
		if skip[i] {
			continue
		}
		if sc.Name != "" && sc.Arch == 0 && !hasName(arch, sc.Name) && multiplexed(arch, sc.Name) {
			continue // only through the multiplexer here (send on x86, say)
		}
		nr, name, err := identify(arch, info, sc)
		if err != nil {
			return nil, err
		}
		if len(sc.Rules) == 0 {
			return nil, fmt.Errorf("seccomp: %s: %w", syscallLabel(name, nr), errNoRules)
		}
		order = append(order, uint64(nr)<<32|uint64(i))
		if p.UnknownENOSYS {
			pl.enosysAbove = max(pl.enosysAbove, int64(nr))
		}
	}
	slices.Sort(order)
	joined := make([]callPlan, 0, len(order))
	owned := false // whether the last one's rules are a copy of our own
	for _, o := range order {
		nr, sc := uint32(o>>32), p.Syscalls[uint32(o)]
		if n := len(joined); n > 0 && joined[n-1].nr == nr {
			// Clip the first time, so that appending copies rather than
			// writing into the caller's array; after that the array is
			// ours, and appending to it in place keeps joining linear.
			rules := joined[n-1].rules
			if !owned {
				rules, owned = slices.Clip(rules), true
			}
			joined[n-1].rules = append(rules, sc.Rules...)
			continue
		}
		owned = false
		name := sc.Name
		if name == "" {
			name, _ = arch.SyscallName(int(nr))
		}
		joined = append(joined, callPlan{nr: nr, name: name, rules: sc.Rules})
	}

	// The multiplexers get the direct calls' rules first (multiplex.go).
	derived, err := p.derivedRules(arch, skip)
	if err != nil {
		return nil, err
	}
	for _, m := range multiplexers {
		rules := derived[m.name]
		if len(rules) == 0 {
			continue
		}
		nr := uint32(info.byName[m.name])
		if p.UnknownENOSYS {
			pl.enosysAbove = max(pl.enosysAbove, int64(nr))
		}
		i, found := slices.BinarySearchFunc(joined, nr, func(c callPlan, nr uint32) int { return cmp.Compare(c.nr, nr) })
		if found {
			joined[i].rules = append(rules, joined[i].rules...)
		} else {
			joined = slices.Insert(joined, i, callPlan{nr: nr, name: m.name, rules: rules})
		}
	}

	// Reduce each one's rules, leaving out those the default decides.
	pl.calls = joined[:0]
	for _, c := range joined {
		rules, err := reduceRules(c.rules, p.Default)
		if err != nil {
			return nil, fmt.Errorf("seccomp: %s %w", syscallLabel(c.name, int(c.nr)), err)
		}
		switch {
		case len(rules) == 0:
			continue // the default decides
		case constantOutcome(rules):
			c.rules, c.action = nil, rules[0].Action
		default:
			c.rules, c.floor = rules, chainFloor(rules)
		}
		pl.calls = append(pl.calls, c)
	}
	return pl, nil
}

// identify returns the number and name of an entry.
func identify(arch Arch, info *archInfo, sc Syscall) (int, string, error) {
	if sc.Name != "" {
		nr, ok := info.byName[sc.Name]
		if !ok {
			return 0, "", fmt.Errorf("seccomp: syscall %q: unknown on %s", sc.Name, arch)
		}
		if sc.Nr != 0 && sc.Nr != nr {
			return 0, "", fmt.Errorf("seccomp: syscall %q: Nr %d disagrees with the name's number %d on %s", sc.Name, sc.Nr, nr, arch)
		}
		return nr, sc.Name, nil
	}
	if sc.Nr < info.nrBase || sc.Nr >= info.nrBase+MaxSyscall {
		return 0, "", fmt.Errorf("seccomp: syscall %d: number out of range %d..%#x on %s", sc.Nr, info.nrBase, info.nrBase+MaxSyscall-1, arch)
	}
	name, _ := arch.SyscallName(sc.Nr)
	return sc.Nr, name, nil
}

func syscallLabel(name string, nr int) string {
	if name == "" {
		return fmt.Sprintf("syscall %d", nr)
	}
	return fmt.Sprintf("syscall %q (%d)", name, nr)
}

// reduceRules validates one system call's rules and drops those that cannot
// change its outcome: rules after an unconditional one (which must agree
// with it), and trailing rules whose action is the default anyway. The
// error starts with "rule N:" for the caller to prefix.
//
// Conditions that always hold are dropped (see Cond); the rules are then a
// copy, never the caller's slice changed in place.
func reduceRules(rules []Rule, def Action) ([]Rule, error) {
	in, end := rules, len(rules)
	copied := false
	for i, r := range rules {
		if err := r.Action.Validate(); err != nil {
			return nil, fmt.Errorf("rule %d: action: %w", i, err)
		}
		trivial := 0
		for j, c := range r.Conds {
			if err := c.validate(); err != nil {
				return nil, fmt.Errorf("rule %d: cond %d: %w", i, j, err)
			}
			if c.alwaysHolds() {
				trivial++
			}
		}
		if trivial > 0 {
			if !copied {
				rules, copied = slices.Clone(rules), true
			}
			rules[i].Conds = slices.DeleteFunc(slices.Clone(r.Conds), Cond.alwaysHolds)
		}
		if end == len(rules) && len(rules[i].Conds) == 0 {
			end = i + 1
		}
		if i >= end && r.Action != rules[end-1].Action {
			why := ""
			if len(in[end-1].Conds) > 0 {
				why = " (its conditions always hold)"
			}
			return nil, fmt.Errorf("rule %d: unreachable after unconditional rule %d%s, and its action %s contradicts %s", i, end-1, why, r.Action, rules[end-1].Action)
		}
	}
	rules = rules[:end]
	for len(rules) > 0 && rules[len(rules)-1].Action == def {
		rules = rules[:len(rules)-1]
	}
	return rules, nil
}

// constantOutcome reports whether rules decide the same action whatever
// the arguments: the last rule is unconditional and all agree with it.
func constantOutcome(rules []Rule) bool {
	last := rules[len(rules)-1]
	if len(last.Conds) != 0 {
		return false
	}
	for _, r := range rules {
		if r.Action != last.Action {
			return false
		}
	}
	return true
}
