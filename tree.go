package seccomp

// segments splits the syscall numbers into runs of equal outcome: a
// return, or the chain of a syscall with conditions (the label of
// pl.chains[i] is chains+i), in into's memory if it has room. On x86_64 the
// numbers with bit 30 set are x32's and get the bad-arch action, all but -1:
// the search tells them apart at the far right of the tree, where no real
// syscall is, instead of a test in the frame that every syscall would run.
// When the program has an x32 section (x32Apart), the dispatch sends them
// there first (a jset), and this search never sees them: x32's calls then
// pay no walk through x86_64's tree, and the disassembler can tell the
// sections apart.
func (pl *plan) segments(chains label, into segmentList) segmentList {
	// Each call is a run, and so may be the numbers before it; then the
	// numbers above the last and x32's.
	n, after := 7, uint32(0)
	for _, c := range pl.calls {
		if c.nr != after {
			n++
		}
		n++
		after = c.nr + 1
	}
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
	for _, c := range pl.calls {
		unlisted(from, uint64(c.nr))
		if c.hasRules() {
			segs.add(uint64(c.nr), to(chains+label(c.chain)))
		} else {
			segs.add(uint64(c.nr), toAction(c.action))
		}
		from = uint64(c.nr) + 1
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
// search over the segments, whose leaves return or jump into a rule chain,
// then the chains. Every instruction on the way to a constant outcome is
// one the kernel's cache emulator understands.
func (pl *plan) emitTree(b *builder) {
	chains := label(len(b.labels))
	for range pl.chains {
		b.newLabel()
	}
	b.load(offNr)
	segs := pl.scratch // checkFloor's, if its chain labels are these
	if chains != 0 || !pl.scratchSegments {
		b.tree = pl.segments(chains, b.tree)
		segs = b.tree
	}
	pl.scratchSegments = false // the search reorders them
	b.emitSearch(segs, true)
	for i, rules := range pl.chains {
		b.bind(chains + label(i))
		b.emitRules(rules, pl.def)
	}
}
