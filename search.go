package seccomp

// This file is the search both layouts share: the tree layout's dispatch on
// the system call number, the bitmap layout's search of its words, and an
// argument chain's search of a run of equal values all split a number line
// into segments and emit a binary search over their starts.

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

// emitSearch sends the value in the accumulator to its segment's target by
// a binary search of jge on the segment starts, balanced by count, or with
// chainsHeavy by weight (see weightedMiddle), where a heavy chain is taken
// out first with one jeq (see heavyChain); a single value inside a run
// takes one jeq. It never falls through.
func (b *builder) emitSearch(segs []segment, chainsHeavy bool) {
	b.searchTop(segs, chainsHeavy, nil)
}

// emitWeightedSearch is emitSearch split at the middle of the given
// weights, one a segment, rather than of their count.
func (b *builder) emitWeightedSearch(segs []segment, w []int) {
	b.searchTop(segs, false, w)
}

// prefixMin is the fewest segments for which search counts weights and
// chains by prefix sums (searchPrefix): below it, counting them at every
// node costs no more than making the sums.
const prefixMin = 16

// searchPrefix holds, for a search's segments as they came, the sums of
// their weights (weight[i] is that of the segments before i) and of their
// jumps into chains, so that a node of the search finds its middle and
// whether it holds a chain without counting its segments again.
type searchPrefix struct {
	weight []int
	chains []int32
	// single[i] is the first j >= i of a segment of one number that
	// jumps into a chain (heavyChain's candidate), or the segments'
	// count.
	single []int32
}

// searchTop searches segs, with prefix sums when they are many.
func (b *builder) searchTop(segs []segment, chainsHeavy bool, w []int) {
	base := -1
	if n := len(segs); n >= prefixMin {
		p := &b.prefix
		if cap(p.weight) < n+1 {
			p.weight, p.chains, p.single = make([]int, n+1), make([]int32, n+1), make([]int32, n+1)
		}
		pw, pc, ps := p.weight[:n+1], p.chains[:n+1], p.single[:n+1]
		sw, sc := 0, int32(0)
		pw[0], pc[0] = 0, 0
		for i, s := range segs {
			if w != nil {
				sw += w[i]
			} else {
				sw += segWeight(s)
			}
			if s.to.kind() == toLabel {
				sc++
			}
			pw[i+1], pc[i+1] = sw, sc
		}
		ps[n], ps[n-1] = int32(n), int32(n)
		for i := n - 2; i >= 0; i-- {
			ps[i] = ps[i+1]
			if segs[i].to.kind() == toLabel && segs[i+1].start == segs[i].start+1 {
				ps[i] = int32(i)
			}
		}
		p.weight, p.chains, p.single = pw, pc, ps
		base = 0
	}
	b.search(segs, chainsHeavy, 1<<32, w, base)
}

// searchEntry is a way into a search from outside it, for numbers known
// to lie in [lo, hi): its label is bound at the deepest node of the search
// that holds them all (emitX32Diff).
type searchEntry struct {
	lo, hi uint64
	at     label
}

// bindEntries binds the entries that [lo, hi) holds, but neither child
// that will be searched (a range with lo >= hi is none), and drops them.
func (b *builder) bindEntries(lo, hi, leftHi, rightLo uint64) {
	// bindEntriesIf's loop, written out: this runs at every node of
	// x86_64's search while x32's entries remain.
	for i := 0; i < len(b.entries); {
		e := b.entries[i]
		inChild := e.lo >= lo && e.hi <= leftHi || e.lo >= rightLo && e.hi <= hi
		if e.lo >= lo && e.hi <= hi && !inChild {
			b.bind(e.at)
			b.entries[i] = b.entries[len(b.entries)-1]
			b.entries = b.entries[:len(b.entries)-1]
			continue
		}
		i++
	}
}

// bindEntriesIf binds here, and drops, the entries for which bind holds.
func (b *builder) bindEntriesIf(bind func(searchEntry) bool) {
	for i := 0; i < len(b.entries); {
		if e := b.entries[i]; bind(e) {
			b.bind(e.at)
			b.entries[i] = b.entries[len(b.entries)-1]
			b.entries = b.entries[:len(b.entries)-1]
			continue
		}
		i++
	}
}

// search is emitSearch for segments that end at hi, split by weights w
// (one a segment) if given, else by count or, with chainsHeavy, by
// segWeight; w is for searches without chainsHeavy. segs are those of
// b.prefix from index base on, unchanged, or base is -1 and the node counts
// them itself.
func (b *builder) search(segs []segment, chainsHeavy bool, hi uint64, w []int, base int) {
	lo := uint64(segs[0].start)
	switch {
	case len(segs) == 1:
		if len(b.entries) > 0 {
			// A search of one run: its outcome. (emitX32Diff never
			// enters one, whose difference search is no smaller than
			// x32's own tree; bound here rather than left unbound.)
			b.bindEntries(lo, hi, lo, hi)
		}
		b.goTo(segs[0].to)
		return
	case len(segs) == 3 && segs[0].to == segs[2].to && segs[2].start == segs[1].start+1:
		if len(b.entries) > 0 {
			b.bindEntries(lo, hi, lo, hi)
		}
		b.jump(opJeqK, segs[1].start, segs[1].to, segs[0].to)
		return
	}
	// heavyChain finds none among more than 2*chainWeight+1 segments:
	// the others weigh one each at least.
	if chainsHeavy && len(segs) <= 2*chainWeight+1 {
		i := -1
		if base < 0 {
			i = heavyChain(segs)
		} else {
			i = b.prefix.heavyChain(base, len(segs))
		}
		if i >= 0 {
			// One jeq takes the chain out; the rest need not tell its
			// number apart, so its neighbours may join. An entry that
			// leaves out its number may skip the jeq.
			if len(b.entries) > 0 {
				n := uint64(segs[i].start)
				b.bindEntriesIf(func(e searchEntry) bool { return e.lo >= lo && e.hi <= hi && e.lo <= n && n < e.hi })
			}
			b.jump(opJeqK, segs[i].start, segs[i].to, next)
			b.search(removeSegment(segs, i), chainsHeavy, hi, nil, -1) // no longer b.prefix's
			return
		}
	}
	mid := len(segs) / 2
	switch {
	case len(segs) == 2:
		// Every way of splitting finds the one split there is.
	case base < 0:
		if chainsHeavy || w != nil {
			mid = weightedMiddle(segs, w)
		}
		mid = keepTriples(segs, mid)
	default:
		if chainsHeavy || w != nil {
			mid = prefixMiddle(b.prefix.weight[base : base+len(segs)+1])
		}
		if b.prefix.chains[base+len(segs)] == b.prefix.chains[base] {
			mid = splitTriples(segs, mid)
		}
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
	if len(b.entries) > 0 {
		leftHi, rightLo := lo, hi // no child searched
		if len(left) > 1 {
			leftHi = uint64(right[0].start)
		}
		if len(right) > 1 {
			rightLo = uint64(right[0].start)
		}
		b.bindEntries(lo, hi, leftHi, rightLo)
	}
	b.jump(opJgeK, right[0].start, rt, lt)
	var wl, wr []int
	if w != nil {
		wl, wr = w[:mid], w[mid:]
	}
	rbase := base
	if base >= 0 {
		rbase = base + mid
	}
	if len(left) > 1 {
		b.search(left, chainsHeavy, uint64(right[0].start), wl, base)
	}
	if len(right) > 1 {
		b.bind(rl)
		b.search(right, chainsHeavy, hi, wr, rbase)
	}
}

// keepTriples moves a split at mid to a neighbouring one, at most one away,
// that leaves whole every single value between two segments of one target:
// a search ending on such a triple takes one jeq for it (see emitSearch)
// where a split inside it takes two jumps. Docker's profile has some
// twenty of them on x86, the more with every ABI.
func keepTriples(segs []segment, mid int) int {
	for _, s := range segs {
		if s.to.kind() == toLabel {
			// A chain's path stays as short as the split made it.
			return mid
		}
	}
	return splitTriples(segs, mid)
}

// splitTriples is keepTriples for segments known to jump into no chain.
func splitTriples(segs []segment, mid int) int {
	n := len(segs)
	for _, m := range [...]int{mid, mid - 1, mid + 1} {
		if m < 1 || m >= n {
			continue
		}
		// A split before segs[m] cuts a triple if segs[m] or segs[m-1]
		// is a single value between two segments of one target.
		if m+1 < n && segs[m+1].start == segs[m].start+1 && segs[m-1].to == segs[m+1].to ||
			m >= 2 && segs[m].start == segs[m-1].start+1 && segs[m-2].to == segs[m].to {
			continue
		}
		return m
	}
	return mid
}

// chainWeight is how much more a jump into a rule chain weighs than a
// return when the tree layout splits its search. Allows cost nothing once
// the kernel caches them, but a chain runs on every call; 8 takes two
// instructions off the argument-checked calls of Docker's profile and
// adds none to the others (seccompc stats -profile docker).
const chainWeight = 8

// heavyChain returns the index of a segment of one number that jumps into
// a chain weighing at least half as much as all the others together, or
// -1: tested first with one jeq, it saves the chain a level or more and
// costs each other segment one. With this bar compare/'s denylist runs
// socket in gVisor's 8 instructions, and Docker's argument-checked calls
// run 14 (median) and 15, from 16 and 21. The price
// is paid by allows, which the kernel caches: on x86_64, where the tree
// took over the x32 test, they still run fewer instructions than before;
// on aarch64 and riscv64 Docker's allows and denials go from a median of
// 10 to 11, the maximum staying 11 (seccompc stats).
func heavyChain(segs []segment) int {
	others, best := 0, -1
	for i, s := range segs {
		if best < 0 && s.to.kind() == toLabel && i+1 < len(segs) && segs[i+1].start == s.start+1 {
			best = i
			continue
		}
		others += segWeight(s)
	}
	if best < 0 || others > 2*chainWeight {
		return -1
	}
	return best
}

// heavyChain is heavyChain for the n segments from base on, by the sums.
func (p *searchPrefix) heavyChain(base, n int) int {
	best := int(p.single[base])
	// The candidate must have a segment after it in the node.
	if best >= base+n-1 || p.weight[base+n]-p.weight[base]-chainWeight > 2*chainWeight {
		return -1
	}
	return best - base
}

// removeSegment removes segs[i], in place, joining its neighbours if they
// go to one target. Segment i's number then belongs to a neighbour.
func removeSegment(segs []segment, i int) []segment {
	if i > 0 && i+1 < len(segs) && segs[i-1].to == segs[i+1].to {
		return append(segs[:i], segs[i+2:]...)
	}
	return append(segs[:i], segs[i+1:]...)
}

// segWeight is a segment's weight in the tree's search.
func segWeight(s segment) int {
	if s.to.kind() == toLabel {
		return chainWeight
	}
	return 1
}

// weightedMiddle picks where to split segs: at the middle of their weights,
// w's (each above 0) if given, else a chain weighing chainWeight and a
// return 1.
func weightedMiddle(segs []segment, w []int) int {
	weight := func(i int) int {
		if w != nil {
			return w[i]
		}
		return segWeight(segs[i])
	}
	total := 0
	for i := range segs {
		total += weight(i)
	}
	// |2*prefix - total| falls until the prefix passes half, then rises:
	// the first split past half, or the one before it, is the middle.
	best, bestDiff, prefix := 1, total, 0
	for i := 1; i < len(segs); i++ {
		prefix += weight(i - 1)
		d := abs(2*prefix - total)
		if d < bestDiff {
			best, bestDiff = i, d
		}
		if 2*prefix >= total {
			break
		}
	}
	return best
}

// prefixMiddle is weightedMiddle for the segments whose weights' sums
// are p: p[i]-p[0] weigh the first i of the len(p)-1 segments, at least
// two. The sums rise, so the first split at or past half is found by
// bisection, and the middle is it or the one before it, as
// weightedMiddle's scan finds.
func prefixMiddle(p []int) int {
	n := len(p) - 1
	total := p[n] - p[0]
	// j is the first split of 1..n-1 whose prefix reaches half, or n:
	// one past the last i below n whose prefix falls short (i = 0 falls
	// short of any total above 0). The halving moves i without a branch.
	i, m := 0, n
	for m > 1 {
		h := m >> 1
		if 2*(p[i+h]-p[0]) < total {
			i += h
		}
		m -= h
	}
	j := i + 1
	switch {
	case j == n:
		return n - 1 // past half only with the last: the split before it
	case j == 1:
		return 1
	}
	if 2*(p[j]-p[0])-total < total-2*(p[j-1]-p[0]) {
		return j
	}
	return j - 1
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
