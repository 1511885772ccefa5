package seccomp

import (
	"math"
	"slices"
)

// emitRules emits one system call's rules: each rule's conditions in order,
// the first rule that holds returning its action, and def when none does.
// The chain never falls through: it ends in returns.
func (b *builder) emitRules(rules []Rule, def Action) {
	for i := 0; i < len(rules); {
		n := equalityRun(rules[i:])
		fail := toAction(def)
		var nextRule label
		if i+n < len(rules) {
			nextRule = b.newLabel()
			fail = to(nextRule)
		}
		if n > 1 {
			b.emitEqualityRun(rules[i:i+n], fail)
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

// equalityRun returns how many rules at the start of rules test one
// argument for equality with a value each, at one width, and with the same
// high half, for the same action (at least 1). Such a run is "the argument
// is one of these values", like Docker's list of allowed socket families:
// its order does not matter, and one search decides it.
func equalityRun(rules []Rule) int {
	first := rules[0]
	if len(first.Conds) != 1 || first.Conds[0].Op != OpEqual {
		return 1
	}
	c0 := first.Conds[0]
	n := 1
	for _, r := range rules[1:] {
		if len(r.Conds) != 1 || r.Action != first.Action {
			break
		}
		c := r.Conds[0]
		if c.Op != OpEqual || c.Arg != c0.Arg || c.is32() != c0.is32() || (!c.is32() && c.Value>>32 != c0.Value>>32) {
			break
		}
		n++
	}
	return n
}

// emitEqualityRun emits a run that equalityRun found: the shared high half
// tested once, then a binary search of the low half among the values.
func (b *builder) emitEqualityRun(rules []Rule, fail target) {
	c0 := rules[0].Conds[0]
	if !c0.is32() {
		b.load(b.argHigh(c0.Arg))
		b.jump(opJeqK, uint32(c0.Value>>32), next, fail)
	}
	b.load(b.argLow(c0.Arg))
	values := make([]uint32, len(rules))
	for i, r := range rules {
		values[i] = uint32(r.Conds[0].Value)
	}
	hit := toAction(rules[0].Action)
	if len(values) <= 3 { // a search costs more than a few jeqs
		for _, v := range values[:len(values)-1] {
			b.jump(opJeqK, v, hit, next)
		}
		b.jump(opJeqK, values[len(values)-1], hit, fail)
		return
	}
	slices.Sort(values)
	values = slices.Compact(values) // segments must start in order
	segs := make(segmentList, 0, 2*len(values)+1)
	segs.add(0, fail)
	for _, v := range values {
		segs.add(uint64(v), hit)
		if v != math.MaxUint32 {
			segs.add(uint64(v)+1, fail)
		}
	}
	b.emitSearch(segs, false)
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
