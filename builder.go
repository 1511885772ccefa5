package seccomp

import (
	"fmt"
	"sync"

	"golang.org/x/net/bpf"
)

// argLow and argHigh are the offsets of the halves of argument i: the
// kernel fills seccomp_data natively, so a little-endian arch has the low
// half first and a big-endian one the high half.
func (b *builder) argLow(i int) uint32 {
	if b.bigEndian {
		return 20 + 8*uint32(i)
	}
	return 16 + 8*uint32(i)
}

func (b *builder) argHigh(i int) uint32 {
	if b.bigEndian {
		return 16 + 8*uint32(i)
	}
	return 20 + 8*uint32(i)
}

// label names a place in the program, bound once; jumps refer to it before
// it is bound, since every jump goes forward.
type label int32

// target is where a branch goes: the next instruction, a label, or a return
// of a constant (a "ret #k" placed wherever a short jump can reach it). It
// is its kind in the high word and the label or the return value in the
// low one, so that targets compare in one word.
type target uint64

type targetKind uint8

const (
	toNext targetKind = iota
	toLabel
	toRet
)

var next = target(0)

func to(l label) target        { return target(uint64(toLabel)<<32 | uint64(uint32(l))) }
func toAction(a Action) target { return toRetK(a.Ret()) }
func toRetK(k uint32) target   { return target(uint64(toRet)<<32 | uint64(k)) }

// kind is whether t is the next instruction, a label, or a return.
func (t target) kind() targetKind { return targetKind(t >> 32) }

// v is t's label or return value.
func (t target) v() uint32 { return uint32(t) }

// insn is an instruction whose jumps are still targets.
type insn struct {
	op     uint16
	k      uint32
	jt, jf target // conditional jumps; jt alone for ja
}

// accState says what the accumulator holds: the seccomp_data word at that
// offset, or accUnknown.
type accState int32

const (
	accUnknown accState = -1
	accNone    accState = -2 // no path reaches here yet
)

func meet(a, b accState) accState {
	switch {
	case a == accNone:
		return b
	case b == accNone || a == b:
		return a
	}
	return accUnknown
}

// builder emits a program against labels, tracking what the accumulator
// holds so that a word already loaded is not loaded again, then assembles the
// labels into offsets (see assemble).
type builder struct {
	insns  []insn
	labels []labelState
	acc    accState
	live   bool // the next instruction is reachable
	// bigEndian is the byte order of the arch whose arguments the
	// program reads.
	bigEndian bool
	// Scratch space, kept from one compile to the next (see workspace):
	// spans and segs for emitValueRun, rev and at for assemble.
	spans []span
	segs  segmentList
	// diff holds x32's segments where they differ from x86_64's
	// (x32Diff), and pool the rule chains sections share (poolChains).
	diff    segmentList
	cells   []diffCell
	weights []int
	// entries are the ways into the search being emitted from x32's
	// (search's bindEntries); empty for every other search.
	entries []searchEntry
	// wordSegs and bitmapChains are emitBitmap's: the segments of its
	// search of the words, and the labels of its section's chains.
	wordSegs     segmentList
	bitmapChains []label
	// prefix is search's sums over the segments of the search being
	// emitted.
	prefix searchPrefix
	pool   []pooledChain
	rev    []bpf.RawInstruction
	at     []int32
	dests  []labelDest
}

// labelDest is what a label leads to, for assemble.
type labelDest struct {
	insn int32  // the instruction it is bound to
	ja   int32  // the rev index of the nearest stand-in ja for it, or -1
	k    uint32 // with ret, the return's value
	ret  bool   // the instruction is a return
}

type labelState struct {
	at  int32    // instruction index the label is bound to, or -1
	acc accState // the accumulator on the jumps to the label so far
}

// newBuilder returns a builder with room for a program of about n
// instructions.
func newBuilder(n int) *builder {
	b := new(builder)
	b.reset(n)
	return b
}

// reset makes b a new builder, keeping its memory, with room for a program
// of about n instructions.
func (b *builder) reset(n int) {
	if cap(b.insns) < n {
		b.insns, b.labels = make([]insn, 0, n), make([]labelState, 0, n/2)
	}
	b.insns, b.labels = b.insns[:0], b.labels[:0]
	b.acc, b.live, b.bigEndian = accUnknown, true, false
}

// workspace is the memory of one compile. Compiles take one from
// workspaces and put it back, so that in a program that compiles again and
// again a compile allocates little more than the program it returns.
type workspace struct {
	b builder
	// pls are the plans, one per ABI, and ptrs point at them; set holds
	// the ABIs.
	pls  []plan
	ptrs []*plan
	set  []Arch
	// idx holds, per ABI, the entries that apply there, and applies
	// slices it.
	idx     []uint32
	applies [][]uint32
	// ids holds 0, 1, 2, ... (identity).
	ids []uint32
	// acts holds, by a plan's entry, its one unconditional action, or
	// complexRules (planABI).
	acts []Action
	// rec is what x86_64's plan notes for x32's (deriveX32).
	rec planRecord
	// nrs holds a plan's numbers, their entries, their order, and the
	// counts; subs, its entries of multiplexed calls.
	nrs  []uint32
	subs []uint32
	// keys are sortByNumber's, for numbers too far apart to count (arm's
	// private calls at 0x0f0000).
	keys []uint64
}

var workspaces = sync.Pool{New: func() any { return new(workspace) }}

// identity returns 0, 1, ..., n-1, kept from one compile to the next.
func (w *workspace) identity(n int) []uint32 {
	for i := len(w.ids); i < n; i++ {
		w.ids = append(w.ids, uint32(i))
	}
	return w.ids[:n]
}

// grow gives w room for n plans.
func (w *workspace) grow(n int) {
	if len(w.pls) >= n {
		return
	}
	// A new array: the old plans' memory moves with them, and ptrs are
	// made afresh to point at the new ones.
	pls := make([]plan, n)
	copy(pls, w.pls)
	w.pls, w.ptrs = pls, make([]*plan, n)
	for i := range pls {
		w.ptrs[i] = &pls[i]
	}
}

// release drops what w holds of a policy, and puts w back.
func (w *workspace) release() {
	for i := range w.pls {
		pl := &w.pls[i]
		clear(pl.chains[:cap(pl.chains)])
		*pl = plan{calls: pl.calls[:0], chains: pl.chains[:0], floors: pl.floors[:0], scratch: pl.scratch, chainLabels: pl.chainLabels[:0], muxRules: pl.muxRules, muxConds: pl.muxConds}
	}
	w.set = w.set[:0]
	w.b.releasePool()
	workspaces.Put(w)
}

func (b *builder) newLabel() label {
	b.labels = append(b.labels, labelState{at: -1, acc: accNone})
	return label(len(b.labels) - 1)
}

// bind places l at the next instruction.
func (b *builder) bind(l label) {
	if b.labels[l].at >= 0 {
		panic("seccomp: label bound twice")
	}
	b.labels[l].at = int32(len(b.insns))
	acc := b.labels[l].acc
	if b.live {
		acc = meet(acc, b.acc)
	}
	b.live = acc != accNone
	b.acc = acc
	if acc == accNone {
		b.acc = accUnknown
	}
}

func (b *builder) emit(i insn) {
	if b.live { // code no path reaches is left out
		b.insns = append(b.insns, i)
	}
}

// load loads the seccomp_data word at off, unless the accumulator holds it.
func (b *builder) load(off uint32) {
	if b.acc == accState(off) {
		return
	}
	b.emit(insn{op: opLdWAbs, k: off})
	b.acc = accState(off)
}

// assume records that the accumulator holds the word at off, as far as
// what follows tests it: x32's number with bit 30 cleared is x86_64's.
func (b *builder) assume(off uint32) { b.acc = accState(off) }

// alu emits an instruction that changes the accumulator.
func (b *builder) alu(op uint16, k uint32) {
	b.emit(insn{op: op, k: k})
	b.acc = accUnknown
}

func (b *builder) note(t target) {
	if t.kind() == toLabel && b.live {
		if b.labels[t.v()].at >= 0 {
			panic("seccomp: backward jump")
		}
		b.labels[t.v()].acc = meet(b.labels[t.v()].acc, b.acc)
	}
}

// jump emits a conditional jump on the accumulator.
func (b *builder) jump(op uint16, k uint32, jt, jf target) {
	if jt == jf {
		b.goTo(jt)
		return
	}
	b.note(jt)
	b.note(jf)
	b.emit(insn{op: op, k: k, jt: jt, jf: jf})
	if jt != next && jf != next {
		b.live = false
	}
}

// goTo continues at t.
func (b *builder) goTo(t target) {
	switch t.kind() {
	case toNext:
		return
	case toRet:
		b.ret(t.v())
		return
	}
	b.note(t)
	b.emit(insn{op: opJa, jt: t})
	b.live = false
}

func (b *builder) ret(k uint32) {
	b.emit(insn{op: opRetK, k: k})
	b.live = false
}

// errTooLong is assemble's error for a program over the kernel's limit,
// which Compile words (plan.tooLong).
type errTooLong struct{ n int }

func (e errTooLong) Error() string {
	return fmt.Sprintf("seccomp: program has %d instructions, over the kernel's limit of %d", e.n, maxInsns)
}

// assemble turns the instructions into a program. It works from the last
// instruction to the first: all jumps go forward, so when an instruction is
// placed every target is placed already and its distance is known, and what
// is inserted later, before it, moves nothing already placed. A conditional
// jump too far for its 8-bit offset goes through a stand-in placed right
// after it: a copy of the "ret" it leads to, or a "ja" to the label. Every
// jump to a return takes the nearest copy of it.
func (b *builder) assemble() ([]bpf.RawInstruction, error) {
	// dests holds what each label leads to, found once: its instruction,
	// whether that is a return (and of what), and the nearest stand-in ja
	// for it (its rev index), or -1.
	dests := b.dests[:0]
	for l, ls := range b.labels {
		d := labelDest{insn: ls.at, ja: -1}
		switch {
		case ls.acc == accNone: // never jumped to
		case ls.at < 0:
			return nil, fmt.Errorf("seccomp: internal error: label %d used but not bound", l)
		case int(ls.at) >= len(b.insns):
			return nil, fmt.Errorf("seccomp: internal error: label %d bound past the last instruction", l)
		case b.insns[ls.at].op == opRetK:
			d.ret, d.k = true, b.insns[ls.at].k
		}
		dests = append(dests, d)
	}
	b.dests = dests
	if len(b.insns) == 0 || b.live {
		return nil, fmt.Errorf("seccomp: internal error: program can run off its end")
	}
	// The program is placed backwards, from the end of buf down: rev
	// index e, the instruction e places from the end, is buf[top-e], so
	// a jump at e to the instruction at t has offset e-t-1, and the
	// program is buf's tail, in order. Every instruction places itself
	// and at most two stand-ins.
	top := 3*len(b.insns) - 1
	if cap(b.rev) < top+1 {
		b.rev = make([]bpf.RawInstruction, top+1)
	}
	buf := b.rev[:top+1]
	placed := int32(0) // len(rev)
	// at is the rev index of each instruction.
	if cap(b.at) < len(b.insns) {
		b.at = make([]int32, len(b.insns))
	}
	at := b.at[:len(b.insns)]
	// retAt holds the rev index of the nearest copy of each return: a
	// program has few distinct ones, so a list beats a map.
	type retPlace struct {
		k  uint32
		at int32
	}
	retAt := make([]retPlace, 0, 16)
	findRet := func(k uint32) int32 {
		for _, r := range retAt {
			if r.k == k {
				return r.at
			}
		}
		return -1
	}
	place := func(ri bpf.RawInstruction) int32 {
		e := placed
		buf[top-int(e)] = ri
		placed++
		if ri.Op == opRetK {
			for i := range retAt {
				if retAt[i].k == ri.K {
					retAt[i].at = e
					return e
				}
			}
			retAt = append(retAt, retPlace{ri.K, e})
		}
		return e
	}
	// where returns the rev index that target t of instruction i reaches
	// soonest, and -1 if t is a return not placed yet.
	where := func(i int, t target) int32 {
		switch t.kind() {
		case toNext:
			return at[i+1]
		case toRet:
			return findRet(t.v())
		}
		d := &dests[t.v()]
		if d.ret {
			return findRet(d.k)
		}
		if d.ja >= 0 {
			return d.ja
		}
		return at[d.insn]
	}
	// standIn places what branch t of a jump goes to instead of a far target.
	standIn := func(t target) int32 {
		if t.kind() == toRet {
			return place(bpf.RawInstruction{Op: opRetK, K: t.v()})
		}
		d := &dests[t.v()]
		if d.ret {
			return place(bpf.RawInstruction{Op: opRetK, K: d.k})
		}
		s := place(bpf.RawInstruction{Op: opJa, K: uint32(placed - at[d.insn] - 1)})
		d.ja = s
		return s
	}
	for i := len(b.insns) - 1; i >= 0; i-- {
		in := &b.insns[i]
		switch in.op {
		case opJa:
			d := &dests[in.jt.v()]
			if d.ret {
				// A jump to a return is the return.
				at[i] = place(bpf.RawInstruction{Op: opRetK, K: d.k})
				continue
			}
			if e := at[d.insn]; e == placed-1 {
				at[i] = e // a jump to the next instruction is none
				continue
			}
			at[i] = place(bpf.RawInstruction{Op: opJa, K: uint32(placed - at[d.insn] - 1)})
		case opJeqK, opJgtK, opJgeK, opJsetK:
			// far reports whether target e is out of this jump's reach
			// once k more stand-ins lie between them. Stand-ins are
			// placed jf's first, so that jt's sits right after the jump.
			far := func(e, k int32) bool { return e < 0 || placed+k-e-1 > maxJump }
			ef, et := where(i, in.jf), where(i, in.jt)
			if far(ef, 0) || far(et, 0) && far(ef, 1) {
				ef = standIn(in.jf)
				et = where(i, in.jt) // jf's stand-in may be the return jt wants
			}
			if far(et, 0) {
				et = standIn(in.jt)
			}
			self := placed
			at[i] = place(bpf.RawInstruction{Op: in.op, K: in.k, Jt: uint8(self - et - 1), Jf: uint8(self - ef - 1)})
		case opRetK:
			// A return that nothing falls into can be a copy placed
			// just after it already: the jumps to it take that one.
			if e := findRet(in.k); e >= 0 && i > 0 && opClass(b.insns[i-1].op) == classJmp && placed-e <= maxJump/4 {
				at[i] = e
				continue
			}
			at[i] = place(bpf.RawInstruction{Op: in.op, K: in.k})
		default:
			at[i] = place(bpf.RawInstruction{Op: in.op, K: in.k})
		}
	}
	if placed > maxInsns {
		return nil, errTooLong{int(placed)}
	}
	// A copy of its own length (slices.Clone would round its capacity up).
	prog := make([]bpf.RawInstruction, placed)
	copy(prog, buf[top+1-int(placed):])
	return prog, nil
}
