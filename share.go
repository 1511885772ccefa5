package seccomp

import "math/bits"

// This file is what the sections of a program of several ABIs share in the
// tree layout: the rule chains, emitted once for every section whose rules
// for a call are the same, and on x86_64 the search itself, which x32's
// numbers enter once the few whose x32 outcome differs are taken out
// (emitX32Diff). Docker's profile on x86_64 names the same rules for
// socket, clone and personality on all three ABIs, and x32's numbers are
// x86_64's but for some fifty: shared, its program is some 130 instructions
// shorter (seccompc stats -profile docker).

// pooledChain is one rule chain of the program, shared by every plan whose
// call has these rules; last is the emission slot of the last section that
// jumps into it, after which it is emitted.
type pooledChain struct {
	rules []Rule
	hash  uint64
	at    label
	last  int
}

// poolChains gives every chain of pls a label in the builder's pool, the
// same for chains of equal rules, and records in each the last of slots
// (the emission slot of each plan) that uses it. The pool's labels are the
// builder's first ones, in order, so that a single plan's chain i is label
// i (see emitTree).
func (b *builder) poolChains(pls []*plan, slots []int) {
	b.pool = b.pool[:0]
	for p, pl := range pls {
		pl.chainLabels = pl.chainLabels[:0]
		for _, rules := range pl.chains {
			k, h := -1, uint64(0)
			if len(pls) > 1 {
				// The floors bound the chains to a few thousand, and
				// the hashes make their comparisons cheap.
				h = rulesHash(rules)
				for j := range b.pool {
					if b.pool[j].hash == h && rulesEqual(b.pool[j].rules, rules) {
						k = j
						break
					}
				}
			}
			if k < 0 {
				b.pool = append(b.pool, pooledChain{rules: rules, hash: h, at: b.newLabel(), last: slots[p]})
				k = len(b.pool) - 1
			}
			b.pool[k].last = max(b.pool[k].last, slots[p])
			pl.chainLabels = append(pl.chainLabels, b.pool[k].at)
		}
	}
}

// emitPooled emits the chains whose last user is slot, in pool order.
func (b *builder) emitPooled(slot int, def Action) {
	for i := range b.pool {
		if c := &b.pool[i]; c.last == slot {
			b.bind(c.at)
			b.emitRules(c.rules, def)
		}
	}
}

// releasePool drops the pool's rules, which are the caller's.
func (b *builder) releasePool() {
	clear(b.pool[:cap(b.pool)])
	b.pool = b.pool[:0]
}

// rulesEqual reports whether two reduced rule lists decide alike because
// they are the same.
func rulesEqual(a, b []Rule) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Action != b[i].Action || len(a[i].Conds) != len(b[i].Conds) {
			return false
		}
		for j := range a[i].Conds {
			if a[i].Conds[j] != b[i].Conds[j] {
				return false
			}
		}
	}
	return true
}

// rulesHash hashes rules so that equal ones (rulesEqual) hash alike
// (FNV-1a over their fields, a condition's folded into one word).
func rulesHash(rules []Rule) uint64 {
	// The mixing is written out, not a closure over h, so that h stays
	// in a register.
	const prime = 1099511628211
	h := uint64(14695981039346656037)
	for i := range rules {
		r := &rules[i]
		h = (h ^ uint64(r.Action)) * prime
		h = (h ^ uint64(len(r.Conds))) * prime
		for j := range r.Conds {
			// A condition's fields folded into one word first: one
			// multiply a condition, not three (the multiplies are in
			// a row, each waiting for the last).
			c := &r.Conds[j]
			v := c.Value ^ bits.RotateLeft64(c.Mask, 29) ^ (uint64(c.Arg)<<16|uint64(c.Op)<<8|uint64(c.Width))<<40
			h = (h ^ v) * prime
		}
	}
	return h
}

// x32Diff returns, in into's memory, the segments of x32's numbers (bit 30
// set) for a search whose leaves give x32's outcome where it differs from
// x86_64's for the number with bit 30 cleared, and elsewhere either that
// outcome, the same on both, or same: entering x86_64's search. Both lists
// cover the number line, with pooled chain labels, so that equal targets
// decide alike. Of the choices it takes those that make the fewest
// segments, and of equally few, the outcome itself over x86_64's search.
// The numbers with bit 30 clear never come here: they join whichever
// segment is next to them. cells is scratch memory.
func x32Diff(x64, x32 segmentList, same target, into segmentList, cells []diffCell) (segmentList, []diffCell) {
	const end = uint64(1) << 32
	// endOf is where segment i of s ends.
	endOf := func(s segmentList, i int) uint64 {
		if i+1 < len(s) {
			return uint64(s[i+1].start)
		}
		return end
	}
	// containing returns the segment of s that holds v: the last whose
	// start is at most v (the first starts at 0).
	containing := func(s segmentList, v uint64) int {
		i, j := 1, len(s) // the first start above v is in [i, j]
		for i < j {
			h := int(uint(i+j) >> 1)
			if uint64(s[h].start) <= v {
				i = h + 1
			} else {
				j = h
			}
		}
		return i - 1
	}
	// The runs on which both lists keep one target, and what each may go to.
	cells = cells[:0]
	for _, w := range [2][2]uint64{{x32SyscallBit, 2 * x32SyscallBit}, {3 * x32SyscallBit, end}} {
		i, j := containing(x32, w[0]), containing(x64, w[0]-x32SyscallBit)
		// e32 and e64 are where segments i and j end (endOf), kept as
		// they move on.
		e32, e64 := endOf(x32, i), endOf(x64, j)+x32SyscallBit
		for at := w[0]; at < w[1]; {
			t := x32[i].to
			cells = append(cells, diffCell{start: uint32(at), to: t, shared: t == x64[j].to})
			stop := min(e32, e64, w[1])
			if stop == e32 {
				i++
				e32 = endOf(x32, i)
			}
			if stop == e64 {
				j++
				e64 = endOf(x64, j) + x32SyscallBit
			}
			at = stop
		}
	}
	// cost0 and cost1 are the fewest segments up to the current cell when
	// it goes to its outcome or to same; a cell's from records the choice
	// of the cell before that achieves each. same is a label of its own,
	// never an outcome, so that it continues a run only of same.
	const never = 1 << 30
	cost0, cost1 := 1, never
	if cells[0].shared {
		cost1 = 1
	}
	for k := 1; k < len(cells); k++ {
		c := &cells[k]
		n0, f0 := cost0, uint8(0)
		if cells[k-1].to != c.to {
			n0++
		}
		if cost1+1 < n0 {
			n0, f0 = cost1+1, 1
		}
		n1, f1 := never, uint8(0)
		if c.shared {
			n1 = cost0 + 1
			if cost1 < n1 {
				n1, f1 = cost1, 1
			}
		}
		c.from = [2]uint8{f0, f1}
		cost0, cost1 = n0, n1
	}
	choice := uint8(0)
	if cost1 < cost0 {
		choice = 1
	}
	for k := len(cells) - 1; k >= 0; k-- {
		cells[k].choice = choice
		choice = cells[k].from[choice]
	}
	out := into[:0]
	for k := range cells {
		start := uint64(cells[k].start)
		if k == 0 {
			start = 0
		}
		t := cells[k].to
		if cells[k].choice == 1 {
			t = same
		}
		out.add(start, t)
	}
	return out, cells
}

// diffCell is a run of x32's numbers for x32Diff: where it starts, x32's
// target, and whether x86_64's is the same, so that same may stand for it;
// from and choice are the search for the fewest segments.
type diffCell struct {
	to     target
	start  uint32
	shared bool
	from   [2]uint8
	choice uint8
}

// callWeights fills w, in its memory, with a weight for each segment of
// an ABI's numbers: the calls of the ABI's table the segment holds, plus
// two, so that runs that name no call sink, but not far (two is best on
// Docker's profile, seccompc stats). A search split by them
// (emitWeightedSearch) sends the calls that exist the short way, and
// numbers that name no call (x86_64's 64-bit-only ones, on x32) the long
// way.
func callWeights(info *archInfo, segs []segment, w []int) []int {
	w = w[:0]
	t := &info.table
	for i, s := range segs {
		end := uint64(1) << 32
		if i+1 < len(segs) {
			end = uint64(segs[i+1].start)
		}
		lo := max(int64(s.start), int64(t.first)) - int64(t.first)
		hi := min(int64(end), int64(t.first+len(t.names))) - int64(t.first)
		n := 2
		if lo < hi {
			n += int(info.callsBelow[hi] - info.callsBelow[lo])
		}
		w = append(w, n)
	}
	return w
}
