package seccomp

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
