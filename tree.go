package seccomp

// segments splits the syscall numbers into runs of equal outcome: a
// return, or the chain of a syscall with conditions (chains holds their
// labels, in order). On x86_64 the numbers with bit 30 set are x32's and
// get the bad-arch action, all but -1: the search tells them apart at the
// far right of the tree, where no real syscall is, instead of a test in the
// frame that every syscall would run.
func (pl *plan) segments(chains []label) segmentList {
	segs := make(segmentList, 0, 2*len(pl.calls)+7)
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
	if pl.arch != ArchX86_64 {
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
