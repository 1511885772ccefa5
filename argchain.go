package seccomp

import "math"

// emitRules emits one system call's rules: each rule's conditions in order,
// the first rule that holds returning its action, and def when none does.
// The chain never falls through: it ends in returns.
func (b *builder) emitRules(rules []Rule, def Action) {
	for i, r := range rules {
		fail := toAction(def)
		var nextRule label
		if i < len(rules)-1 {
			nextRule = b.newLabel()
			fail = to(nextRule)
		}
		for _, c := range r.Conds {
			b.emitCond(c, fail)
		}
		b.goTo(toAction(r.Action))
		if i < len(rules)-1 {
			b.bind(nextRule)
		}
	}
}

// emitCond emits a test of one condition that continues at the next
// instruction when it holds and goes to fail when it does not. A 64-bit
// comparison decides on the high halves unless they are equal, and only
// then on the low halves.
func (b *builder) emitCond(c Cond, fail target) {
	lo, hi := uint32(c.Value), uint32(c.Value>>32)
	offLo, offHi := argLow(c.Arg), argHigh(c.Arg)
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
