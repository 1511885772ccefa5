package seccomp

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"unsafe"
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
	// runs counts the runs of pl.calls (addCall).
	runs int
	// ceiling is more than the section can emit before the assembler's
	// stand-ins (sectionCeiling and ruleCeiling); floors are computed
	// only when it nears the kernel's limit (checkFloor).
	ceiling int
	// muxRules and muxConds are memory for the multiplexers' derived
	// rules (derivedRules).
	muxRules [numMultiplexers][]Rule
	muxConds [numMultiplexers][]Cond
	// chainLabels are the chains' labels in the builder's pool, shared
	// with other sections' equal chains (poolChains); tree layout only.
	chainLabels []label
	// scratch is memory for dispatchFloor's segments, kept with the plan;
	// with scratchSegments it holds segments(nil), which labeledSegments
	// relabels; else the tree layout's own segments.
	scratch         segmentList
	scratchSegments bool
	// enosysAbove is the highest named syscall when UnknownENOSYS is set,
	// or -1.
	enosysAbove int64
	// tableBase is the arch's lowest system call number rounded down to a
	// multiple of 32: where the bitmap layout's words start (0, 4000 on
	// mips o32, 4992 on n64, bit 30 on x32).
	tableBase uint32
	// x32Apart is set on x86_64's plan when the program has an x32 section
	// too: the numbers with bit 30 set go there before this plan's layout
	// sees them, so its tree need not send them away.
	x32Apart bool
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

// plan validates a policy of one ABI and reduces it.
func (p *Policy) plan() (*plan, error) {
	pls, _, err := p.plansIn(new(workspace))
	if err != nil {
		return nil, err
	}
	return pls[0], nil
}

// plansIn validates the policy and reduces it in w's memory, one plan per
// ABI, Arch's first (w.pls), and returns the notes SkipMissing asks for.
func (p *Policy) plansIn(w *workspace) ([]*plan, []string, error) {
	if err := p.Default.Validate(); err != nil {
		return nil, nil, fmt.Errorf("seccomp: default action: %w", err)
	}
	if err := p.BadArch.Validate(); err != nil {
		return nil, nil, fmt.Errorf("seccomp: bad-arch action: %w", err)
	}
	set, err := p.abis(w.set[:0])
	w.set = set
	if err != nil {
		return nil, nil, err
	}
	if err := p.checkInputSize(); err != nil {
		return nil, nil, err
	}
	// An entry's reach: the ABIs it names, and for a name missing on one
	// of them, an error or (SkipMissing) a note. applies[a] lists the
	// entries that apply on set[a], in policy order; with one ABI, all
	// (identify reports a missing name).
	var notes []string
	n := len(p.Syscalls)
	if cap(w.idx) < len(set)*n {
		w.idx = make([]uint32, len(set)*n)
	}
	if cap(w.applies) < len(set) {
		w.applies = make([][]uint32, len(set))
	}
	applies := w.applies[:len(set)]
	for a := range set {
		applies[a] = w.idx[a*n : a*n : (a+1)*n]
	}
	if len(set) == 1 {
		// One ABI: every entry applies, in order.
		for i := range p.Syscalls {
			if a := p.Syscalls[i].Arch; a != 0 && a != set[0] {
				return nil, nil, p.notInSet(i)
			}
			applies[0] = append(applies[0], uint32(i))
		}
	}
	grouped := len(set) > 1 && p.groupedApplies(w, set, applies)
	lastArch, lastIndex := Arch(0), -1
	for i := range p.Syscalls {
		if len(set) == 1 || grouped {
			break
		}
		sc := &p.Syscalls[i]
		a := -1
		if sc.Arch != 0 {
			// Entries come grouped by ABI, as the importer writes them:
			// the last one's ABI first.
			if sc.Arch == lastArch {
				a = lastIndex
			} else if a = slices.Index(set, sc.Arch); a < 0 {
				return nil, nil, p.notInSet(i)
			}
			lastArch, lastIndex = sc.Arch, a
		}
		if sc.Name == "" && sc.Arch == 0 {
			return nil, nil, fmt.Errorf("seccomp: syscall %d: a number names a call on one ABI, so the entry must set Arch in a policy of several", sc.Nr)
		}
		if a >= 0 {
			applies[a] = append(applies[a], uint32(i))
			continue
		}
		var missing []string
		have := 0
		for a, arch := range set {
			switch {
			case !p.SkipMissing:
				// identify decides, and reports a missing name.
			case !hasName(arch, sc.Name) && !multiplexed(arch, sc.Name):
				missing = append(missing, arch.String())
				continue
			default:
				have++
			}
			applies[a] = append(applies[a], uint32(i))
		}
		if len(missing) > 0 {
			if have == 0 {
				return nil, nil, fmt.Errorf("seccomp: syscall %q: unknown on %s", sc.Name, strings.Join(missing, ", "))
			}
			notes = append(notes, fmt.Sprintf("syscall %q: not on %s, skipped there", sc.Name, strings.Join(missing, ", ")))
		}
	}
	w.grow(len(set))
	pls := w.ptrs[:len(set)]
	// x32's plan may be x86_64's renumbered (deriveX32): x86_64's notes
	// what it needs.
	x32At := slices.Index(set, ArchX32)
	w.rec.on, w.rec.derived = false, false
	for a, arch := range set {
		if a == 0 && arch == ArchX86_64 && x32At > 0 && grouped && !p.SkipMissing {
			w.rec.start()
		}
		if a == x32At && p.deriveX32(w, pls[0], pls[a], &w.rec, applies[a]) {
			w.rec.derived = true
			continue
		}
		if err := p.planABI(w, pls[a], set[0], arch, applies[a]); err != nil {
			return nil, nil, err
		}
	}
	w.rec.on = false
	if slices.Contains(set, ArchX32) {
		for _, pl := range pls {
			pl.x32Apart = pl.arch == ArchX86_64
		}
	}
	return pls, notes, nil
}

// groupedApplies fills applies, and reports true, when each ABI's
// entries are one run, as the importer writes them, with the entries of
// every ABI (Arch unset, named) in the first ABI's run: the first ABI's
// list, and each other's where no entry is for every ABI, is then a slice
// of one array of 0, 1, 2, ... (workspace.identity), and the others' are
// the entries of every ABI, then their own. Otherwise the caller's loop
// does the work, and reports what is wrong; so it does under SkipMissing
// for the entries of every ABI, which it must look up on each.
func (p *Policy) groupedApplies(w *workspace, set []Arch, applies [][]uint32) bool {
	var start, end [16]int
	var seen [16]bool
	if len(set) > len(seen) {
		return false
	}
	// The entries of every ABI are listed where the first ABI's list
	// would start, as that is a slice of identity, and copied to the
	// others'.
	n := len(p.Syscalls)
	every := w.idx[:0:n]
	cur := -1
	for i := range p.Syscalls {
		sc := &p.Syscalls[i]
		a := sc.Arch
		if a == 0 {
			if sc.Name == "" || p.SkipMissing {
				return false
			}
			a = set[0]
			every = append(every, uint32(i))
		}
		if cur >= 0 && set[cur] == a {
			continue
		}
		if cur >= 0 {
			end[cur] = i
		}
		k := slices.Index(set, a)
		if k < 0 || seen[k] {
			return false
		}
		seen[k], start[k], cur = true, i, k
	}
	if cur >= 0 {
		end[cur] = len(p.Syscalls)
	}
	identity := w.identity(len(p.Syscalls))
	for k := range set {
		applies[k] = identity[start[k]:end[k]:end[k]] // empty where unseen
	}
	if len(every) == 0 {
		return true
	}
	for k := 1; k < len(set); k++ {
		list := append(w.idx[k*n:k*n:(k+1)*n], every...)
		applies[k] = append(list, applies[k]...)
	}
	return true
}

// notInSet is the error for entry i, whose Arch is none of the policy's.
func (p *Policy) notInSet(i int) error {
	sc := &p.Syscalls[i]
	label := fmt.Sprintf("syscall %d", sc.Nr)
	if sc.Name != "" {
		label = fmt.Sprintf("syscall %q", sc.Name)
	}
	return fmt.Errorf("seccomp: %s: arch %s is not one of the policy's", label, sc.Arch)
}

// abis appends the policy's ABIs to set, Arch's first, checked: each
// supported, none twice, one byte order.
func (p *Policy) abis(set []Arch) ([]Arch, error) {
	arch, _, err := p.Arch.lookup()
	if err != nil {
		return set, fmt.Errorf("seccomp: %w", err)
	}
	set = append(set, arch)
	for _, c := range p.Compat {
		if _, ok := archInfos[c]; !ok {
			return set, fmt.Errorf("seccomp: compat arch: unsupported arch %#x", uint32(c))
		}
		if slices.Contains(set, c) {
			return set, fmt.Errorf("seccomp: compat arch %s: listed twice", c)
		}
		if c.bigEndian() != arch.bigEndian() {
			return set, fmt.Errorf("seccomp: compat arch %s: byte order differs from %s's, so no kernel runs both", c, arch)
		}
		set = append(set, c)
	}
	return set, nil
}

func hasName(arch Arch, name string) bool {
	_, ok := archInfos[arch].byName[name]
	return ok
}

// planABI reduces, into pl, the entries that apply on one ABI (the
// indexes applies lists, in policy order), in w's memory; target is the
// policy's first ABI.
func (p *Policy) planABI(w *workspace, pl *plan, target, arch Arch, applies []uint32) error {
	info := archInfos[arch]
	// On another ABI than the first, an entry of every ABI numbers its
	// name on the first (Syscall.Nr), and cross finds the name here.
	var cross []int32
	var first *archInfo
	if arch != target {
		first = archInfos[target]
		cross = crossNumbers(first, info)
	}
	*pl = plan{arch: arch, def: p.Default, badArch: p.BadArch, enosysAbove: -1, tableBase: uint32(info.table.first) &^ 31,
		calls: pl.calls[:0], chains: pl.chains[:0], floors: pl.floors[:0], scratch: pl.scratch, chainLabels: pl.chainLabels[:0], muxRules: pl.muxRules, muxConds: pl.muxConds}

	// Resolve the entries, then order them by number, keeping the order of
	// those for one number: by counting where the numbers lie no further
	// apart than the arch's table and the entries, as named ones do.
	// One slice holds the numbers, their entries, their order, and the
	// counts.
	n := len(applies)
	dense := n + len(info.table.names) // counted up to here
	if cap(w.nrs) < 3*n+dense+1 {
		w.nrs = make([]uint32, 3*n+dense+1)
	}
	buf := w.nrs[:3*n+dense+1]
	nrs, entries, order, counts := buf[:0:n], buf[n:2*n], buf[2*n:3*n], buf[3*n:]
	if cap(w.acts) < n {
		w.acts = make([]Action, n)
	}
	acts := w.acts[:n]
	// x86_64's plan notes what deriveX32 needs: of its entries of every
	// ABI, how many, whether x32 has each, and x32's highest number.
	rec, recording := &w.rec, w.rec.on && arch == ArchX86_64
	var to32 []int32
	if recording {
		to32 = crossNumbers(info, archInfos[ArchX32])
	}
	bottom, top := uint32(math.MaxUint32), uint32(0)
	// subs are the entries of the multiplexers' sub-calls, named, in
	// policy order (derivedRules).
	subs := w.subs[:0]
	for _, i := range applies {
		sc := &p.Syscalls[i]
		nr, name, err := sc.Nr, sc.Name, error(nil)
		if cross != nil && sc.Arch == 0 {
			if at := sc.Nr - first.table.first; sc.Name != "" && sc.Nr != 0 && at >= 0 && at < len(cross) && cross[at] != 0 && sameString(first.table.names[at], sc.Name) {
				nr = int(cross[at]) - 1
			} else {
				nr, name, err = identifyOn(target, arch, info, sc)
			}
		} else if at := sc.Nr - info.table.first; sc.Name == "" || sc.Nr == 0 || at < 0 || at >= len(info.table.names) || !sameString(info.table.names[at], sc.Name) {
			nr, name, err = identifySlow(arch, info, sc) // identify, past the fast path written out here
		}
		if err != nil {
			if sc.Name != "" && sc.Arch == 0 && !hasName(arch, sc.Name) && multiplexed(arch, sc.Name) {
				if len(sc.Rules) == 0 {
					return fmt.Errorf("seccomp: syscall %q: %w", sc.Name, errNoRules)
				}
				subs = append(subs, i)
				continue // only through the multiplexer here (send on x86, say)
			}
			return err
		}
		if at := nr - info.table.first; info.subCallAt != nil && sc.Name != "" && at >= 0 && at < len(info.subCallAt) && info.subCallAt[at] {
			subs = append(subs, i)
		}
		if len(sc.Rules) == 0 {
			return fmt.Errorf("seccomp: %s: %w", syscallLabel(name, nr), errNoRules)
		}
		// One unconditional rule, as most entries are: read here, in
		// the entries' order, and not again in the numbers' below.
		act, ok := unconditional(sc.Rules)
		if !ok {
			act = complexRules
		}
		acts[len(nrs)] = act
		entries[len(nrs)] = i
		nrs = append(nrs, uint32(nr))
		bottom, top = min(bottom, uint32(nr)), max(top, uint32(nr))
	}
	order = order[:len(nrs)]
	if to32 != nil {
		// Apart from the loop above, which x86_64 alone runs as fast.
		for j, nr := range nrs {
			if p.Syscalls[entries[j]].Arch != 0 {
				rec.own = append(rec.own, entries[j])
				continue
			}
			rec.every++
			if at := int(nr) - info.table.first; at >= 0 && at < len(to32) && to32[at] != 0 {
				rec.top32 = max(rec.top32, int(to32[at])-1)
			} else {
				rec.missing = true
			}
		}
	}

	// The multiplexers get the direct calls' rules first (multiplex.go).
	w.subs = subs
	derived, err := p.derivedRules(pl, arch, subs)
	if err != nil {
		return err
	}
	var muxes [2]muxCall // by number
	nmux := 0
	for mi, m := range multiplexers {
		if rules := derived[mi]; len(rules) > 0 {
			nr := uint32(info.muxNr[mi])
			muxes[nmux] = muxCall{nr: nr, name: m.name, rules: rules}
			nmux++
			top = max(top, nr)
		}
	}
	if nmux == 2 && muxes[1].nr < muxes[0].nr {
		muxes[0], muxes[1] = muxes[1], muxes[0]
	}
	if p.UnknownENOSYS && (len(nrs) > 0 || nmux > 0) {
		pl.enosysAbove = int64(top)
	}
	var distinct int
	if len(nrs) > 0 && int(top-bottom) < dense {
		clear(counts[:top-bottom+2])
		var ok bool
		if distinct, ok = slotByNumber(nrs, order, counts[:top-bottom+1], bottom); !ok {
			clear(counts[:top-bottom+2])
			distinct = countByNumber(nrs, order, counts[:top-bottom+2], bottom)
		}
	} else {
		distinct, w.keys = sortByNumber(nrs, order, w.keys)
	}

	// Join the rules of each number, reduce them, and leave out those the
	// default decides.
	if cap(pl.calls) < distinct+nmux {
		pl.calls = make([]callPlan, 0, distinct+nmux)
	}
	if pl.chains == nil {
		pl.chains, pl.floors = make([][]Rule, 0, 8), make([]int, 0, 8)
	}
	mux := muxes[:nmux]
	for k := 0; k < len(order); {
		j := order[k]
		nr := nrs[j]
		for len(mux) > 0 && mux[0].nr < nr {
			if err := pl.add(w, mux[0].nr, mux[0].rules, true, mux[0].name); err != nil {
				return err
			}
			mux = mux[1:]
			if recording {
				rec.alone = false
			}
		}
		k++
		alone := (len(mux) == 0 || mux[0].nr != nr) && (k == len(order) || nrs[order[k]] != nr)
		if a := acts[j]; a != complexRules && alone {
			// The number's one entry, of one unconditional rule: what
			// reduceRules would make of it, without its loops.
			if a != p.Default {
				pl.addCall(callPlan{nr: nr, chain: -1, action: a})
				if recording {
					rec.callFrom = append(rec.callFrom, rec.from(p, entries[j]))
				}
			}
			continue
		}
		i := entries[j]
		from := int32(-1) // the entry a call comes from, for rec; -1 for several
		if recording {
			if rec.alone = rec.alone && alone; alone {
				from = rec.from(p, i)
			}
		}
		calls := len(pl.calls)
		rules := p.Syscalls[i].Rules
		owned := false // whether rules is the plan's own array
		if len(mux) > 0 && mux[0].nr == nr {
			if a, ok := unconditional(rules); ok && (k == len(order) || nrs[order[k]] != nr) && allOf(mux[0].rules, a) {
				// The multiplexer's one entry is one unconditional rule,
				// and every derived rule has its action: reduceRules
				// would drop them all, as Docker's allow of socketcall
				// drops its sub-calls' allows.
				mux = mux[1:]
			} else {
				// The derived rules come first, the multiplexer's own
				// after, in the plan's memory (derivedRules leaves room).
				rules, owned = append(mux[0].rules, rules...), true
				mux = mux[1:]
			}
		} else if k < len(order) && nrs[order[k]] == nr {
			// Clip, so that appending copies rather than writing into
			// the caller's array; after that the array is ours, and
			// appending to it in place keeps joining linear.
			rules, owned = slices.Clip(rules), true
		}
		for ; k < len(order) && nrs[order[k]] == nr; k++ {
			rules = append(rules, p.Syscalls[entries[order[k]]].Rules...)
		}
		if a, ok := unconditional(rules); ok {
			// One unconditional rule, as most are: what reduceRules
			// would make of it, without pl.add.
			if a != p.Default {
				pl.addCall(callPlan{nr: nr, chain: -1, action: a})
			}
		} else if err := pl.add(w, nr, rules, owned, p.Syscalls[i].Name); err != nil {
			return err
		}
		if recording && len(pl.calls) > calls {
			rec.callFrom = append(rec.callFrom, from)
		}
	}
	for _, m := range mux {
		if err := pl.add(w, m.nr, m.rules, true, m.name); err != nil {
			return err
		}
		if recording {
			rec.alone = false
		}
	}
	return nil
}

// unconditional returns the action of rules that are one valid
// unconditional rule, as most entries' are, and reports whether they are.
func unconditional(rules []Rule) (Action, bool) {
	if len(rules) == 1 && len(rules[0].Conds) == 0 && rules[0].Action.valid() {
		return rules[0].Action, true
	}
	return 0, false
}

// allOf reports whether every rule has action a.
func allOf(rules []Rule, a Action) bool {
	for _, r := range rules {
		if r.Action != a {
			return false
		}
	}
	return true
}

// complexRules marks, in planABI, an entry of more than one unconditional
// rule: no valid Action has its value.
const complexRules = ^Action(0)

// addCall appends c, in number order, counting the runs of consecutive
// numbers with one constant outcome (sectionCeiling); a call with rules
// is a run of its own.
func (pl *plan) addCall(c callPlan) {
	if n := len(pl.calls); n == 0 || c.hasRules() || pl.calls[n-1].hasRules() || c.nr != pl.calls[n-1].nr+1 || c.action != pl.calls[n-1].action {
		pl.runs++
	}
	pl.calls = append(pl.calls, c)
}

// muxCall is a multiplexer's derived rules, for planABI.
type muxCall struct {
	nr    uint32
	name  string
	rules []Rule
}

// add reduces the rules of the call numbered nr, named name if it is
// known, and adds it to the plan unless the default decides it; owned says
// that rules is the plan's own array, which reduceRules may change.
func (pl *plan) add(w *workspace, nr uint32, rules []Rule, owned bool, name string) error {
	rules, err := reduceRules(rules, pl.def, owned)
	if err != nil {
		if name == "" {
			name, _ = pl.arch.SyscallName(int(nr))
		}
		return fmt.Errorf("seccomp: %s %w", syscallLabel(name, int(nr)), err)
	}
	switch {
	case len(rules) == 0:
		// the default decides
	case constantOutcome(rules):
		pl.addCall(callPlan{nr: nr, chain: -1, action: rules[0].Action})
	default:
		pl.addCall(callPlan{nr: nr, chain: int32(len(pl.chains))})
		pl.chains = append(pl.chains, rules)
		for _, r := range rules {
			pl.ceiling += ruleCeiling(r)
		}
	}
	return nil
}

// slotByNumber does what countByNumber does when no number has two
// entries, as in most policies, in fewer passes: each entry takes its
// number's slot, and the slots in order are the entries in order. It
// reports false, leaving slots dirty, on a number given twice.
func slotByNumber(nrs, order, slots []uint32, base uint32) (distinct int, ok bool) {
	for j, nr := range nrs {
		s := &slots[nr-base]
		if *s != 0 {
			return 0, false
		}
		*s = uint32(j) + 1
	}
	k := 0
	for _, s := range slots {
		if s != 0 {
			order[k] = s - 1
			k++
		}
	}
	return k, true
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
func sortByNumber(nrs, order []uint32, keys []uint64) (distinct int, scratch []uint64) {
	if cap(keys) < len(nrs) {
		keys = make([]uint64, len(nrs))
	}
	keys = keys[:len(nrs)]
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
	return distinct, keys
}

// identify returns the number and name of an entry.
func identify(arch Arch, info *archInfo, sc *Syscall) (int, string, error) {
	if i := sc.Nr - info.table.first; sc.Name != "" && sc.Nr != 0 && i >= 0 && i < len(info.table.names) && info.table.names[i] == sc.Name {
		// Both given and they agree: a name is at one number only
		// (TestIdentifyByNameAndNumber), so the map would say so too.
		return sc.Nr, sc.Name, nil
	}
	return identifySlow(arch, info, sc)
}

// sameString is a == b, at once where both are one string, as an
// imported entry's name is the table's: the compiler calls memequal
// after comparing the lengths, and memequal compares the pointers.
func sameString(a, b string) bool {
	return len(a) == len(b) && (unsafe.StringData(a) == unsafe.StringData(b) || a == b)
}

// identifyOn returns the number and name of an entry on arch, one of the
// ABIs of a policy whose first is target. An entry of every ABI (Arch
// unset) that gives both Name and Nr gives the name's number on target:
// checked there, and the name alone counts on the others.
func identifyOn(target, arch Arch, info *archInfo, sc *Syscall) (int, string, error) {
	if sc.Arch != 0 || arch == target || sc.Name == "" || sc.Nr == 0 {
		return identify(arch, info, sc)
	}
	if _, _, err := identify(target, archInfos[target], sc); err != nil {
		return 0, "", err
	}
	byName := *sc
	byName.Nr = 0
	return identifySlow(arch, info, &byName)
}

// identifySlow is identify past its fast path, apart so that the fast
// path inlines.
func identifySlow(arch Arch, info *archInfo, sc *Syscall) (int, string, error) {
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
// with it), the rules of its action just before it, and trailing rules
// whose action is the default anyway. The error starts with "rule N:" for
// the caller to prefix.
//
// Conditions that always hold are dropped (see Cond). Rules changed are a
// copy, never the caller's slice changed in place, unless owned says that
// the slice is the plan's own.
func reduceRules(rules []Rule, def Action, owned bool) ([]Rule, error) {
	if a, ok := unconditional(rules); ok { // what the loops below make of it
		if a == def {
			return rules[:0], nil
		}
		return rules, nil
	}
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
	if n := len(rules); n > 1 && len(rules[n-1].Conds) == 0 && rules[n-2].Action == rules[n-1].Action {
		// A rule just before an unconditional one of its action decides
		// nothing: matched or not, that action follows (as socketcall's
		// sub-calls do, before Docker's allow of socketcall itself).
		k := n - 1
		for k > 0 && rules[k-1].Action == rules[n-1].Action {
			k--
		}
		if owned || copied {
			rules[k] = rules[n-1]
			rules = rules[:k+1]
		} else {
			rules = append(slices.Clip(rules[:k]), rules[n-1])
		}
	}
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
