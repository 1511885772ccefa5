package seccomp

// segment is a run of system call numbers, from start up to the next
// segment's start, that share one outcome.
type segment struct {
	start uint32
	out   outcome
}

// outcome is a constant return, or a system call's rule chain.
type outcome struct {
	ret   uint32
	chain int // index into the chain labels, or -1
}

// segments splits the numbers left after the frame into runs of equal
// outcome. On x86_64 the frame has sent every number from 0x40000000 up
// elsewhere, so the line ends there.
func (pl *plan) segments() []segment {
	segs := make([]segment, 0, 2*len(pl.calls)+3)
	add := func(start uint64, out outcome) {
		n := len(segs)
		switch {
		case n > 0 && segs[n-1].out == out:
		case n > 0 && uint64(segs[n-1].start) == start:
			segs[n-1].out = out
		default:
			segs = append(segs, segment{uint32(start), out})
		}
	}
	end := uint64(1) << 32
	if pl.arch == ArchX86_64 {
		end = x32SyscallBit
	}
	// unlisted adds the numbers in [from, to) that the policy does not name.
	unlisted := func(from, to uint64) {
		for from < to {
			a := pl.unlistedAction(uint32(from))
			stop := to
			switch {
			case pl.enosysAbove < 0:
			case from <= uint64(pl.enosysAbove):
				stop = min(to, uint64(pl.enosysAbove)+1)
			case from < 0xFFFFFFFF:
				stop = min(to, 0xFFFFFFFF)
			}
			add(from, outcome{ret: a.Ret(), chain: -1})
			from = stop
		}
	}
	from, chain := uint64(0), 0
	for _, c := range pl.calls {
		unlisted(from, uint64(c.nr))
		if c.rules != nil {
			add(uint64(c.nr), outcome{chain: chain})
			chain++
		} else {
			add(uint64(c.nr), outcome{ret: c.action.Ret(), chain: -1})
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
	segs := pl.segments()
	leaf := func(s segment) target {
		if s.out.chain >= 0 {
			return to(chains[s.out.chain])
		}
		return target{kind: toRet, v: s.out.ret}
	}
	var search func(segs []segment)
	search = func(segs []segment) {
		switch {
		case len(segs) == 1:
			b.goTo(leaf(segs[0]))
			return
		case len(segs) == 3 && segs[0].out == segs[2].out && segs[2].start == segs[1].start+1:
			// One number inside a run: a single jeq decides.
			b.jump(opJeqK, segs[1].start, leaf(segs[1]), leaf(segs[0]))
			return
		}
		mid := len(segs) / 2
		left, right := segs[:mid], segs[mid:]
		rt, lt := next, next
		var rl label
		if len(right) == 1 {
			rt = leaf(right[0])
		} else {
			rl = b.newLabel()
			rt = to(rl)
		}
		if len(left) == 1 {
			lt = leaf(left[0])
		}
		b.jump(opJgeK, right[0].start, rt, lt)
		if len(left) > 1 {
			search(left)
		}
		if len(right) > 1 {
			b.bind(rl)
			search(right)
		}
	}
	b.load(offNr)
	search(segs)
	i := 0
	for _, c := range pl.calls {
		if c.rules != nil {
			b.bind(chains[i])
			i++
			b.emitRules(c.rules, pl.def)
		}
	}
}
