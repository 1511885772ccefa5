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
	pl, err := p.planIn(w)
	if err != nil {
		return Program{}, err
	}
	// Refuse what is certain to be too large before emitting anything.
	if err := pl.checkFloor(layout); err != nil {
		return Program{}, err
	}
	b := &w.b
	b.reset(128)
	pl.emit(b, layout)
	insns, err := b.assemble()
	if e, ok := err.(errTooLong); ok {
		return Program{}, pl.tooLong(e.n, layout)
	}
	if err != nil {
		return Program{}, err
	}
	return Program{Arch: pl.arch, Instructions: insns}, nil
}

// emit emits the whole program with the layout.
func (pl *plan) emit(b *builder, layout Layout) {
	b.bigEndian = pl.arch.bigEndian()
	if layout == LayoutBitmap {
		pl.emitFrame(b, true)
		pl.emitBitmap(b)
	} else {
		pl.emitFrame(b, false) // the tree's search sends x32's numbers away
		pl.emitTree(b)
	}
}

// emitFrame emits what every program starts with: the arch check, the
// load of the number, and the x32 check: on x32 that bit 30 is set, on
// x86_64 with x86_64x32 that it is not, unless the number is -1. It leaves
// the number in the accumulator.
func (pl *plan) emitFrame(b *builder, x86_64x32 bool) {
	b.load(offArch)
	b.jump(opJeqK, pl.arch.auditArch(), next, toAction(pl.badArch))
	b.load(offNr)
	switch {
	case pl.arch == ArchX32:
		// x32 calls carry x86_64's arch and bit 30; an x86_64 call is
		// another ABI's.
		b.jump(opJsetK, x32SyscallBit, next, toAction(pl.badArch))
	case pl.arch == ArchX86_64 && x86_64x32:
		// Numbers with bit 30 set are x32's, as the kernel and runc tell
		// them apart; -1 (a call a tracer skipped) is not one.
		notX32 := b.newLabel()
		b.jump(opJsetK, x32SyscallBit, next, to(notX32))
		b.jump(opJeqK, 0xFFFFFFFF, toAction(pl.def), toAction(pl.badArch))
		b.bind(notX32)
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
