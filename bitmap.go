package seccomp

// bitmapWords is how many 32-bit words the bitmap layout spends on
// unconditional allows: 480 system calls from the arch's first (see
// plan.tableBase).
const bitmapWords = 15

// emitBitmap emits the bitmap layout after the frame:
//
//	overrides     jeq #nr, ret ACTION            (constant outcomes other than allow)
//	bitmap        X = nr & 31; A = nr >> 5; search for word A;
//	              A = word >> X; jset #1 -> ret ALLOW
//	linear        ld [0]; jeq #nr -> that call's rule chain; ...
//	              allows beyond the bitmap; unlisted numbers
//	chains        one per system call with conditions
//
// A number the bitmap does not allow always goes on to the linear section,
// so an allow beyond word 14 is tested there rather than lost.
func (pl *plan) emitBitmap(b *builder) {
	var words [bitmapWords]uint32
	base := pl.tableBase // a multiple of 32, so nr & 31 is the bit either way
	inBitmap := func(c callPlan) bool {
		return !c.hasRules() && c.action == Allow && c.nr >= base && c.nr-base < 32*bitmapWords
	}
	for _, c := range pl.calls {
		if !c.hasRules() && c.action != Allow {
			b.jump(opJeqK, c.nr, toAction(c.action), next)
		}
		if inBitmap(c) {
			words[(c.nr-base)/32] |= 1 << (c.nr % 32)
		}
	}

	linear := b.newLabel()
	var usedBuf [bitmapWords]uint32
	used := usedBuf[:0]
	for w, bits := range words {
		if bits != 0 {
			used = append(used, uint32(w))
		}
	}
	if len(used) > 0 {
		b.load(offNr) // held since the frame: free
		b.alu(opAndK, 31)
		b.emit(insn{op: opTax})
		b.load(offNr)
		b.alu(opRshK, 5)
		// Search the word index; each word in use leads to its test.
		// Scratch: the labels on the stack, the segments (which the
		// search would make escape) in the builder's memory; both free
		// again once the search is emitted.
		var testsBuf [bitmapWords]label
		tests, segs := testsBuf[:len(used)], b.wordSegs[:0]
		segs.add(0, to(linear))
		for i, w := range used {
			tests[i] = b.newLabel()
			segs.add(uint64(base/32+w), to(tests[i]))
			segs.add(uint64(base/32+w)+1, to(linear))
		}
		b.wordSegs = segs
		b.emitSearch(segs, false)
		for i, w := range used {
			b.bind(tests[i])
			b.alu(opLdImm, words[w])
			b.alu(opRshX, 0)
			b.jump(opJsetK, 1, toAction(Allow), to(linear))
		}
	}

	b.bind(linear)
	b.load(offNr)
	chains := b.bitmapChains[:0] // in the builder's memory: emitRules below never uses it
	for _, c := range pl.calls {
		switch {
		case c.hasRules():
			l := b.newLabel()
			chains = append(chains, l)
			b.jump(opJeqK, c.nr, to(l), next)
		case c.action == Allow && !inBitmap(c):
			b.jump(opJeqK, c.nr, toAction(Allow), next)
		}
	}
	b.bitmapChains = chains
	pl.emitUnlisted(b)
	for _, c := range pl.calls {
		if c.hasRules() {
			b.bind(chains[0])
			chains = chains[1:]
			b.emitRules(pl.chains[c.chain], pl.def)
		}
	}
}
