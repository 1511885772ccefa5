//go:build linux

package seccomp

// TestInterpreterMatchesKernel: random and hand-made classic BPF programs,
// each loaded into the kernel (in a child, harness_test.go), return what
// the interpreter says they return.

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/bpf"
)

// proofFirstNr is the system call number the first program answers; the
// others answer the numbers after it. No supported arch has a system call
// there (x86_64's table ends below 500), so the Go runtime never makes one,
// and a call a filter let through would fail with ENOSYS.
const proofFirstNr = 1000

// The random programs: proofBatches children, each loading proofBatch of
// them, each program run on proofInputs argument vectors.
const (
	proofBatches = 8
	proofBatch   = 40
	proofInputs  = 64
)

// proofProgram is a filter that answers one system call number with
// ERRNO(something computed) and allows every other.
type proofProgram struct {
	name  string
	body  []bpf.RawInstruction
	fixed []bool // the instructions of body that make A observable: no mutant touches them
	// Set by place: the number answered, and the whole program.
	nr     uint32
	insns  []bpf.RawInstruction
	inputs [][6]uint64
	// For the directed programs: the outcome worked out by hand, for each
	// input.
	want []proofOutcome
}

// place makes p answer nr.
func (p *proofProgram) place(nr uint32) {
	p.nr = nr
	p.insns = proofFrame(nr, p.body)
}

// proofFrame wraps a body: "ld [0]; jeq #nr, body, allow". Every other
// number is allowed, by a path the kernel's cache understands, so that
// the Go runtime's calls skip the filter.
func proofFrame(nr uint32, body []bpf.RawInstruction) []bpf.RawInstruction {
	return append([]bpf.RawInstruction{
		{Op: opLdWAbs, K: 0},
		{Op: opJeqK, Jt: 1, K: nr},
		{Op: opRetK, K: Allow.Ret()},
	}, body...)
}

// proofDirected are programs whose results are worked out by hand: the
// kernel's arithmetic where a careless model would differ.
func proofDirected(t testing.TB) []proofProgram {
	ld := func(off uint32) bpf.Instruction { return bpf.LoadAbsolute{Off: off, Size: 4} }
	ldi := func(k uint32) bpf.Instruction { return bpf.LoadConstant{Dst: bpf.RegA, Val: k} }
	ldxi := func(k uint32) bpf.Instruction { return bpf.LoadConstant{Dst: bpf.RegX, Val: k} }
	aluK := func(op bpf.ALUOp, k uint32) bpf.Instruction { return bpf.ALUOpConstant{Op: op, Val: k} }
	aluX := func(op bpf.ALUOp) bpf.Instruction { return bpf.ALUOpX{Op: op} }
	errno := func(e int64) proofOutcome { return proofOutcome{R: -e} }
	tests := []struct {
		name   string
		body   []bpf.Instruction
		inputs [][6]uint64
		want   []proofOutcome
	}{
		{
			// A shift by X uses X & 31 (the eBPF interpreter's "SRC & 31",
			// the x86 shl/shr in the JIT), not 0 as Go would.
			name:   "lsh by X",
			body:   []bpf.Instruction{ld(16), bpf.TAX{}, ldi(3), aluX(bpf.ALUOpShiftLeft)},
			inputs: [][6]uint64{{1}, {31}, {32}, {33}, {0xFFFFFFE4}, {1<<32 | 2}},
			want:   []proofOutcome{errno(6), errno(0), errno(3), errno(6), errno(0x30), errno(12)},
		},
		{
			name:   "rsh by X",
			body:   []bpf.Instruction{ld(16), bpf.TAX{}, ldi(0x800), aluX(bpf.ALUOpShiftRight)},
			inputs: [][6]uint64{{4}, {32}, {36}, {0xFFFFFFE8}},
			want:   []proofOutcome{errno(0x80), errno(0x800), errno(0x80), errno(8)},
		},
		{
			name:   "add wraps",
			body:   []bpf.Instruction{ld(16), aluK(bpf.ALUOpAdd, 0x11)},
			inputs: [][6]uint64{{0xFFFFFFFF}, {0xFFFFFFF0}},
			want:   []proofOutcome{errno(0x10), errno(1)},
		},
		{
			name:   "sub wraps",
			body:   []bpf.Instruction{ld(24), bpf.TAX{}, ld(16), aluX(bpf.ALUOpSub)},
			inputs: [][6]uint64{{0, 1}, {5, 7}, {7, 5}},
			want:   []proofOutcome{errno(0xFFF), errno(0xFFE), errno(2)},
		},
		{
			name:   "mul keeps the low 32 bits",
			body:   []bpf.Instruction{ld(16), aluK(bpf.ALUOpMul, 2)},
			inputs: [][6]uint64{{0x80000003}, {0xFFFFFFFF}},
			want:   []proofOutcome{errno(6), errno(0xFFE)},
		},
		{
			name:   "neg",
			body:   []bpf.Instruction{ld(16), bpf.NegateA{}},
			inputs: [][6]uint64{{5}, {0}, {0x80000001}},
			want:   []proofOutcome{errno(0xFFB), errno(0), errno(0xFFF)},
		},
		{
			name:   "div by X truncates",
			body:   []bpf.Instruction{ld(16), bpf.TAX{}, ldi(100), aluX(bpf.ALUOpDiv)},
			inputs: [][6]uint64{{7}, {200}, {1}},
			want:   []proofOutcome{errno(14), errno(0), errno(100)},
		},
		{
			// bpf_convert_filter guards "div x" with "if X == 0, return 0":
			// the filter returns SECCOMP_RET_KILL_THREAD. Only the low
			// half of the argument is X.
			name:   "div by X zero kills the thread",
			body:   []bpf.Instruction{ld(16), bpf.TAX{}, ldi(100), aluX(bpf.ALUOpDiv)},
			inputs: [][6]uint64{{0}, {1 << 32}},
			want:   []proofOutcome{{Killed: true}, {Killed: true}},
		},
		{
			name:   "ld len and ldx len are 64",
			body:   []bpf.Instruction{bpf.LoadExtension{Num: bpf.ExtLen}, bpf.RawInstruction{Op: opLdxWLen}, aluX(bpf.ALUOpAdd)},
			inputs: [][6]uint64{{}},
			want:   []proofOutcome{errno(128)},
		},
		{
			name:   "high halves of the arguments",
			body:   []bpf.Instruction{ld(20), bpf.TAX{}, ld(60), aluX(bpf.ALUOpXor)},
			inputs: [][6]uint64{{0xABC_00000123, 0, 0, 0, 0, 0x456_00000789}},
			want:   []proofOutcome{errno(0xABC ^ 0x456)},
		},
		{
			name: "scratch memory",
			body: []bpf.Instruction{
				ld(16), bpf.StoreScratch{Src: bpf.RegA, N: 15}, ldxi(9), bpf.StoreScratch{Src: bpf.RegX, N: 0},
				ldi(0), bpf.LoadScratch{Dst: bpf.RegX, N: 15}, bpf.LoadScratch{Dst: bpf.RegA, N: 0}, aluX(bpf.ALUOpSub),
			},
			inputs: [][6]uint64{{4}},
			want:   []proofOutcome{errno(5)},
		},
		{
			name: "jset by X",
			body: []bpf.Instruction{
				ld(24), bpf.TAX{}, ld(16),
				bpf.JumpIfX{Cond: bpf.JumpBitsSet, SkipTrue: 1},
				bpf.RetConstant{Val: Errno(1).Ret()},
				bpf.RetConstant{Val: Errno(2).Ret()},
			},
			inputs: [][6]uint64{{6, 2}, {6, 1}, {1 << 32, 1 << 32}},
			want:   []proofOutcome{errno(2), errno(1), errno(1)},
		},
	}
	var progs []proofProgram
	for _, tt := range tests {
		require.Len(t, tt.want, len(tt.inputs), tt.name)
		body := tt.body
		if _, ok := body[len(body)-1].(bpf.RetConstant); !ok {
			body = append(slices.Clip(body), proofErrnoA...)
		}
		progs = append(progs, proofProgram{name: "directed: " + tt.name, body: cbpfAssemble(t, body...), inputs: tt.inputs, want: tt.want})
	}
	return progs
}

// proofWords are the offsets of the words of seccomp_data a filter may load.
var proofWords = []uint32{0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 60}

// proofGen generates random programs that the kernel accepts, made of
// units: one instruction, or a short sequence that no jump enters.
type proofGen struct {
	rng *rand.Rand
	// pool holds the constants of a program, shared with its inputs so
	// that comparisons and shifts meet their edge cases.
	pool  []uint32
	count int
}

// proofUnit is a piece of a program. A jump's targets are units: the
// offsets follow once the program is laid out.
type proofUnit struct {
	insns  []bpf.RawInstruction
	jt, jf int // for a unit that ends in a jump: the units it goes to
}

func (u proofUnit) jump() bool {
	op := u.insns[len(u.insns)-1].Op
	return opClass(op) == classJmp
}

func (g *proofGen) k() uint32 {
	if g.rng.IntN(4) == 0 {
		return g.rng.Uint32()
	}
	return g.pool[g.rng.IntN(len(g.pool))]
}

// half is a random half of an argument.
func (g *proofGen) half() uint32 {
	switch g.rng.IntN(4) {
	case 0:
		return g.rng.Uint32()
	case 1:
		return g.k() + uint32(g.rng.IntN(3)) - 1
	}
	return g.k()
}

// program returns a random program, and inputs for it.
func (g *proofGen) program() proofProgram {
	g.pool = []uint32{0, 1, 2, 31, 32, 33, 63, 64, 0xFFF, 0x1000, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFE, 0xFFFFFFFF}
	for range 6 {
		g.pool = append(g.pool, g.rng.Uint32())
	}

	n := 16 + g.rng.IntN(24) // units in the body
	// Unit n ends the body with ERRNO(A); unit n+1 is a "ret #ERRNO(k)".
	units := make([]proofUnit, 0, n+2)
	// The scratch cells written on every path into each unit, and on
	// the path being generated: the kernel's check_load_and_stores.
	incoming := make([]uint16, n+2)
	for i := range incoming {
		incoming[i] = 0xFFFF
	}
	valid := uint16(0)
	for u := range n {
		valid &= incoming[u]
		unit := g.unit(u, n, valid)
		for _, ins := range unit.insns {
			if ins.Op == opSt || ins.Op == opStx {
				valid |= 1 << ins.K
			}
		}
		if unit.jump() {
			incoming[unit.jt] &= valid
			incoming[unit.jf] &= valid
			valid = 0xFFFF
		}
		units = append(units, unit)
	}
	units = append(units,
		proofUnit{insns: proofErrnoARaw()},
		proofUnit{insns: []bpf.RawInstruction{{Op: opRetK, K: Errno(syscall.Errno(g.rng.IntN(MaxErrno + 1))).Ret()}}})

	// Lay out. Jumps are relative, so where the body goes does not matter.
	start := make([]int, len(units))
	pos := 0
	for i, u := range units {
		start[i] = pos
		pos += len(u.insns)
	}
	p := proofProgram{name: fmt.Sprintf("random %d", g.count)}
	g.count++
	for i, u := range units {
		insns := slices.Clone(u.insns)
		if u.jump() {
			pc := start[i] + len(insns) - 1
			last := &insns[len(insns)-1]
			if last.Op == opJa {
				last.K = uint32(start[u.jt] - pc - 1)
			} else {
				last.Jt, last.Jf = uint8(start[u.jt]-pc-1), uint8(start[u.jf]-pc-1)
			}
		}
		exit := slices.Equal(insns, proofErrnoARaw())
		for j := range insns {
			p.fixed = append(p.fixed, exit && j < 2)
		}
		p.body = append(p.body, insns...)
	}
	p.inputs = append(p.inputs, [6]uint64{}, [6]uint64{^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)})
	for len(p.inputs) < proofInputs {
		var in [6]uint64
		for i := range in {
			in[i] = uint64(g.half())<<32 | uint64(g.half())
		}
		p.inputs = append(p.inputs, in)
	}
	return p
}

// proofErrnoARaw is proofErrnoA, assembled.
func proofErrnoARaw() []bpf.RawInstruction {
	return []bpf.RawInstruction{
		{Op: opAndK, K: 0xfff},
		{Op: opOrK, K: Errno(0).Ret()},
		{Op: opRetA},
	}
}

// unit returns a random unit u of a body of n, where the scratch cells in
// valid are written on every path.
func (g *proofGen) unit(u, n int, valid uint16) proofUnit {
	one := func(op uint16, k uint32) proofUnit { return proofUnit{insns: []bpf.RawInstruction{{Op: op, K: k}}} }
	// A jump goes up to 8 units ahead, at most to the last unit: no
	// more than 48 instructions, well within a conditional jump's 255.
	target := func() int { return u + 1 + g.rng.IntN(min(8, n+1-u)) }
	aluOps := []uint16{opAddK, opSubK, opMulK, opDivK, opAndK, opOrK, opXorK, opLshK, opRshK}
	jmpOps := []uint16{opJeqK, opJgtK, opJgeK, opJsetK}

	switch r := g.rng.IntN(100); {
	case r < 12:
		// The instruction pointer is not under the test's control: a
		// load of it is overwritten at once, inside the unit.
		w := proofWords[g.rng.IntN(len(proofWords))]
		if w == 8 || w == 12 {
			return proofUnit{insns: []bpf.RawInstruction{{Op: opLdWAbs, K: w}, {Op: opLdWAbs, K: 16 + 4*g.rng.Uint32N(12)}}}
		}
		return one(opLdWAbs, w)
	case r < 16:
		return one(opLdImm, g.k())
	case r < 20:
		return one(opLdxImm, g.k())
	case r < 22:
		return one(opLdWLen, 0)
	case r < 24:
		return one(opLdxWLen, 0)
	case r < 30:
		return one([]uint16{opSt, opStx}[g.rng.IntN(2)], g.rng.Uint32N(memWords))
	case r < 36:
		var cells []uint32
		for i := range uint32(memWords) {
			if valid&(1<<i) != 0 {
				cells = append(cells, i)
			}
		}
		if len(cells) == 0 {
			return one(opSt, g.rng.Uint32N(memWords))
		}
		return one([]uint16{opLdMem, opLdxMem}[g.rng.IntN(2)], cells[g.rng.IntN(len(cells))])
	case r < 42:
		return one([]uint16{opTax, opTxa}[g.rng.IntN(2)], 0)
	case r < 56:
		op := aluOps[g.rng.IntN(len(aluOps))]
		k := g.k()
		switch op {
		case opLshK, opRshK:
			k %= 32 // the kernel refuses a constant shift of 32 or more
		case opDivK:
			for k == 0 {
				k = g.k() // and a constant division by zero
			}
		}
		return one(op, k)
	case r < 70:
		op := aluOps[g.rng.IntN(len(aluOps))] | opSrcX
		if op != opDivX {
			return one(op, 0)
		}
		// X may be zero here, and the kernel's filter would then return
		// 0, KILL_THREAD, and end the calling thread: only the directed
		// programs divide by zero. So X gets a bit set first, leaving A
		// as it was.
		m := g.rng.Uint32N(memWords)
		return proofUnit{insns: []bpf.RawInstruction{
			{Op: opSt, K: m}, {Op: opTxa}, {Op: opOrK, K: 1 << g.rng.IntN(32)}, {Op: opTax},
			{Op: opLdMem, K: m}, {Op: opDivX},
		}}
	case r < 73:
		return one(opNeg, 0)
	case r < 93:
		op := jmpOps[g.rng.IntN(len(jmpOps))]
		k := g.k()
		if g.rng.IntN(3) == 0 {
			op, k = op|opSrcX, 0
		}
		jf := u + 1
		if g.rng.IntN(2) == 0 {
			jf = target()
		}
		return proofUnit{insns: []bpf.RawInstruction{{Op: op, K: k}}, jt: target(), jf: jf}
	case r < 97:
		to := target()
		return proofUnit{insns: []bpf.RawInstruction{{Op: opJa}}, jt: to, jf: to}
	case r < 99:
		return proofUnit{insns: proofErrnoARaw()}
	}
	return one(opRetK, Errno(syscall.Errno(g.rng.IntN(MaxErrno+1))).Ret())
}

// TestInterpreterMatchesKernel loads random programs that use every
// instruction seccomp accepts, and hand-made ones, into the kernel, makes
// calls under them, and requires each result to be what runProgram
// predicts. A program's accumulator is what the call returns, as its
// errno, so the kernel's arithmetic, loads, scratch memory and jumps all
// show. To prove the comparison can fail, it then checks that interpreters
// wrong about any one opcode would disagree with what the kernel did.
func TestInterpreterMatchesKernel(t *testing.T) {
	requireKernel(t)
	native, err := NativeArch()
	require.NoError(t, err)

	// One child for the directed programs, one for each batch of random
	// ones. Each program answers a number of its own, so a child stacks
	// its batch: every other filter allows that number, and an errno wins
	// over an allow (seccomp_run_filters).
	batches := [][]proofProgram{proofDirected(t)}
	g := proofGen{rng: rand.New(rand.NewPCG(0x5ECC0, 0x3B9F))}
	for range proofBatches {
		batch := make([]proofProgram, proofBatch)
		for i := range batch {
			batch[i] = g.program()
		}
		batches = append(batches, batch)
	}
	nr := uint32(proofFirstNr)
	for _, batch := range batches {
		for i := range batch {
			batch[i].place(nr)
			nr++
			require.NoError(t, validateProgram(batch[i].insns), "%s", batch[i].name)
		}
	}

	observed := make([][][]proofOutcome, len(batches)) // by batch, program, input
	t.Run("kernel", func(t *testing.T) {
		for b, batch := range batches {
			t.Run(strconv.Itoa(b), func(t *testing.T) {
				t.Parallel()
				observed[b] = proofRunBatch(t, native, batch)
			})
		}
	})
	if t.Failed() {
		return
	}

	var (
		mismatches   int
		observations int
		distinct     = make(map[proofOutcome]bool)
		random       []proofProgram
		randomSeen   [][]proofOutcome
	)
	for b, batch := range batches {
		filters := make([][]bpf.RawInstruction, len(batch))
		for i, p := range batch {
			filters[i] = p.insns
		}
		for i, p := range batch {
			for j, in := range p.inputs {
				d := Data{Nr: p.nr, Arch: native, Args: in}
				want := proofPredict(t, filters, d, proofENOSYS)
				got := observed[b][i][j]
				observations++
				if p.want == nil {
					distinct[got] = true
				} else {
					assert.Equal(t, p.want[j], want, "%s, input %d: runProgram is not what the test works out", p.name, j)
				}
				if got != want {
					mismatches++
					if mismatches <= 5 {
						t.Errorf("%s, args %#x: kernel %s, runProgram %s\n%s", p.name, in, got, want,
							Program{Arch: native, Instructions: p.insns}.Disassemble())
					}
				}
			}
			if p.want == nil {
				random = append(random, p)
				randomSeen = append(randomSeen, observed[b][i])
			}
		}
	}
	require.Zero(t, mismatches, "of %d calls, %d disagree with runProgram", observations, mismatches)
	t.Logf("%d programs, %d calls: the kernel agrees with runProgram on every one; %d distinct results of the random programs",
		len(random)+len(batches[0]), observations, len(distinct))
	// A generator gone constant would pass the comparison and prove
	// nothing.
	assert.Greater(t, len(distinct), 1000, "too few distinct results")

	proofCheckMutants(t, native, random, randomSeen)
	proofCheckEdges(t, native, random, randomSeen)
}

// proofRunBatch loads the programs of a batch in a child, makes every call,
// and returns what became of each, by program and input.
func proofRunBatch(t *testing.T, native Arch, batch []proofProgram) [][]proofOutcome {
	spec := proofSpec{Arch: native, Pre: []proofCall{{Nr: proofFirstNr}}}
	for _, p := range batch {
		spec.Filters = append(spec.Filters, p.insns)
		for j, in := range p.inputs {
			// A call that may end its thread gets a thread of its own.
			ret, _, err := runProgram(p.insns, Data{Nr: p.nr, Arch: native, Args: in})
			require.NoError(t, err)
			kill := ret == KillThread.Ret() || (p.want != nil && p.want[j].Killed)
			spec.Calls = append(spec.Calls, proofCall{Nr: uint64(p.nr), Args: in, MayKill: kill})
		}
	}
	run := runProofChild(t, spec)
	run.requireExit(t)
	// Without a filter the number is no system call, so a call a filter
	// failed to answer would show as ENOSYS.
	require.Equal(t, proofENOSYS, proofOutcomes(t, run, "pre", 1)[0], "call %d without a filter", proofFirstNr)
	got := proofOutcomes(t, run, "call", len(spec.Calls))
	out := make([][]proofOutcome, len(batch))
	for i, p := range batch {
		out[i], got = got[:len(p.inputs)], got[len(p.inputs):]
	}
	return out
}

// TestKernelStackPrecedence checks EvalStack, the combination of a thread's
// filters, against the kernel: every filter runs, the lowest action wins,
// and among equal actions the newest filter's return does.
func TestKernelStackPrecedence(t *testing.T) {
	requireKernel(t)
	native, err := NativeArch()
	require.NoError(t, err)
	ret := func(nr uint32, a Action) []bpf.RawInstruction {
		return proofFrame(nr, []bpf.RawInstruction{{Op: opRetK, K: a.Ret()}})
	}
	tests := []struct {
		name    string
		stack   func(nr uint32) [][]bpf.RawInstruction // oldest first
		want    proofOutcome
		decider int // the index in stack of the filter whose return counts
	}{
		{"equal actions: the newest", func(nr uint32) [][]bpf.RawInstruction {
			return [][]bpf.RawInstruction{ret(nr, Errno(1)), ret(nr, Errno(2))}
		}, proofOutcome{R: -2}, 1},
		{"errno over a newer allow", func(nr uint32) [][]bpf.RawInstruction {
			return [][]bpf.RawInstruction{ret(nr, Errno(3)), ret(nr, Allow)}
		}, proofOutcome{R: -3}, 0},
		{"errno over an older log", func(nr uint32) [][]bpf.RawInstruction {
			return [][]bpf.RawInstruction{ret(nr, Log), ret(nr, Errno(4))}
		}, proofOutcome{R: -4}, 1},
		{"errno over a newer log", func(nr uint32) [][]bpf.RawInstruction {
			return [][]bpf.RawInstruction{ret(nr, Errno(5)), ret(nr, Log)}
		}, proofOutcome{R: -5}, 0},
		{"log over allow: the call runs", func(nr uint32) [][]bpf.RawInstruction {
			return [][]bpf.RawInstruction{ret(nr, Allow), ret(nr, Log), ret(nr, Allow)}
		}, proofENOSYS, 1},
	}
	// One child stacks every case's filters: each answers its own number
	// and allows every other, and an allow never wins over anything.
	spec := proofSpec{Arch: native}
	for i, tt := range tests {
		nr := uint32(proofFirstNr + i)
		stack := tt.stack(nr)
		progs := make([]Program, len(stack))
		for j, f := range stack {
			progs[j] = Program{Arch: native, Instructions: f}
		}
		v, decider, err := EvalStack(progs, Data{Nr: nr, Arch: native})
		require.NoError(t, err)
		o, err := proofExpect(v.Ret, proofENOSYS)
		require.NoError(t, err)
		assert.Equal(t, tt.want, o, "%s: EvalStack", tt.name)
		assert.Equal(t, tt.decider, decider, "%s: EvalStack's deciding filter", tt.name)
		spec.Filters = append(spec.Filters, stack...)
		spec.Calls = append(spec.Calls, proofCall{Nr: uint64(nr)})
	}
	run := runProofChild(t, spec)
	run.requireExit(t)
	for i, got := range proofOutcomes(t, run, "call", len(tests)) {
		assert.Equal(t, tests[i].want, got, "%s: kernel", tests[i].name)
	}
}
