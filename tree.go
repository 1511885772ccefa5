package seccomp

// segment is a run of values, from start up to the next segment's start,
// that all go to one target.
type segment struct {
	start uint32
	to    target
}

// segmentList builds a list of segments in order of start, merging runs
// that go to the same target.
type segmentList []segment

func (s *segmentList) add(start uint64, t target) {
	n := len(*s)
	switch {
	case n > 0 && (*s)[n-1].to == t:
	case n > 0 && uint64((*s)[n-1].start) == start:
		// The last segment is empty: overwrite it, or merge it away.
		if n > 1 && (*s)[n-2].to == t {
			*s = (*s)[:n-1]
		} else {
			(*s)[n-1].to = t
		}
	default:
		*s = append(*s, segment{uint32(start), t})
	}
}

// segments splits the numbers left after the frame into runs of equal
// outcome: a return, or the chain of a syscall with conditions (chains
// holds their labels, in order). On x86_64 the frame has sent the numbers
// with bit 30 set elsewhere, which leaves runs no number reaches: harmless.
func (pl *plan) segments(chains []label) segmentList {
	segs := make(segmentList, 0, 2*len(pl.calls)+3)
	const end = uint64(1) << 32
	// unlisted adds the numbers in [from, to) that the policy does not name.
	unlisted := func(from, to uint64) {
		for from < to {
			stop := to
			switch {
			case pl.enosysAbove < 0:
			case from <= uint64(pl.enosysAbove):
				stop = min(to, uint64(pl.enosysAbove)+1)
			case from < 0xFFFFFFFF:
				stop = min(to, 0xFFFFFFFF)
			}
			segs.add(from, toAction(pl.unlistedAction(uint32(from))))
			from = stop
		}
	}
	from := uint64(0)
	for _, c := range pl.calls {
		unlisted(from, uint64(c.nr))
		if c.rules != nil {
			segs.add(uint64(c.nr), to(chains[0]))
			chains = chains[1:]
		} else {
			segs.add(uint64(c.nr), toAction(c.action))
		}
		from = uint64(c.nr) + 1
	}
	unlisted(from, end)
	return segs
}

// emitTree emits the tree layout after the frame: a balanced binary
// search over the segments, whose leaves return or jump into a rule chain,
// then the chains. Every instruction on the way to a constant outcome is
// one the kernel's cache emulator understands.
func (pl *plan) emitTree(b *builder) {
	var chains []label
	for _, c := range pl.calls {
		if c.rules != nil {
			chains = append(chains, b.newLabel())
		}
	}
	b.load(offNr)
	b.emitSearch(pl.segments(chains), true)
	for _, c := range pl.calls {
		if c.rules != nil {
			b.bind(chains[0])
			chains = chains[1:]
			b.emitRules(c.rules, pl.def)
		}
	}
}

// emitSearch sends the value in the accumulator to its segment's target by
// a binary search of jge on the segment starts, balanced by count, or with
// chainsHeavy by weight (see weightedMiddle); a single value inside a run
// takes one jeq. It never falls through.
func (b *builder) emitSearch(segs []segment, chainsHeavy bool) {
	switch {
	case len(segs) == 1:
		b.goTo(segs[0].to)
		return
	case len(segs) == 3 && segs[0].to == segs[2].to && segs[2].start == segs[1].start+1:
		b.jump(opJeqK, segs[1].start, segs[1].to, segs[0].to)
		return
	}
	mid := len(segs) / 2
	if chainsHeavy {
		mid = weightedMiddle(segs)
	}
	left, right := segs[:mid], segs[mid:]
	lt := next
	var rt target
	var rl label
	if len(right) == 1 {
		rt = right[0].to
	} else {
		rl = b.newLabel()
		rt = to(rl)
	}
	if len(left) == 1 {
		lt = left[0].to
	}
	b.jump(opJgeK, right[0].start, rt, lt)
	if len(left) > 1 {
		b.emitSearch(left, chainsHeavy)
	}
	if len(right) > 1 {
		b.bind(rl)
		b.emitSearch(right, chainsHeavy)
	}
}

// chainWeight is how much more a jump into a rule chain weighs than a
// return when the tree layout splits its search. Allows cost nothing once
// the kernel caches them, but a chain runs on every call; 8 takes two
// instructions off the argument-checked calls of Docker's profile and
// adds none to the others (seccompc stats -profile docker).
const chainWeight = 8

// weightedMiddle picks where to split segs: at the middle of their weights,
// a chain weighing chainWeight and a return 1.
func weightedMiddle(segs []segment) int {
	weight := func(s segment) int {
		if s.to.kind == toLabel {
			return chainWeight
		}
		return 1
	}
	total := 0
	for _, s := range segs {
		total += weight(s)
	}
	best, bestDiff, prefix := 1, total, 0
	for i := 1; i < len(segs); i++ {
		prefix += weight(segs[i-1])
		if d := abs(2*prefix - total); d < bestDiff {
			best, bestDiff = i, d
		}
	}
	return best
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
