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

// frameFloor is what emitFrame emits: ld arch, jeq, ld nr, and on x86_64
// the x32 checks.
func frameFloor(arch Arch) int {
	if arch == ArchX86_64 {
		return 5
	}
	return 3
}

// chainFloor returns a lower bound on the instructions emitRules emits for
// a system call's (reduced) rules, following it: each rule outside an
// equality run costs its conditions and its return; a run costs at least
// its search.
func chainFloor(rules []Rule) int {
	n := 0
	for i := 0; i < len(rules); {
		k := equalityRun(rules[i:])
		if k > 1 {
			n += runFloor(rules[i : i+k])
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

// runFloor is a lower bound on what emitEqualityRun emits for rules: a
// 64-bit run tests the high half and loads the low one; up to three values
// take a jeq each, more take a search over the segments of the values,
// whose every jump splits at most three ways (see emitSearch), so s
// segments take at least (s-1)/2 jumps.
func runFloor(rules []Rule) int {
	n := 0
	if !rules[0].Conds[0].is32() {
		n += 2
	}
	if len(rules) <= 3 {
		return n + len(rules)
	}
	values := make([]uint32, len(rules))
	for i, r := range rules {
		values[i] = uint32(r.Conds[0].Value)
	}
	slices.Sort(values)
	values = slices.Compact(values)
	// The segments as emitEqualityRun makes them, with stand-ins for its
	// two targets (which differ: reduceRules leaves no trailing run whose
	// action is the default).
	fail, hit := target{kind: toRet, v: 0}, target{kind: toRet, v: 1}
	segs := make(segmentList, 0, 2*len(values)+1)
	segs.add(0, fail)
	for _, v := range values {
		segs.add(uint64(v), hit)
		if v != math.MaxUint32 {
			segs.add(uint64(v)+1, fail)
		}
	}
	return n + len(segs)/2 // (segs-1)/2, rounded up
}

// dispatchFloor is a lower bound on the instructions the layout spends
// sending a number to its outcome: the tree's search over the segments of
// the number line takes at least (s-1)/2 jumps for s segments (see
// runFloor); the bitmap layout tests each number with a chain, a constant
// outcome other than allow, or an allow beyond the bitmap with a jeq.
func (pl *plan) dispatchFloor(layout Layout) int {
	if layout == LayoutTree {
		var chains []label
		for _, c := range pl.calls {
			if c.rules != nil {
				chains = append(chains, label(len(chains)))
			}
		}
		return len(pl.segments(chains)) / 2
	}
	n := 0
	for _, c := range pl.calls {
		if c.rules != nil || c.action != Allow || c.nr >= 32*bitmapWords {
			n++
		}
	}
	return n
}

// checkFloor refuses a plan certain to exceed the kernel's limit with the
// layout: the frame, the dispatch and the chains' floors already go over
// it.
func (pl *plan) checkFloor(layout Layout) error {
	dispatch := pl.dispatchFloor(layout)
	total := frameFloor(pl.arch) + dispatch
	for _, c := range pl.calls {
		total += c.floor
	}
	if total <= maxInsns {
		return nil
	}
	return &sizeError{fmt.Sprintf("seccomp: program needs at least %d instructions, over the kernel's limit of %d: %s", total, maxInsns, pl.largest(dispatch))}
}

// tooLong is the error for a program that came out over the limit
// although the floors did not show it.
func (pl *plan) tooLong(n int, layout Layout) error {
	return &sizeError{fmt.Sprintf("seccomp: program has %d instructions, over the kernel's limit of %d: %s", n, maxInsns, pl.largest(pl.dispatchFloor(layout)))}
}

// largest names what takes the most instructions, for an error: the three
// system calls whose chains have the largest floors, a count of the other
// chains, and the dispatch's floor.
func (pl *plan) largest(dispatch int) string {
	var chains []callPlan
	for _, c := range pl.calls {
		if c.rules != nil {
			chains = append(chains, c)
		}
	}
	slices.SortStableFunc(chains, func(a, b callPlan) int { return b.floor - a.floor })
	var parts []string
	for i, c := range chains[:min(3, len(chains))] {
		at := "takes at least"
		if i > 0 {
			at = "at least"
		}
		parts = append(parts, fmt.Sprintf("%s %s %d", syscallLabel(c.name, int(c.nr)), at, c.floor))
	}
	if rest := chains[min(3, len(chains)):]; len(rest) > 0 {
		sum := 0
		for _, c := range rest {
			sum += c.floor
		}
		parts = append(parts, fmt.Sprintf("%d more at least %d together", len(rest), sum))
	}
	parts = append(parts, fmt.Sprintf("the dispatch over %d system calls at least %d", len(pl.calls), dispatch))
	return strings.Join(parts, ", ")
}
