package seccomp

// segments splits the syscall numbers into runs of equal outcome: a
// return, or the chain of a syscall with conditions (the label of
// pl.chains[i] is labels[i], or i when labels is nil), in into's memory if
// it has room. On x86_64 the
// numbers with bit 30 set are x32's and get the bad-arch action, all but -1:
// the search tells them apart at the far right of the tree, where no real
// syscall is, instead of a test in the frame that every syscall would run.
// When the program has an x32 section (x32Apart), the dispatch sends them
// there first (a jset), and this search never sees them as they are: in
// the tree layout, those x32 decides as x86_64 does come back with bit 30
// cleared (emitX32Diff), else x32's own search decides them all.
func (pl *plan) segments(labels []label, into segmentList) segmentList {
	// Each call is a run, and so may be the numbers before it; then the
	// numbers above the last and x32's.
	n := 2*len(pl.calls) + 7
	segs := into[:0]
	if cap(segs) < n {
		segs = make(segmentList, 0, n)
	}
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
	def := toAction(pl.def)
	// The calls' numbers rise, so every segment added here starts past
	// the last one: add reduces to joining a run of one target, last.
	// Runs of one action are common (allows), so the last action's
	// return is kept rather than made again.
	var last target
	lastAction, lastRet := pl.def, def
	calls := pl.calls
	for i := 0; i < len(calls); {
		c := &calls[i]
		nr := c.nr
		if uint64(nr) != from && (len(segs) == 0 || last != def) {
			// Below the highest named number: the default (unlisted).
			segs = append(segs, segment{uint32(from), def})
			last = def
		}
		var t target
		if c.chain >= 0 {
			l := label(c.chain)
			if labels != nil {
				l = labels[c.chain]
			}
			t = to(l)
		} else {
			if c.action != lastAction {
				lastAction, lastRet = c.action, toAction(c.action)
			}
			t = lastRet
		}
		if len(segs) == 0 || last != t {
			segs = append(segs, segment{nr, t})
			last = t
		}
		from = uint64(nr) + 1
		i++
		if c.chain < 0 {
			// The calls right after it with its action continue its
			// run: most of a profile's allows come so.
			for i < len(calls) && uint64(calls[i].nr) == from && calls[i].chain < 0 && calls[i].action == c.action {
				from++
				i++
			}
		}
	}
	if pl.arch != ArchX86_64 || pl.x32Apart {
		unlisted(from, end)
		return segs
	}
	unlisted(from, x32SyscallBit)
	segs.add(x32SyscallBit, toAction(pl.badArch))
	unlisted(0x80000000, 0x80000000|x32SyscallBit)
	segs.add(0x80000000|x32SyscallBit, toAction(pl.badArch))
	unlisted(0xFFFFFFFF, end)
	return segs
}

// emitTree emits the tree layout after the frame: a balanced binary
// search over the segments, whose leaves return or jump into a rule chain
// (emitSections emits the chains, shared between sections, after them).
// Every instruction on the way to a constant outcome is one the kernel's
// cache emulator understands.
func (pl *plan) emitTree(b *builder) {
	b.load(offNr)
	b.emitSearch(pl.labeledSegments(), true)
}

// labeledSegments returns the plan's segments with its pooled chain
// labels, in pl.scratch: checkFloor's relabelled in place when it made
// them, or else made afresh. The search reorders them, so checkFloor's
// serve once.
func (pl *plan) labeledSegments() segmentList {
	if !pl.scratchSegments {
		pl.scratch = pl.segments(pl.chainLabels, pl.scratch)
		return pl.scratch
	}
	pl.scratchSegments = false
	segs := pl.scratch[:0]
	for _, s := range pl.scratch {
		if s.to.kind() == toLabel {
			s.to = to(pl.chainLabels[s.to.v()])
		}
		segs.add(uint64(s.start), s.to) // equal chains of one ABI now join
	}
	pl.scratch = segs
	return segs
}
