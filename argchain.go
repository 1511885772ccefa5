package seccomp

import (
	"cmp"
	"math"
	"math/bits"
	"slices"
)

// emitRules emits one system call's rules: each rule's conditions in order,
// the first rule that holds returning its action, and def when none does.
// The chain never falls through: it ends in returns.
func (b *builder) emitRules(rules []Rule, def Action) {
	for i := 0; i < len(rules); {
		n := valueRun(rules[i:])
		fail := toAction(def)
		var nextRule label
		if i+n < len(rules) {
			nextRule = b.newLabel()
			fail = to(nextRule)
		}
		if n > 1 {
			b.emitValueRun(rules[i:i+n], fail)
		} else {
			for _, c := range rules[i].Conds {
				b.emitCond(c, fail)
			}
			b.goTo(toAction(rules[i].Action))
		}
		if i+n < len(rules) {
			b.bind(nextRule)
		}
		i += n
	}
}

// valueRun returns how many rules at the start of rules each test one
// argument, at one width, against a set of values that lies within one high
// half, for the same action (at least 1). Such a run is "the argument is in
// this union of ranges", like Docker's list of allowed socket families
// ("< 3", "== 7", "== 8", ...): its order does not matter, and one search of
// the low half decides it after one test of the high half.
func valueRun(rules []Rule) int {
	first := rules[0]
	if len(first.Conds) != 1 {
		return 1
	}
	c0 := first.Conds[0]
	hi0, ok := condRange(c0)
	if !ok {
		return 1
	}
	n := 1
	for i := 1; i < len(rules); i++ {
		r := &rules[i]
		if len(r.Conds) != 1 || r.Action != first.Action {
			break
		}
		c := &r.Conds[0]
		if c.Arg != c0.Arg || c.is32() != c0.is32() {
			break
		}
		// condRange, with a value (as runs mostly are) taken first.
		hi, ok := uint32(0), true
		switch {
		case c.Op != OpEqual:
			hi, ok = condRange(*c)
		case !c.is32():
			hi = uint32(c.Value >> 32)
		}
		if !ok || hi != hi0 {
			break
		}
		n++
	}
	return n
}

// condRange reports whether the values for which c holds can join a run:
// a non-empty set that lies within one high half, whose value it returns
// (0 for a 32-bit condition, which ignores the high half).
func condRange(c Cond) (hi uint32, ok bool) {
	switch c.Op {
	case OpEqual:
		// One value: in its own high half (condInterval's case, first
		// as runs are mostly of values).
		if c.is32() {
			return 0, true
		}
		return uint32(c.Value >> 32), true
	case OpMaskedEqual:
		return 0, false
	case OpNotEqual:
		// Two ranges that reach 0 and the top: within one half only at
		// 32 bits.
		return 0, c.is32()
	}
	lo, top, empty := condInterval(c)
	if empty || !c.is32() && lo>>32 != top>>32 {
		return 0, false
	}
	if c.is32() {
		return 0, true
	}
	return uint32(lo >> 32), true
}

// condInterval returns the closed interval of values, in the condition's
// width, for which c holds, or empty: for the ops other than !=, whose
// values are one interval, and OpMaskedEqual.
func condInterval(c Cond) (lo, hi uint64, empty bool) {
	top := uint64(math.MaxUint64)
	if c.is32() {
		top = math.MaxUint32
	}
	v := c.Value
	switch c.Op {
	case OpEqual:
		return v, v, false
	case OpLess:
		return 0, v - 1, v == 0
	case OpLessEqual:
		return 0, v, false
	case OpGreater:
		return v + 1, top, v >= top
	case OpGreaterEqual:
		return v, top, false
	}
	return 1, 0, true
}

// condIntervals calls f with the closed intervals of values, in the
// condition's width, for which c holds (not for OpMaskedEqual), in order.
func condIntervals(c Cond, f func(lo, hi uint64)) {
	if c.Op == OpNotEqual {
		top := uint64(math.MaxUint64)
		if c.is32() {
			top = math.MaxUint32
		}
		if c.Value > 0 {
			f(0, c.Value-1)
		}
		if c.Value < top {
			f(c.Value+1, top)
		}
		return
	}
	if lo, hi, empty := condInterval(c); !empty {
		f(lo, hi)
	}
}

// span is the closed range of values lo..hi.
type span struct{ lo, hi uint32 }

// emitValueRun emits a run that valueRun found: the shared high half tested
// once, then the low half against the union of the rules' ranges, by a few
// tests in a row where that is no longer than a search.
func (b *builder) emitValueRun(rules []Rule, fail target) {
	c0 := rules[0].Conds[0]
	if !c0.is32() {
		hi, _ := condRange(c0)
		b.load(b.argHigh(c0.Arg))
		b.jump(opJeqK, hi, next, fail)
	}
	b.load(b.argLow(c0.Arg))
	hit := toAction(rules[0].Action)
	joined, segs, linear := b.valueRunShape(rules, hit, fail)
	if !linear {
		b.emitSearch(segs, false)
		return
	}
	// One test per range is no more than the search's depth.
	for i, s := range joined {
		miss := next
		if i == len(joined)-1 {
			miss = fail
		}
		switch {
		case s.lo == 0 && s.hi == math.MaxUint32:
			b.goTo(hit)
		case s.lo == s.hi:
			b.jump(opJeqK, s.lo, hit, miss)
		case s.lo == 0:
			b.jump(opJgtK, s.hi, miss, hit)
		default:
			b.jump(opJgeK, s.lo, hit, miss)
		}
	}
}

// valueRunShape returns the low halves' ranges of a run, sorted and
// joined, the segments of the number line they make with targets hit and
// fail, and whether a test per range (linear) takes no more than their
// search: every range takes one test (a value, or one end) and there are
// no more of them than the search's depth. It works in the builder's
// scratch space.
func (b *builder) valueRunShape(rules []Rule, hit, fail target) (joined []span, segs segmentList, linear bool) {
	if cap(b.spans) < 2*len(rules) { // a != is two ranges
		b.spans = make([]span, 0, 2*len(rules))
		b.segs = make(segmentList, 0, 4*len(rules)+1)
	}
	spans := b.spans[:0]
	for i := range rules {
		if c := &rules[i].Conds[0]; c.Op == OpEqual {
			// A value, as runs mostly are (a multiplexed call's
			// numbers): its interval without the general case.
			spans = append(spans, span{uint32(c.Value), uint32(c.Value)})
			continue
		}
		condIntervals(rules[i].Conds[0], func(lo, hi uint64) {
			spans = append(spans, span{uint32(lo), uint32(hi)})
		})
	}
	b.spans = spans
	slices.SortFunc(spans, func(a, b span) int { return cmp.Compare(a.lo, b.lo) })
	joined = spans[:1]
	for _, s := range spans[1:] {
		last := &joined[len(joined)-1]
		if uint64(s.lo) <= uint64(last.hi)+1 {
			last.hi = max(last.hi, s.hi)
			continue
		}
		joined = append(joined, s)
	}
	segs = b.segs[:0]
	segs.add(0, fail)
	linear = true
	for _, s := range joined {
		segs.add(uint64(s.lo), hit)
		if s.hi != math.MaxUint32 {
			segs.add(uint64(s.hi)+1, fail)
		}
		linear = linear && (s.lo == s.hi || s.lo == 0 || s.hi == math.MaxUint32)
	}
	b.segs = segs
	return joined, segs, linear && len(joined) <= bits.Len(uint(len(segs)-1))
}

// emitCond emits a test of one condition that continues at the next
// instruction when it holds and goes to fail when it does not. A 64-bit
// comparison decides on the high halves unless they are equal, and only
// then on the low halves.
func (b *builder) emitCond(c Cond, fail target) {
	lo, hi := uint32(c.Value), uint32(c.Value>>32)
	offLo, offHi := b.argLow(c.Arg), b.argHigh(c.Arg)
	if c.Op == OpMaskedEqual {
		if !c.is32() {
			b.emitMaskedHalf(offHi, uint32(c.Mask>>32), hi, fail)
		}
		b.emitMaskedHalf(offLo, uint32(c.Mask), lo, fail)
		return
	}
	if c.is32() {
		b.load(offLo)
		b.emitCompare(c.Op, lo, fail)
		return
	}
	pass := b.newLabel()
	b.load(offHi)
	switch c.Op {
	case OpEqual:
		b.jump(opJeqK, hi, next, fail)
	case OpNotEqual:
		b.jump(opJeqK, hi, next, to(pass))
	case OpGreater, OpGreaterEqual:
		// High half above: holds. Below: fails. Equal: the low half decides.
		switch hi {
		case 0:
			b.jump(opJgtK, hi, to(pass), next)
		case math.MaxUint32:
			b.jump(opJeqK, hi, next, fail)
		default:
			b.jump(opJgtK, hi, to(pass), next)
			b.jump(opJeqK, hi, next, fail)
		}
	case OpLess, OpLessEqual:
		// High half above: fails. Below: holds. Equal: the low half decides.
		switch hi {
		case 0:
			b.jump(opJgtK, hi, fail, next)
		case math.MaxUint32:
			b.jump(opJeqK, hi, next, to(pass))
		default:
			b.jump(opJgtK, hi, fail, next)
			b.jump(opJeqK, hi, next, to(pass))
		}
	}
	b.load(offLo)
	b.emitCompare(c.Op, lo, fail)
	b.bind(pass)
}

// emitCompare compares the accumulator with k, continuing when op holds.
func (b *builder) emitCompare(op Op, k uint32, fail target) {
	switch op {
	case OpEqual:
		b.jump(opJeqK, k, next, fail)
	case OpNotEqual:
		b.jump(opJeqK, k, fail, next)
	case OpGreater:
		b.jump(opJgtK, k, next, fail)
	case OpGreaterEqual:
		b.jump(opJgeK, k, next, fail)
	case OpLess:
		b.jump(opJgeK, k, fail, next)
	case OpLessEqual:
		b.jump(opJgtK, k, fail, next)
	}
}

// emitMaskedHalf tests word & mask == value for one half of an argument.
func (b *builder) emitMaskedHalf(off, mask, value uint32, fail target) {
	if mask == 0 {
		if value != 0 {
			b.goTo(fail) // nothing masked by 0 equals a nonzero value
		}
		return
	}
	b.load(off)
	if mask != math.MaxUint32 {
		b.alu(opAndK, mask)
	}
	b.jump(opJeqK, value, next, fail)
}
