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
	pl, err := p.plan()
	if err != nil {
		return Program{}, err
	}
	// Refuse what is certain to be too large before emitting anything.
	if err := pl.checkFloor(layout); err != nil {
		return Program{}, err
	}
	b := newBuilder()
	b.bigEndian = pl.arch.bigEndian()
	pl.emitFrame(b)
	if layout == LayoutBitmap {
		pl.emitBitmap(b)
	} else {
		pl.emitTree(b)
	}
	insns, err := b.assemble()
	if e, ok := err.(errTooLong); ok {
		return Program{}, pl.tooLong(e.n, layout)
	}
	if err != nil {
		return Program{}, err
	}
	return Program{Arch: pl.arch, Instructions: insns}, nil
}

// emitFrame emits what every program starts with: the arch check, the
// load of the number, and on x86_64 the x32 check. It leaves the number in
// the accumulator.
func (pl *plan) emitFrame(b *builder) {
	b.load(offArch)
	b.jump(opJeqK, pl.arch.auditArch(), next, toAction(pl.badArch))
	b.load(offNr)
	switch pl.arch {
	case ArchX32:
		// x32 calls carry x86_64's arch and bit 30; an x86_64 call is
		// another ABI's.
		b.jump(opJsetK, x32SyscallBit, next, toAction(pl.badArch))
	case ArchX86_64:
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
