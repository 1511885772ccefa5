package seccomp

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
)

// This file bounds the work a policy can cause. Limits on the input are
// checked before anything else; then the plan computes, per system call, a
// lower bound on the instructions its rule chain takes (every condition
// costs at least one jump), so that a policy certain to exceed the kernel's
// 4096 instructions is refused before anything is emitted, in time and
// memory linear in its size, naming what makes it large.

// Limits on a policy's size, checked before any other work so that a
// caller compiling policies it does not trust (a service, say) spends
// bounded time and memory on each. Real profiles are far smaller: Docker's
// default has a few hundred rules.
const (
	// MaxRules bounds the rules of all of a policy's entries together
	// (and so the entries, each of which needs a rule).
	MaxRules = 1 << 16
	// MaxConds bounds the conditions of all of a policy's rules together.
	MaxConds = 1 << 16
)

// ErrTooLarge is the error, tested with errors.Is, for a policy too large
// to compile: over MaxRules or MaxConds, or needing more instructions than
// the kernel's limit of 4096 (BPF_MAXINSNS). The message says which, and for
// the instruction limit names the system calls that take the most.
var ErrTooLarge = errors.New("seccomp: policy too large")

// sizeError is an ErrTooLarge with its own message.
type sizeError struct{ msg string }

func (e *sizeError) Error() string        { return e.msg }
func (e *sizeError) Is(target error) bool { return target == ErrTooLarge }

// checkInputSize refuses a policy over MaxRules or MaxConds, in time
// linear in its number of entries.
func (p *Policy) checkInputSize() error {
	rules, conds := 0, 0
	for _, sc := range p.Syscalls {
		rules += len(sc.Rules)
		if rules > MaxRules {
			break
		}
		for _, r := range sc.Rules {
			conds += len(r.Conds)
		}
		if conds > MaxConds {
			break
		}
	}
	switch {
	case len(p.Syscalls) > MaxRules || rules > MaxRules:
		return &sizeError{fmt.Sprintf("seccomp: policy has over %d rules (MaxRules) in %d entries", MaxRules, len(p.Syscalls))}
	case conds > MaxConds:
		return &sizeError{fmt.Sprintf("seccomp: policy has over %d conditions (MaxConds)", MaxConds)}
	}
	return nil
}

// computeFloors fills pl.floors, once: a chain's floor for each chain.
func (pl *plan) computeFloors(b *builder) {
	if len(pl.floors) == len(pl.chains) {
		return
	}
	pl.floors = pl.floors[:0]
	for _, rules := range pl.chains {
		pl.floors = append(pl.floors, b.chainFloor(rules))
	}
}

// ruleCeiling is more than emitRules can emit for a rule: a 64-bit
// condition takes at most six instructions (two loads and three jumps;
// masked, two loads, two ands and two jumps; emitCond), a run of equal
// values no more per rule, and the rule its return and a jump. checkFloor
// counts the assembler's stand-ins, at most two a jump.
func ruleCeiling(r Rule) int { return 2 + 6*len(r.Conds) }

// sectionCeiling is more than a section emits besides its chains: the
// frame (8 at most) and the dispatch. The tree's search takes a jump a
// segment at most, heavy chains' jeqs included, and the segments are at
// most two a run of calls with one outcome and 7 more; x32's difference
// search takes fewer than 100 (emitX32Diff). The bitmap layout takes a
// jeq a call at most, and some 80 for its words.
func (pl *plan) sectionCeiling(layout Layout) int {
	if layout == LayoutBitmap {
		return 8 + len(pl.calls) + 80
	}
	n := 8 + 2*pl.runs + 7
	if pl.arch == ArchX32 {
		n += 100
	}
	return n
}

// frameFloor is what emitSections emits for a single ABI: ld arch, jeq,
// ld nr, and on x86_64 the x32 checks, which the tree layout leaves to its
// search.
func frameFloor(arch Arch, layout Layout) int {
	if arch == ArchX86_64 && layout == LayoutBitmap {
		return 5
	}
	return 3
}

// chainFloor returns a lower bound on the instructions emitRules emits for
// a system call's (reduced) rules, following it: each rule outside an
// equality run costs its conditions and its return; a run costs at least
// its search.
func (b *builder) chainFloor(rules []Rule) int {
	n := 0
	for i := 0; i < len(rules); {
		k := valueRun(rules[i:])
		if k > 1 {
			n += b.runFloor(rules[i : i+k])
		} else {
			for _, c := range rules[i].Conds {
				n += condFloor(c)
			}
			n++ // the rule's return
		}
		i += k
	}
	return n
}

// condFloor is a lower bound on what emitCond emits for c: loads of a word
// the accumulator may hold already are not counted, every jump is.
func condFloor(c Cond) int {
	if c.Op == OpMaskedEqual {
		halves := 0
		if !c.is32() && c.Mask>>32 != 0 {
			halves++
		}
		if uint32(c.Mask) != 0 {
			halves++
		}
		if halves == 2 {
			return 3 // a jump per half, and the load of the low half
		}
		return halves
	}
	if c.is32() {
		return 1
	}
	// The high half's test, the low half's load and its test.
	hiJumps := 1
	switch c.Op {
	case OpGreater, OpGreaterEqual, OpLess, OpLessEqual:
		if hi := uint32(c.Value >> 32); hi != 0 && hi != math.MaxUint32 {
			hiJumps = 2
		}
	}
	return hiJumps + 2
}

// runFloor is a lower bound on what emitValueRun emits for rules: a 64-bit
// run tests the high half and loads the low one; then a test per range
// where that is what it does, else a search over the segments of the
// ranges, whose every jump splits at most three ways (see emitSearch), so
// s segments take at least (s-1)/2 jumps.
func (b *builder) runFloor(rules []Rule) int {
	n := 0
	if !rules[0].Conds[0].is32() {
		n += 2
	}
	// Stand-ins for the run's two targets (which differ: reduceRules
	// leaves no trailing run whose action is the default).
	fail, hit := toRetK(0), toRetK(1)
	joined, segs, linear := b.valueRunShape(rules, hit, fail)
	if linear {
		return n + len(joined)
	}
	return n + len(segs)/2 // (segs-1)/2, rounded up
}

// dispatchFloor is a lower bound on the instructions the layout spends
// sending a number to its outcome: the tree's search over the segments of
// the number line takes at least (s-1)/2 jumps for s segments (see
// runFloor); the bitmap layout tests each number with a chain, a constant
// outcome other than allow, or an allow outside the bitmap with a jeq.
func (pl *plan) dispatchFloor(layout Layout) int {
	if layout == LayoutTree {
		pl.scratch, pl.scratchSegments = pl.segments(nil, pl.scratch), true
		return len(pl.scratch) / 2
	}
	n := 0
	for _, c := range pl.calls {
		inBitmap := c.nr >= pl.tableBase && c.nr-pl.tableBase < 32*bitmapWords
		if c.hasRules() || c.action != Allow || !inBitmap {
			n++
		}
	}
	return n
}

// sectionFrameFloor is what emitSections emits for the plan's section
// besides its layout, in a program serving set: the jeq on its arch value
// and the load of the number (x32's shared with x86_64's when both are
// there), and the x32 checks: a jset where x32 and x86_64 meet, and on
// x86_64 alone the bitmap's two (the tree leaves them to its search).
func sectionFrameFloor(pl *plan, layout Layout, set []*plan) int {
	has := func(a Arch) bool {
		return slices.ContainsFunc(set, func(o *plan) bool { return o.arch == a })
	}
	switch {
	case pl.arch == ArchX32 && has(ArchX86_64):
		return 0 // x86_64's section sends x32's numbers here
	case pl.arch == ArchX32, pl.arch == ArchX86_64 && has(ArchX32):
		return 3
	}
	return frameFloor(pl.arch, layout) - 1
}

// checkFloor refuses plans certain to exceed the kernel's limit with the
// layout: the load of the arch, then per section its frame, its dispatch
// and its chains' floors already go over it. The error names what is
// largest in the largest section.
func checkFloor(b *builder, pls []*plan, layout Layout) error {
	// A policy far from the limit, as real ones are, needs no floors: a
	// ceiling on what it can emit, stand-ins included, says so at once.
	ceiling := 1
	for _, pl := range pls {
		ceiling += pl.sectionCeiling(layout) + pl.ceiling
	}
	if 3*ceiling <= maxInsns {
		return nil
	}
	for _, pl := range pls {
		pl.computeFloors(b)
	}
	// Counting shared chains once only lowers the total: it takes the
	// hashing only when the total without it is over the limit.
	total, worst, worstDispatch := floorTotal(pls, layout, false)
	if total > maxInsns && layout == LayoutTree && len(pls) > 1 {
		total, worst, worstDispatch = floorTotal(pls, layout, true)
	}
	if total <= maxInsns {
		return nil
	}
	return &sizeError{fmt.Sprintf("seccomp: program needs at least %d instructions, over the kernel's limit of %d: %s", total, maxInsns, worst.largest(worstDispatch, len(pls) > 1))}
}

// floorTotal adds up the floors of plans whose chains' floors are
// computed: the load of the arch, then per section its frame, its dispatch
// and its chains'; worst is the section whose floors are the largest, and
// worstDispatch its dispatch's. With shared, as in the tree layout of
// several sections, where they share equal chains (poolChains), each
// chain counts once, in the first section that has it; and x32's numbers
// may enter x86_64's search (emitX32Diff), so its own counts nothing.
func floorTotal(pls []*plan, layout Layout, shared bool) (total int, worst *plan, worstDispatch int) {
	var seen map[uint64][][]Rule
	if shared {
		seen = map[uint64][][]Rule{}
	}
	counted := func(rules []Rule) bool {
		if seen == nil {
			return false
		}
		h := rulesHash(rules)
		for _, o := range seen[h] {
			if rulesEqual(o, rules) {
				return true
			}
		}
		seen[h] = append(seen[h], rules)
		return false
	}
	total, worst, worstFloor := 1, pls[0], -1
	for _, pl := range pls {
		dispatch := pl.dispatchFloor(layout)
		if layout == LayoutTree && pl.arch == ArchX32 && slices.ContainsFunc(pls, func(o *plan) bool { return o.arch == ArchX86_64 }) {
			dispatch = 0
		}
		n := sectionFrameFloor(pl, layout, pls) + dispatch
		for i, f := range pl.floors {
			if !counted(pl.chains[i]) {
				n += f
			}
		}
		total += n
		if n > worstFloor {
			worst, worstFloor, worstDispatch = pl, n, dispatch
		}
	}
	return total, worst, worstDispatch
}

// tooLong is the error for a program that came out over the limit
// although the floors did not show it.
func tooLong(b *builder, pls []*plan, n int, layout Layout) error {
	worst, worstFloor := pls[0], -1
	for _, pl := range pls {
		pl.computeFloors(b)
	}
	for _, pl := range pls {
		f := pl.dispatchFloor(layout)
		for _, c := range pl.floors {
			f += c
		}
		if f > worstFloor {
			worst, worstFloor = pl, f
		}
	}
	return &sizeError{fmt.Sprintf("seccomp: program has %d instructions, over the kernel's limit of %d: %s", n, maxInsns, worst.largest(worst.dispatchFloor(layout), len(pls) > 1))}
}

// largest names what takes the most instructions, for an error: the three
// system calls whose chains have the largest floors, a count of the other
// chains, and the dispatch's floor; with several sections, whose they are.
func (pl *plan) largest(dispatch int, sections bool) string {
	var chains []callPlan
	for _, c := range pl.calls {
		if c.hasRules() {
			chains = append(chains, c)
		}
	}
	floor := func(c callPlan) int { return pl.floors[c.chain] }
	slices.SortStableFunc(chains, func(a, b callPlan) int { return floor(b) - floor(a) })
	var parts []string
	for i, c := range chains[:min(3, len(chains))] {
		at := "takes at least"
		if i > 0 {
			at = "at least"
		}
		name, _ := pl.arch.SyscallName(int(c.nr))
		parts = append(parts, fmt.Sprintf("%s %s %d", syscallLabel(name, int(c.nr)), at, floor(c)))
	}
	if rest := chains[min(3, len(chains)):]; len(rest) > 0 {
		sum := 0
		for _, c := range rest {
			sum += floor(c)
		}
		parts = append(parts, fmt.Sprintf("%d more at least %d together", len(rest), sum))
	}
	parts = append(parts, fmt.Sprintf("the dispatch over %d system calls at least %d", len(pl.calls), dispatch))
	if sections {
		return "in the " + pl.arch.String() + " section, " + strings.Join(parts, ", ")
	}
	return strings.Join(parts, ", ")
}
