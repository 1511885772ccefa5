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
	pls, notes, err := p.plans()
	if err != nil {
		return Program{}, err
	}
	// Refuse what is certain to be too large before emitting anything:
	// each section alone is a lower bound of the whole.
	for _, pl := range pls {
		if err := pl.checkFloor(layout); err != nil {
			return Program{}, err
		}
	}
	b := newBuilder()
	b.bigEndian = pls[0].arch.bigEndian()
	emitSections(b, pls, func(pl *plan) {
		if layout == LayoutBitmap {
			pl.emitBitmap(b)
		} else {
			pl.emitTree(b)
		}
	})
	insns, err := b.assemble()
	if e, ok := err.(errTooLong); ok {
		return Program{}, pls[0].tooLong(e.n, layout)
	}
	if err != nil {
		return Program{}, err
	}
	prog := Program{Arch: pls[0].arch, Instructions: insns, Notes: notes}
	for _, pl := range pls[1:] {
		prog.Compat = append(prog.Compat, pl.arch)
	}
	return prog, nil
}

// emitSections emits the dispatch on the arch and, per ABI, its section:
// the load of the number, on x86_64 the x32 check, and what layout emits.
// ABIs are tested in the policy's order, Arch first, so that the native one
// pays one jeq; a value no ABI has gets the bad-arch action. x86_64 and x32
// share an arch value, and bit 30 of the number tells them apart.
func emitSections(b *builder, pls []*plan, layout func(*plan)) {
	type group struct {
		audit       uint32
		x86_64, x32 *plan
		start       label
	}
	var groups []*group
	find := func(audit uint32) *group {
		for _, g := range groups {
			if g.audit == audit {
				return g
			}
		}
		g := &group{audit: audit, start: b.newLabel()}
		groups = append(groups, g)
		return g
	}
	for _, pl := range pls {
		g := find(pl.arch.auditArch())
		if pl.arch == ArchX32 {
			g.x32 = pl
		} else {
			g.x86_64 = pl // or whatever ABI owns the value alone
		}
	}
	badArch := toAction(pls[0].badArch)
	def := toAction(pls[0].def)
	b.load(offArch)
	for i, g := range groups {
		if i == len(groups)-1 {
			b.jump(opJeqK, g.audit, next, badArch)
		} else {
			b.jump(opJeqK, g.audit, to(g.start), next)
		}
	}
	// The last group's section follows its test; the others' follow it.
	for i := len(groups) - 1; i >= 0; i-- {
		if i < len(groups)-1 {
			b.bind(groups[i].start)
		}
		g := groups[i]
		b.load(offNr)
		switch {
		case g.x86_64 == nil:
			// x32 alone: an x86_64 call is another ABI's.
			b.jump(opJsetK, x32SyscallBit, next, badArch)
			layout(g.x32)
		case g.x86_64.arch == ArchX86_64 && g.x32 != nil:
			x32 := b.newLabel()
			b.jump(opJsetK, x32SyscallBit, to(x32), next)
			layout(g.x86_64)
			b.bind(x32)
			layout(g.x32) // -1 has bit 30 set: x32's section gives it the default
		case g.x86_64.arch == ArchX86_64:
			// Numbers with bit 30 set are x32's, as the kernel and runc
			// tell them apart; -1 (a call a tracer skipped) is not one.
			notX32 := b.newLabel()
			b.jump(opJsetK, x32SyscallBit, next, to(notX32))
			b.jump(opJeqK, 0xFFFFFFFF, def, badArch)
			b.bind(notX32)
			layout(g.x86_64)
		default:
			layout(g.x86_64)
		}
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
