package seccomp

import (
	"errors"
	"fmt"
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
	// arguments, in order of number.
	chains [][]Rule
	// enosysAbove is the highest named syscall when UnknownENOSYS is set,
	// or -1.
	enosysAbove int64
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
	pl := &w.pl
	*pl = plan{arch: arch, def: p.Default, badArch: p.BadArch, enosysAbove: -1, calls: pl.calls[:0], chains: pl.chains[:0]}

	// Resolve the entries, then order them by number, keeping the order of
	// those for one number: by counting where the numbers are no further
	// apart than the arch's table and the entries, as named ones are.
	// One slice holds the numbers, their order, and the counts.
	n := len(p.Syscalls)
	dense := n + len(info.table) // counted up to here
	if cap(w.nrs) < 2*n+dense+1 {
		w.nrs = make([]uint32, 2*n+dense+1)
	}
	buf := w.nrs[:2*n+dense+1]
	nrs, order, counts := buf[:n], buf[n:2*n], buf[2*n:]
	top := uint32(0)
	for i, sc := range p.Syscalls {
		nr, name, err := identify(arch, info, sc)
		if err != nil {
			return nil, err
		}
		if len(sc.Rules) == 0 {
			return nil, fmt.Errorf("seccomp: %s: %w", syscallLabel(name, nr), errNoRules)
		}
		nrs[i] = uint32(nr)
		top = max(top, uint32(nr))
	}
	if p.UnknownENOSYS && len(nrs) > 0 {
		pl.enosysAbove = int64(top)
	}
	var distinct int
	if int(top) < dense {
		clear(counts[:top+2])
		distinct = countByNumber(nrs, order, counts[:top+2])
	} else {
		distinct = sortByNumber(nrs, order)
	}

	// Join the rules of each number, reduce them, and leave out those the
	// default decides.
	if cap(pl.calls) < distinct {
		pl.calls = make([]callPlan, 0, distinct)
	}
	if pl.chains == nil {
		pl.chains = make([][]Rule, 0, 8)
	}
	for k := 0; k < len(order); {
		i := order[k]
		nr, rules := nrs[i], p.Syscalls[i].Rules
		k++
		for ; k < len(order) && nrs[order[k]] == nr; k++ {
			// Clip, so that appending copies rather than writing into
			// the caller's array.
			rules = append(slices.Clip(rules), p.Syscalls[order[k]].Rules...)
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
		}
	}
	return pl, nil
}

// countByNumber fills order with the indexes of nrs sorted by number,
// stably, by counting, and returns how many numbers are distinct. start
// has room for the highest number plus 2, zeroed.
func countByNumber(nrs, order, start []uint32) (distinct int) {
	// start[nr+1] counts number nr's entries, then start[nr] is where
	// they begin in order.
	for _, nr := range nrs {
		if start[nr+1] == 0 {
			distinct++
		}
		start[nr+1]++
	}
	for nr := 1; nr < len(start); nr++ {
		start[nr] += start[nr-1]
	}
	for i, nr := range nrs {
		order[start[nr]] = uint32(i)
		start[nr]++
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
		if sc.Nr > 0 && sc.Nr < len(info.table) && info.table[sc.Nr] == sc.Name {
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
	if sc.Nr < 0 || sc.Nr >= MaxSyscall {
		return 0, "", fmt.Errorf("seccomp: syscall %d: number out of range 0..%#x", sc.Nr, MaxSyscall-1)
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
func reduceRules(rules []Rule, def Action) ([]Rule, error) {
	end := len(rules)
	for i, r := range rules {
		if err := r.Action.Validate(); err != nil {
			return nil, fmt.Errorf("rule %d: action: %w", i, err)
		}
		for j, c := range r.Conds {
			if err := c.validate(); err != nil {
				return nil, fmt.Errorf("rule %d: cond %d: %w", i, j, err)
			}
		}
		if end == len(rules) && len(r.Conds) == 0 {
			end = i + 1
		}
		if i >= end && r.Action != rules[end-1].Action {
			return nil, fmt.Errorf("rule %d: unreachable after unconditional rule %d, and its action %s contradicts %s", i, end-1, r.Action, rules[end-1].Action)
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
