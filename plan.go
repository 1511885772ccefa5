package seccomp

import (
	"errors"
	"fmt"
	"math"
	"slices"
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
	// chains are the rules of the calls whose outcome depends on the
	// arguments, in order of number; floors[i] is a lower bound on the
	// instructions chains[i] takes (chainFloor).
	chains [][]Rule
	floors []int
	// scratch is memory for dispatchFloor's segments, kept with the plan;
	// with scratchSegments it holds segments(0), which emitTree reuses.
	scratch         segmentList
	scratchSegments bool
	// enosysAbove is the highest named syscall when UnknownENOSYS is set,
	// or -1.
	enosysAbove int64
	// tableBase is the arch's lowest system call number rounded down to a
	// multiple of 32: where the bitmap layout's words start (0, 4000 on
	// mips o32, 4992 on n64, bit 30 on x32).
	tableBase uint32
}

// callPlan holds no pointers, so that the garbage collector need not look
// at a policy's hundreds of calls.
type callPlan struct {
	nr uint32
	// chain is the index in plan.chains of the call's rules, or -1 when the
	// outcome does not depend on the arguments; action is then the
	// outcome.
	chain  int32
	action Action
}

func (c callPlan) hasRules() bool { return c.chain >= 0 }

// errNoRules is returned for a Syscall entry with no rules at all: it
// would otherwise silently mean "the default".
var errNoRules = errors.New("no rules")

// plan validates the policy and reduces it.
func (p *Policy) plan() (*plan, error) { return p.planIn(new(workspace)) }

// planIn is plan in w's memory: the plan is w.pl.
func (p *Policy) planIn(w *workspace) (*plan, error) {
	arch, info, err := p.Arch.lookup()
	if err != nil {
		return nil, fmt.Errorf("seccomp: %w", err)
	}
	if err := p.Default.Validate(); err != nil {
		return nil, fmt.Errorf("seccomp: default action: %w", err)
	}
	if err := p.BadArch.Validate(); err != nil {
		return nil, fmt.Errorf("seccomp: bad-arch action: %w", err)
	}
	if err := p.checkInputSize(); err != nil {
		return nil, err
	}
	pl := &w.pl
	*pl = plan{arch: arch, def: p.Default, badArch: p.BadArch, enosysAbove: -1, tableBase: uint32(info.table.first) &^ 31,
		calls: pl.calls[:0], chains: pl.chains[:0], floors: pl.floors[:0], scratch: pl.scratch}

	// Resolve the entries, then order them by number, keeping the order of
	// those for one number: by counting where the numbers lie no further
	// apart than the arch's table and the entries, as named ones do.
	// One slice holds the numbers, their order, and the counts.
	n := len(p.Syscalls)
	dense := n + len(info.table.names) // counted up to here
	if cap(w.nrs) < 2*n+dense+1 {
		w.nrs = make([]uint32, 2*n+dense+1)
	}
	buf := w.nrs[:2*n+dense+1]
	nrs, order, counts := buf[:n], buf[n:2*n], buf[2*n:]
	bottom, top := uint32(math.MaxUint32), uint32(0)
	for i, sc := range p.Syscalls {
		nr, name, err := identify(arch, info, sc)
		if err != nil {
			return nil, err
		}
		if len(sc.Rules) == 0 {
			return nil, fmt.Errorf("seccomp: %s: %w", syscallLabel(name, nr), errNoRules)
		}
		nrs[i] = uint32(nr)
		bottom, top = min(bottom, uint32(nr)), max(top, uint32(nr))
	}
	if p.UnknownENOSYS && n > 0 {
		pl.enosysAbove = int64(top)
	}
	var distinct int
	if n > 0 && int(top-bottom) < dense {
		clear(counts[:top-bottom+2])
		distinct = countByNumber(nrs, order, counts[:top-bottom+2], bottom)
	} else {
		distinct = sortByNumber(nrs, order)
	}

	// Join the rules of each number, reduce them, and leave out those the
	// default decides.
	if cap(pl.calls) < distinct {
		pl.calls = make([]callPlan, 0, distinct)
	}
	if pl.chains == nil {
		pl.chains, pl.floors = make([][]Rule, 0, 8), make([]int, 0, 8)
	}
	for k := 0; k < len(order); {
		i := order[k]
		nr, rules := nrs[i], p.Syscalls[i].Rules
		k++
		if k < len(order) && nrs[order[k]] == nr {
			// Clip, so that appending copies rather than writing into
			// the caller's array; after that the array is ours, and
			// appending to it in place keeps joining linear.
			rules = slices.Clip(rules)
		}
		for ; k < len(order) && nrs[order[k]] == nr; k++ {
			rules = append(rules, p.Syscalls[order[k]].Rules...)
		}
		if len(rules) == 1 && len(rules[0].Conds) == 0 && rules[0].Action.Validate() == nil {
			// One unconditional rule, as most are: what reduceRules
			// would make of it, without its loops.
			if a := rules[0].Action; a != p.Default {
				pl.calls = append(pl.calls, callPlan{nr: nr, chain: -1, action: a})
			}
			continue
		}
		rules, err := reduceRules(rules, p.Default)
		if err != nil {
			name := p.Syscalls[i].Name
			if name == "" {
				name, _ = arch.SyscallName(int(nr))
			}
			return nil, fmt.Errorf("seccomp: %s %w", syscallLabel(name, int(nr)), err)
		}
		switch {
		case len(rules) == 0:
			// the default decides
		case constantOutcome(rules):
			pl.calls = append(pl.calls, callPlan{nr: nr, chain: -1, action: rules[0].Action})
		default:
			pl.calls = append(pl.calls, callPlan{nr: nr, chain: int32(len(pl.chains))})
			pl.chains = append(pl.chains, rules)
			pl.floors = append(pl.floors, w.b.chainFloor(rules))
		}
	}
	return pl, nil
}

// countByNumber fills order with the indexes of nrs sorted by number,
// stably, by counting, and returns how many numbers are distinct. The
// numbers are base or above; start has room for the highest less base,
// plus 2, zeroed.
func countByNumber(nrs, order, start []uint32, base uint32) (distinct int) {
	// start[nr-base+1] counts number nr's entries, then start[nr-base] is
	// where they begin in order.
	for _, nr := range nrs {
		if start[nr-base+1] == 0 {
			distinct++
		}
		start[nr-base+1]++
	}
	for i := 1; i < len(start); i++ {
		start[i] += start[i-1]
	}
	for i, nr := range nrs {
		order[start[nr-base]] = uint32(i)
		start[nr-base]++
	}
	return distinct
}

// sortByNumber does what countByNumber does, for numbers too far apart to
// count: it sorts one uint64 key each, far faster than the entries.
func sortByNumber(nrs, order []uint32) (distinct int) {
	keys := make([]uint64, len(nrs))
	for i, nr := range nrs {
		keys[i] = uint64(nr)<<32 | uint64(i)
	}
	slices.Sort(keys)
	for k, key := range keys {
		order[k] = uint32(key)
		if k == 0 || key>>32 != keys[k-1]>>32 {
			distinct++
		}
	}
	return distinct
}

// identify returns the number and name of an entry.
func identify(arch Arch, info *archInfo, sc Syscall) (int, string, error) {
	if sc.Name != "" {
		if i := sc.Nr - info.table.first; sc.Nr != 0 && i >= 0 && i < len(info.table.names) && info.table.names[i] == sc.Name {
			// Both given and they agree: a name is at one number only
			// (TestIdentifyByNameAndNumber), so the map would say so too.
			return sc.Nr, sc.Name, nil
		}
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
