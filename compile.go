package seccomp

import (
	"fmt"
)

// Layout is how a program dispatches on the system call number. Both
// layouts decide every system call the same way; they differ in size and in
// speed.
type Layout uint8

const (
	// LayoutTree is a balanced binary search over runs of system call
	// numbers with the same outcome. Every system call it allows
	// unconditionally is one the kernel (5.11 and later) caches, so that
	// it skips the filter altogether.
	LayoutTree Layout = iota
	// LayoutBitmap tests unconditional allows in a 15-word bitmap: a
	// small program with a short constant path, but the shift on that
	// path is beyond the kernel's cache, so every allow runs the filter.
	LayoutBitmap
)

// String returns "tree" or "bitmap".
func (l Layout) String() string {
	switch l {
	case LayoutTree:
		return "tree"
	case LayoutBitmap:
		return "bitmap"
	}
	return fmt.Sprintf("layout(%d)", uint8(l))
}

// ParseLayout returns the Layout named "tree" or "bitmap".
func ParseLayout(s string) (Layout, error) {
	switch s {
	case "tree":
		return LayoutTree, nil
	case "bitmap":
		return LayoutBitmap, nil
	}
	return 0, fmt.Errorf("unknown layout %q (want tree or bitmap)", s)
}

// Compile compiles the policy into a program with the default layout,
// LayoutTree.
func (p *Policy) Compile() (Program, error) {
	return p.CompileLayout(LayoutTree)
}

// CompileLayout compiles the policy into a program with the given layout.
func (p *Policy) CompileLayout(layout Layout) (Program, error) {
	if layout != LayoutTree && layout != LayoutBitmap {
		return Program{}, fmt.Errorf("seccomp: unknown layout %d", layout)
	}
	w := workspaces.Get().(*workspace)
	defer w.release()
	pls, notes, err := p.plansIn(w)
	if err != nil {
		return Program{}, err
	}
	// Refuse what is certain to be too large before emitting anything.
	if err := checkFloor(&w.b, pls, layout); err != nil {
		return Program{}, err
	}
	b := &w.b
	b.reset(128 * len(pls))
	emit(b, pls, layout)
	insns, err := b.assemble()
	if e, ok := err.(errTooLong); ok {
		return Program{}, tooLong(&w.b, pls, e.n, layout)
	}
	if err != nil {
		return Program{}, err
	}
	prog := Program{Arch: pls[0].arch, Instructions: insns, Notes: notes}
	if len(pls) > 1 {
		prog.Compat = make([]Arch, 0, len(pls)-1)
		for _, pl := range pls[1:] {
			prog.Compat = append(prog.Compat, pl.arch)
		}
	}
	return prog, nil
}

// emit emits the whole program, every ABI's section with the layout.
func emit(b *builder, pls []*plan, layout Layout) {
	b.bigEndian = pls[0].arch.bigEndian()
	emitSections(b, pls, layout)
}

// section is the ABIs of one arch value: x86_64 and x32 share one, and bit
// 30 of the number tells them apart; every other ABI owns its value alone
// (in x86_64's place).
type section struct {
	audit       uint32
	x86_64, x32 *plan
	start       label
}

// emitSections emits the dispatch on the arch and, per ABI, its section:
// the load of the number, on x86_64 the x32 check, and what the layout
// emits. ABIs are tested in the policy's order, Arch first, so that the
// native one pays one jeq; a value no ABI has gets the bad-arch action.
//
// Without x32 in the set, x86_64's tree layout sends the numbers with bit
// 30 set away in its search (segments), so that its frame has no x32 test;
// with x32 in the set, a jset sends them to x32's part first: in the tree
// layout a search of the numbers x32 decides otherwise, before x86_64's
// search (emitX32Diff), or else x32's own section. In the tree layout the
// rule chains are pooled (poolChains) and each is emitted after the last
// group that jumps into it.
func emitSections(b *builder, pls []*plan, layout Layout) {
	var buf [16]section // more than there are ABIs: no allocation
	groups := buf[:0]
	for _, pl := range pls {
		audit := pl.arch.auditArch()
		g := -1
		for i := range groups {
			if groups[i].audit == audit {
				g = i
			}
		}
		if g < 0 {
			groups = append(groups, section{audit: audit})
			g = len(groups) - 1
		}
		if pl.arch == ArchX32 {
			groups[g].x32 = pl
		} else {
			groups[g].x86_64 = pl // or whatever ABI owns the value alone
		}
	}
	badArch := toAction(pls[0].badArch)
	def := toAction(pls[0].def)
	last := len(groups) - 1
	if layout == LayoutTree {
		// Groups are emitted last first: group i is slot last-i.
		var slots [16]int
		for p, pl := range pls {
			for g := range groups {
				if groups[g].x86_64 == pl || groups[g].x32 == pl {
					slots[p] = last - g
				}
			}
		}
		b.poolChains(pls, slots[:len(pls)])
	}
	b.load(offArch)
	for i := range groups {
		if i == last {
			b.jump(opJeqK, groups[i].audit, next, badArch)
		} else {
			// Labels only where a jump needs one: a single section's
			// layout starts at label 0 (emitTree reuses checkFloor's
			// segments then).
			groups[i].start = b.newLabel()
			b.jump(opJeqK, groups[i].audit, to(groups[i].start), next)
		}
	}
	// The last group's section follows its test; the others' follow it.
	for i := last; i >= 0; i-- {
		g := &groups[i]
		if i < last {
			b.bind(g.start)
		}
		b.load(offNr)
		switch {
		case g.x86_64 == nil:
			// x32 alone: an x86_64 call is another ABI's.
			b.jump(opJsetK, x32SyscallBit, next, badArch)
			g.x32.emitLayout(b, layout)
		case g.x86_64.arch == ArchX86_64 && g.x32 != nil:
			if layout == LayoutTree && emitX32Diff(b, g.x86_64, g.x32) {
				break
			}
			x32 := b.newLabel()
			b.jump(opJsetK, x32SyscallBit, to(x32), next)
			g.x86_64.emitLayout(b, layout)
			b.bind(x32)
			g.x32.emitLayout(b, layout) // -1 has bit 30 set: x32's section gives it the default
		case g.x86_64.arch == ArchX86_64 && layout == LayoutBitmap:
			// Numbers with bit 30 set are x32's, as the kernel and runc
			// tell them apart; -1 (a call a tracer skipped) is not one.
			// The tree's search does this itself.
			notX32 := b.newLabel()
			b.jump(opJsetK, x32SyscallBit, next, to(notX32))
			b.jump(opJeqK, 0xFFFFFFFF, def, badArch)
			b.bind(notX32)
			g.x86_64.emitLayout(b, layout)
		default:
			g.x86_64.emitLayout(b, layout)
		}
		if layout == LayoutTree {
			b.emitPooled(last-i, pls[0].def)
		}
	}
}

// emitX32Diff emits, where x86_64 and x32 share an arch value, x32's
// numbers sent into x86_64's search: a jset takes them to an and that
// clears bit 30, then to a search of the numbers whose x32 outcome
// differs (x32Diff: the "64" numbers x32 lacks, its own 512 and up, and
// those above x86_64's highest), weighted by x32's calls; each of its
// leaves that x32 decides as x86_64 does enters x86_64's search at the
// deepest node that holds the leaf's numbers, which the earlier tests have
// already told apart. x32's path need not be one the kernel's cache
// emulator follows: it never caches x32. It reports false, emitting
// nothing, when that search would not be smaller than x32's own tree.
func emitX32Diff(b *builder, x64, x32 *plan) bool {
	x32Segs, x64Segs := x32.labeledSegments(), x64.labeledSegments()
	same, root := b.newLabel(), b.newLabel()
	b.diff, b.cells = x32Diff(x64Segs, x32Segs, to(same), b.diff, b.cells)
	// 100 segments take some 100 jumps, which the jset to the root must
	// clear within its 8-bit offset.
	if len(b.diff) >= len(x32Segs) || len(b.diff) > 100 {
		return false
	}
	b.weights = callWeights(archInfos[ArchX32], b.diff, b.weights)
	// The search compares the numbers with bit 30 cleared, as x86_64's
	// does; each leaf that enters x86_64's search gets an entry of its own.
	entries := b.entries[:0] // b.entries only once x86_64's search is emitted
	b.entries = nil
	for i := range b.diff {
		d := &b.diff[i]
		if i > 0 {
			d.start -= x32SyscallBit
		}
		if d.to == to(same) {
			hi := uint64(1) << 32
			if i+1 < len(b.diff) {
				hi = uint64(b.diff[i+1].start) - x32SyscallBit
			}
			at := b.newLabel()
			entries = append(entries, searchEntry{lo: uint64(d.start), hi: hi, at: at})
			d.to = to(at)
		}
	}
	b.jump(opJsetK, x32SyscallBit, next, to(root))
	b.alu(opAndK, ^uint32(x32SyscallBit))
	b.assume(offNr)
	b.emitWeightedSearch(b.diff, b.weights)
	b.bind(root)
	b.assume(offNr)
	b.entries = entries
	b.emitSearch(x64Segs, true)
	if len(b.entries) != 0 {
		panic("seccomp: internal error: an x32 entry into x86_64's search left unbound")
	}
	return true
}

// emitLayout emits the plan's section after its frame.
func (pl *plan) emitLayout(b *builder, layout Layout) {
	if layout == LayoutBitmap {
		pl.emitBitmap(b)
	} else {
		pl.emitTree(b)
	}
}

// emitUnlisted decides a number the policy does not name. With
// UnknownENOSYS it tests for numbers above the highest named one.
func (pl *plan) emitUnlisted(b *builder) {
	if pl.enosysAbove >= 0 {
		b.load(offNr)
		b.jump(opJeqK, 0xFFFFFFFF, toAction(pl.def), next)
		b.jump(opJgtK, uint32(pl.enosysAbove), toAction(enosys), next)
	}
	b.goTo(toAction(pl.def))
}

// unlistedAction is the outcome emitUnlisted gives number nr.
func (pl *plan) unlistedAction(nr uint32) Action {
	if pl.enosysAbove >= 0 && nr != 0xFFFFFFFF && int64(nr) > pl.enosysAbove {
		return enosys
	}
	return pl.def
}
