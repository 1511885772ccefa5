//go:build linux

package seccomp

// Kernel proofs: the package's models held up against the running kernel.
//
//   - TestInterpreterMatchesKernel: random classic BPF programs, each
//     loaded into the kernel, return what runProgram says they return.
//   - TestKernelX32AndSkipped: the kernel hands a filter the x32 numbers
//     and -1 as the compiled programs expect, and they decide them as the
//     policy says.
//   - TestKernelWrongArch: an i386 call made by a 64-bit process (int $0x80)
//     gets the bad-arch action, even under a default-allow policy.
//
// As in kernel_test.go, filters are loaded only in child processes: the
// test binary run again with -test.run=^TestProofChild$ and proofSpecEnv
// naming a file that holds a proofSpec. The child makes the calls the spec
// lists and reports what the kernel returned, one liveEvent per call; the
// parent predicts each result with runProgram.

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"

	"github.com/sandboxkit/seccomp/internal/int80"
)

// proofSpecEnv names, in a child, the file that holds its proofSpec.
const proofSpecEnv = "SECCOMP_PROOF_SPEC"

// proofCall is a system call a child makes.
type proofCall struct {
	// Nr is the whole number register, rax (eax for Int80), high bits
	// included.
	Nr   uint64    `json:"nr"`
	Args [6]uint64 `json:"args"`
	// Int80 makes the call with int $0x80, the i386 ABI: Args[0:3] only.
	Int80 bool `json:"int80,omitempty"`
	// MayKill makes the call on a thread of its own, which the filter
	// may end (SECCOMP_RET_KILL_THREAD).
	MayKill bool `json:"may_kill,omitempty"`
}

// proofSpec is what a child does: the Pre calls, then load the filters in
// order, then the Calls.
type proofSpec struct {
	Arch    Arch                   `json:"arch"`
	Pre     []proofCall            `json:"pre"`
	Filters [][]bpf.RawInstruction `json:"filters"`
	Calls   []proofCall            `json:"calls"`
}

// proofOutcome is what became of a call.
type proofOutcome struct {
	R      int64 // the result register: the result, or -errno
	Killed bool  // the kernel ended the calling thread
}

func (o proofOutcome) String() string {
	switch {
	case o.Killed:
		return "thread killed"
	case o.R < 0 && o.R >= -MaxErrno:
		return fmt.Sprintf("errno %d (%s)", -o.R, unix.ErrnoName(syscall.Errno(-o.R)))
	}
	return fmt.Sprintf("returned %d", o.R)
}

// proofENOSYS is what a call of a number that is no system call returns
// when the filters let it through.
var proofENOSYS = proofOutcome{R: -int64(unix.ENOSYS)}

// TestProofChild is the child side of the proofs; it does nothing unless a
// parent runs it.
func TestProofChild(t *testing.T) {
	path := os.Getenv(proofSpecEnv)
	if path == "" {
		return // not a child
	}
	// A kill must not leave a core file behind.
	require.NoError(t, unix.Setrlimit(unix.RLIMIT_CORE, &unix.Rlimit{}))
	runtime.LockOSThread()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var spec proofSpec
	require.NoError(t, json.Unmarshal(b, &spec))
	rep := liveReporter{t}
	rep.report(liveEvent{Kind: "value", Name: "pid", Text: strconv.Itoa(os.Getpid())})
	rep.report(liveEvent{Kind: "value", Name: "ppid", Text: strconv.Itoa(os.Getppid())})
	proofMakeCalls(rep, "pre", spec.Pre)
	for i, insns := range spec.Filters {
		if err := (Program{Arch: spec.Arch, Instructions: insns}).Install(); err != nil {
			t.Fatalf("filter %d: %v", i, err)
		}
	}
	proofMakeCalls(rep, "call", spec.Calls)
}

// proofMakeCalls makes the calls and reports each as a "result" event named
// phase/index, with R1 the result register and Text "killed" if the thread
// was ended.
func proofMakeCalls(rep liveReporter, phase string, calls []proofCall) {
	for i, c := range calls {
		ev := liveEvent{Kind: "result", Name: phase + "/" + strconv.Itoa(i)}
		if !c.MayKill {
			ev.R1 = uint64(proofSyscall(c))
			rep.report(ev)
			continue
		}
		// A thread of its own, never unlocked, so that a kill takes only it.
		worker := startLiveThread()
		var r int64
		done := worker.start(func() { r = proofSyscall(c) })
		ev.Text = "neither returned nor was killed"
	wait:
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
			select {
			case <-done:
				ev.R1, ev.Text = uint64(r), ""
				break wait
			default:
			}
			if liveThreadGone(worker.tid) {
				ev.Text = "killed"
				break
			}
		}
		rep.report(ev)
	}
}

// proofSyscall makes the call and returns the result register: for an
// i386 call, eax sign-extended, as the 32-bit ABI reads it.
func proofSyscall(c proofCall) int64 {
	if c.Int80 {
		return int64(int32(int80.Syscall(uintptr(c.Nr), uintptr(c.Args[0]), uintptr(c.Args[1]), uintptr(c.Args[2]))))
	}
	a := c.Args
	r1, _, errno := unix.Syscall6(uintptr(c.Nr), uintptr(a[0]), uintptr(a[1]), uintptr(a[2]), uintptr(a[3]), uintptr(a[4]), uintptr(a[5]))
	if errno != 0 {
		return -int64(errno)
	}
	return int64(r1)
}

// runProofChild runs a child on spec and collects its report. It is
// runLiveChild with another entry point and the spec in a file.
func runProofChild(t testing.TB, spec proofSpec) liveRun {
	t.Helper()
	dir := t.TempDir()
	b, err := json.Marshal(spec)
	require.NoError(t, err)
	path := filepath.Join(dir, "spec.json")
	require.NoError(t, os.WriteFile(path, b, 0o600))

	return runTestChild(t, "TestProofChild", proofSpecEnv+"="+path)
}

// proofOutcomes returns what became of the n calls of the phase, in order.
func proofOutcomes(t testing.TB, run liveRun, phase string, n int) []proofOutcome {
	t.Helper()
	byName := make(map[string]liveEvent)
	for _, ev := range run.events {
		if ev.Kind == "result" {
			byName[ev.Name] = ev
		}
	}
	out := make([]proofOutcome, n)
	for i := range out {
		ev, ok := byName[phase+"/"+strconv.Itoa(i)]
		require.True(t, ok, "the child did not report call %s/%d\n%s", phase, i, run.output)
		switch ev.Text {
		case "":
			out[i] = proofOutcome{R: int64(ev.R1)}
		case "killed":
			out[i] = proofOutcome{Killed: true}
		default:
			t.Fatalf("call %s/%d: %s\n%s", phase, i, ev.Text, run.output)
		}
	}
	return out
}

// proofValue returns the integer value the child reported under name.
func proofValue(t testing.TB, run liveRun, name string) int64 {
	t.Helper()
	v, err := strconv.ParseInt(run.event(t, "value", name).Text, 10, 64)
	require.NoError(t, err)
	return v
}

// proofVerdict is seccomp_run_filters in kernel/seccomp.c: every filter
// in the stack runs, and the return with the lowest action, compared as a
// signed 32-bit number with the data masked off, wins; among equal actions
// the newest filter's, since the kernel walks from the newest and replaces
// only on a strictly lower action. The filters must have been validated.
func proofVerdict(filters [][]bpf.RawInstruction, d Data) (uint32, error) {
	const actionFull = 0xFFFF0000 // SECCOMP_RET_ACTION_FULL
	ret := Allow.Ret()
	for _, f := range slices.Backward(filters) {
		cur, _, err := cbpfExec(f, d)
		if err != nil {
			return 0, err
		}
		if int32(cur&actionFull) < int32(ret&actionFull) {
			ret = cur
		}
	}
	return ret, nil
}

// proofExpect is what becomes of a call that the filters answer with ret,
// given ran, what the call returns when the kernel runs it.
func proofExpect(ret uint32, ran proofOutcome) (proofOutcome, error) {
	a, err := ActionFromRet(ret)
	if err != nil {
		return proofOutcome{}, err
	}
	switch a.kind() {
	case kindAllow, kindLog:
		return ran, nil
	case kindErrno:
		// ERRNO(0) is a success that returns 0.
		return proofOutcome{R: -int64(a.data())}, nil
	case kindKillThread:
		return proofOutcome{Killed: true}, nil
	}
	return proofOutcome{}, fmt.Errorf("the proofs do not predict %s", a)
}

// proofPredict is what becomes of a call with seccomp_data d under the
// filters (validated), given what it returns when the kernel runs it.
func proofPredict(t testing.TB, filters [][]bpf.RawInstruction, d Data, ran proofOutcome) proofOutcome {
	t.Helper()
	ret, err := proofVerdict(filters, d)
	require.NoError(t, err)
	o, err := proofExpect(ret, ran)
	require.NoError(t, err)
	return o
}

// proofErrnoA ends a program with ERRNO(A & 0xfff): the accumulator,
// made observable as the errno of the call.
var proofErrnoA = []bpf.Instruction{
	bpf.ALUOpConstant{Op: bpf.ALUOpAnd, Val: 0xfff},
	bpf.ALUOpConstant{Op: bpf.ALUOpOr, Val: Errno(0).Ret()},
	bpf.RetA{},
}

// -- TestInterpreterMatchesKernel --------------------------------------------

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
	return op&0x07 == 0x05 // BPF_JMP
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

// proofOutcomeOf is what becomes of a call of the program's number on d
// under that program alone, or an error if the interpreter fails on it.
func proofOutcomeOf(insns []bpf.RawInstruction, d Data) (proofOutcome, error) {
	ret, _, err := cbpfExec(insns, d)
	if err != nil {
		return proofOutcome{}, err
	}
	return proofExpect(ret, proofENOSYS)
}

// proofMutate returns the instruction that a wrong interpreter, one opcode
// off, would in effect run instead of ins: a near miss (add for sub, jgt
// for jge, the other half of a word) or nothing at all (ja 0).
func proofMutate(ins bpf.RawInstruction) bpf.RawInstruction {
	nop := bpf.RawInstruction{Op: opJa}
	swap := map[uint16]uint16{
		opAddK: opSubK, opSubK: opAddK, opMulK: opAddK, opDivK: opMulK,
		opAndK: opOrK, opOrK: opXorK, opXorK: opOrK, opLshK: opRshK, opRshK: opLshK,
		opJeqK: opJgeK, opJgtK: opJgeK, opJgeK: opJgtK, opJsetK: opJeqK,
	}
	base := ins.Op
	if base&0x07 == 0x04 || base&0x07 == 0x05 { // BPF_ALU, BPF_JMP: K and X alike
		base &^= opSrcX
	}
	if to, ok := swap[base]; ok {
		ins.Op = to | ins.Op&opSrcX
		return ins
	}
	switch ins.Op {
	case opLdWAbs:
		ins.K ^= 4 // the other half of an argument; nr for arch
		return ins
	case opRetK:
		ins.K ^= 1
		return ins
	case opRetA:
		return bpf.RawInstruction{Op: opRetK, K: Errno(0).Ret()}
	}
	return nop
}

// proofMutantKey names a wrong interpreter: one opcode off, or for a
// load, one word off.
type proofMutantKey struct {
	op   uint16
	word int // for opLdWAbs, the offset loaded; otherwise -1
}

func (k proofMutantKey) String() string {
	if k.word >= 0 {
		return fmt.Sprintf("ld [%d]", k.word)
	}
	return proofOpName(k.op)
}

// proofOpName returns the mnemonic of a seccomp opcode.
func proofOpName(op uint16) string {
	src := " #k"
	if op&opSrcX != 0 {
		src = " x"
	}
	switch {
	case op == opNeg:
		return "neg"
	case op == opJa:
		return "ja"
	case op&0x07 == 0x04: // BPF_ALU: the operation is op>>4
		return []string{"add", "sub", "mul", "div", "or", "and", "lsh", "rsh", "neg", "mod", "xor"}[op>>4] + src
	case op&0x07 == 0x05: // BPF_JMP
		return []string{"ja", "jeq", "jgt", "jge", "jset"}[op>>4] + src
	}
	return map[uint16]string{
		opLdImm: "ld #k", opLdxImm: "ldx #k", opLdWAbs: "ld [k]", opLdWLen: "ld len", opLdxWLen: "ldx len",
		opLdMem: "ld M[k]", opLdxMem: "ldx M[k]", opSt: "st", opStx: "stx",
		opTax: "tax", opTxa: "txa", opRetK: "ret #k", opRetA: "ret a",
	}[op]
}

// proofCheckMutants proves the comparison has teeth: for every opcode, and
// every load of a word the test controls, an interpreter that got it wrong
// (proofMutate) would disagree with the kernel on some of the calls made.
// An opcode never executed, or whose effect never reached a result, would
// fail here.
func proofCheckMutants(t *testing.T, arch Arch, progs []proofProgram, seen [][]proofOutcome) {
	var keys []proofMutantKey
	for op := range uint16(256) {
		switch {
		case op == opLdWAbs:
			for _, w := range proofWords {
				// The instruction pointer's loads are overwritten at once.
				if w != 8 && w != 12 {
					keys = append(keys, proofMutantKey{op, int(w)})
				}
			}
		case seccompOpcode(op):
			keys = append(keys, proofMutantKey{op, -1})
		}
	}
	var b strings.Builder
	for _, key := range keys {
		caught := 0 // calls on which the mutant disagrees with the kernel
		for i, p := range progs {
			mutant := slices.Clone(p.insns)
			changed := false
			for pc := 3; pc < len(mutant); pc++ {
				ins := mutant[pc]
				if ins.Op == key.op && (key.word < 0 || ins.K == uint32(key.word)) && !p.fixed[pc-3] {
					mutant[pc] = proofMutate(ins)
					changed = true
				}
			}
			if !changed {
				continue
			}
			for j, in := range p.inputs {
				o, err := proofOutcomeOf(mutant, Data{Nr: p.nr, Arch: arch, Args: in})
				if err != nil || o != seen[i][j] {
					caught++
				}
			}
		}
		fmt.Fprintf(&b, " %s: %d;", key, caught)
		assert.Positive(t, caught, "%s: an interpreter that got it wrong would agree with every call", key)
	}
	t.Logf("calls on which an interpreter wrong about one opcode disagrees with the kernel:%s", b.String())
}

// proofAt runs p on d up to instruction pc and returns A and X there, and
// whether pc was reached at all: it replaces pc with a jump to a stub
// appended at the end that returns a marker, A, or X.
func proofAt(t testing.TB, insns []bpf.RawInstruction, pc int, d Data) (a, x uint32, reached bool) {
	t.Helper()
	const marker = 0x0BADC0DE
	run := func(stub ...bpf.RawInstruction) uint32 {
		p := append(slices.Clone(insns), stub...)
		p[pc] = bpf.RawInstruction{Op: opJa, K: uint32(len(insns) - pc - 1)}
		ret, _, err := cbpfExec(p, d)
		require.NoError(t, err) // the path to pc is the program's own, which runs
		return ret
	}
	if run(bpf.RawInstruction{Op: opRetK, K: marker}) != marker {
		return 0, 0, false
	}
	return run(bpf.RawInstruction{Op: opRetA}), run(bpf.RawInstruction{Op: opTxa}, bpf.RawInstruction{Op: opRetA}), true
}

// proofCheckEdges counts the edge cases the calls met: arithmetic that
// wrapped, and shifts by X of 32 or more. For the shifts it also proves the
// kernel masks the count: an interpreter that shifted everything out, as
// Go does, would have disagreed.
func proofCheckEdges(t *testing.T, arch Arch, progs []proofProgram, seen [][]proofOutcome) {
	var wraps, bigShifts, shiftWitnesses int
	for i, p := range progs {
		for pc, ins := range p.insns {
			op := ins.Op &^ opSrcX
			if ins.Op&0x07 != 0x04 || !(op == opAddK || op == opSubK || op == opMulK || op == opLshK || op == opRshK) {
				continue
			}
			for j, in := range p.inputs {
				d := Data{Nr: p.nr, Arch: arch, Args: in}
				a, x, reached := proofAt(t, p.insns, pc, d)
				if !reached {
					continue
				}
				src := ins.K
				if ins.Op&opSrcX != 0 {
					src = x
				}
				switch op {
				case opAddK:
					if uint64(a)+uint64(src) > 0xFFFFFFFF {
						wraps++
					}
				case opSubK:
					if a < src {
						wraps++
					}
				case opMulK:
					if uint64(a)*uint64(src) > 0xFFFFFFFF {
						wraps++
					}
				default:
					if ins.Op&opSrcX == 0 || x < 32 {
						continue
					}
					bigShifts++
					// For this input, Go's shift is "ld #0" at pc.
					goShift := slices.Clone(p.insns)
					goShift[pc] = bpf.RawInstruction{Op: opLdImm}
					if o, err := proofOutcomeOf(goShift, d); err != nil || o != seen[i][j] {
						shiftWitnesses++
					}
				}
			}
		}
	}
	t.Logf("edge cases met: %d wrapping add/sub/mul, %d shifts by X >= 32 (on %d of them a shift to 0 would have disagreed with the kernel)",
		wraps, bigShifts, shiftWitnesses)
	assert.Greater(t, wraps, 100)
	assert.Greater(t, shiftWitnesses, 10)
}

// -- Probing what a filter sees ------------------------------------------------

// proofMagic, in the low half of the third argument, marks the calls that
// proofProbe answers. No call of the Go runtime passes it.
const proofMagic = 0x5ECC0DE5

// What proofProbe reads, chosen by the low half of the first argument.
const (
	proofSeeNr      = 0 // seccomp_data.nr
	proofSeeArch    = 1 // seccomp_data.arch
	proofSeeArg0Hi  = 2 // the high half of seccomp_data.args[0]
	proofAuditI386  = 0x40000003
	proofProbeShift = 12 // bits of a word one call reads
)

// proofProbe answers a call marked with proofMagic with ERRNO(w >> s &
// 0xfff), where w is the word of seccomp_data the first argument selects
// and s is the second argument's low half; it allows every other call.
// Three calls, s = 0, 12, 24, read a whole word.
func proofProbe(t testing.TB) []bpf.RawInstruction {
	return cbpfAssemble(t, append([]bpf.Instruction{
		bpf.LoadAbsolute{Off: 32, Size: 4},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: proofMagic, SkipTrue: 1},
		bpf.RetConstant{Val: Allow.Ret()},
		bpf.LoadAbsolute{Off: 24, Size: 4},
		bpf.StoreScratch{Src: bpf.RegA, N: 0},
		bpf.LoadAbsolute{Off: 16, Size: 4},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: proofSeeArch, SkipTrue: 3},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: proofSeeArg0Hi, SkipTrue: 4},
		bpf.LoadAbsolute{Off: 0, Size: 4},
		bpf.Jump{Skip: 3},
		bpf.LoadAbsolute{Off: 4, Size: 4},
		bpf.Jump{Skip: 1},
		bpf.LoadAbsolute{Off: 20, Size: 4},
		bpf.LoadScratch{Dst: bpf.RegX, N: 0},
		bpf.ALUOpX{Op: bpf.ALUOpShiftRight},
	}, proofErrnoA...)...)
}

// proofProbeCalls returns the three calls that read word sel of what the
// filter sees of call c (which must leave its first three arguments to
// the probe but for the high half of the first).
func proofProbeCalls(c proofCall, sel uint32) []proofCall {
	var calls []proofCall
	for s := uint64(0); s < 32; s += proofProbeShift {
		c.Args[0] = c.Args[0]&^0xFFFFFFFF | uint64(sel)
		c.Args[1], c.Args[2] = s, proofMagic
		calls = append(calls, c)
	}
	return calls
}

// proofProbeWord reassembles a word from the outcomes of its three calls.
func proofProbeWord(t testing.TB, outcomes []proofOutcome) uint32 {
	t.Helper()
	require.Len(t, outcomes, 3)
	var w uint32
	for i, o := range outcomes {
		require.False(t, o.Killed)
		require.True(t, o.R <= 0 && o.R > -0x1000, "%s is no probe result", o)
		w |= uint32(-o.R) << (proofProbeShift * i)
	}
	return w
}

// proofData is the seccomp_data of call c on x86_64, as the probes below
// show the kernel fills it: the number is the low half of rax (eax), the
// arguments are the registers whole, and an i386 call has arch
// AUDIT_ARCH_I386. The instruction pointer, and the fourth to sixth
// arguments of an i386 call, are not known; no program here reads them.
func proofData(c proofCall) Data {
	d := Data{Nr: uint32(c.Nr), Arch: ArchX86_64, Args: c.Args}
	if c.Int80 {
		d.Arch = proofAuditI386
	}
	return d
}

// proofRan says what a call returns when the kernel runs it.
type proofRan int

const (
	proofRanENOSYS proofRan = iota // a number that is no system call
	proofRanPID
	proofRanPPID
)

func (r proofRan) outcome(t testing.TB, run liveRun) proofOutcome {
	switch r {
	case proofRanPID:
		return proofOutcome{R: proofValue(t, run, "pid")}
	case proofRanPPID:
		return proofOutcome{R: proofValue(t, run, "ppid")}
	}
	return proofENOSYS
}

// proofCase is a call made under a filter, and what the policy says of it.
type proofCase struct {
	name string
	call proofCall
	ran  proofRan
	want Action
}

// proofCheck makes the calls in a child under filter and checks that each
// does what runProgram predicts and what the policy says.
func proofCheck(t *testing.T, filter []bpf.RawInstruction, cases []proofCase) {
	t.Helper()
	filters := [][]bpf.RawInstruction{filter}
	require.NoError(t, validateProgram(filter))
	spec := proofSpec{Arch: ArchX86_64, Filters: filters}
	for _, c := range cases {
		spec.Calls = append(spec.Calls, c.call)
	}
	run := runProofChild(t, spec)
	run.requireExit(t)
	got := proofOutcomes(t, run, "call", len(cases))
	for i, c := range cases {
		ran := c.ran.outcome(t, run)
		predicted := proofPredict(t, filters, proofData(c.call), ran)
		want, err := proofExpect(c.want.Ret(), ran)
		require.NoError(t, err)
		assert.Equal(t, want, predicted, "%s: runProgram predicts %s, the policy says %s", c.name, predicted, c.want)
		assert.Equal(t, want, got[i], "%s: kernel: %s, the policy says %s", c.name, got[i], c.want)
	}
}

// proofProbeCase is a call whose view from the filter a probe reads.
type proofProbeCase struct {
	name string
	call proofCall
	sel  uint32 // proofSeeNr, proofSeeArch or proofSeeArg0Hi
	want uint32
}

// proofCheckProbes makes each call three times under proofProbe, and
// checks that the filter saw want, and that runProgram predicted every
// result from proofData.
func proofCheckProbes(t *testing.T, cases []proofProbeCase) {
	t.Helper()
	filters := [][]bpf.RawInstruction{proofProbe(t)}
	spec := proofSpec{Arch: ArchX86_64, Filters: filters}
	for _, c := range cases {
		spec.Calls = append(spec.Calls, proofProbeCalls(c.call, c.sel)...)
	}
	run := runProofChild(t, spec)
	run.requireExit(t)
	got := proofOutcomes(t, run, "call", len(spec.Calls))
	for i, c := range cases {
		outcomes := got[3*i : 3*i+3]
		assert.Equal(t, c.want, proofProbeWord(t, outcomes), "%s: what the filter saw", c.name)
		for j, call := range spec.Calls[3*i : 3*i+3] {
			predicted := proofPredict(t, filters, proofData(call), proofENOSYS)
			assert.Equal(t, predicted, outcomes[j], "%s, shift %d: kernel %s, runProgram %s", c.name, call.Args[1], outcomes[j], predicted)
		}
	}
}

// proofRequireX86_64 skips a test of x86_64's system call ABIs elsewhere.
func proofRequireX86_64(t *testing.T) {
	t.Helper()
	requireKernel(t)
	if native, _ := NativeArch(); native != ArchX86_64 {
		t.Skipf("x86_64's system call ABIs; this is %s", native)
	}
}

// proofPolicies are the policies of the last two tests, with the bad-arch
// action EXDEV, which nothing else returns: a default-allow denylist, and a
// default-deny allowlist (EACCES) that keeps the Go runtime alive.
func proofPolicies() []struct {
	name string
	p    Policy
} {
	deny := Policy{Arch: ArchX86_64, Default: Allow, BadArch: Errno(unix.EXDEV)}
	deny.Add("getppid", Rule{Action: Errno(unix.EPERM)})
	allow := Policy{Arch: ArchX86_64, Default: Errno(unix.EACCES), BadArch: Errno(unix.EXDEV), UnknownENOSYS: true}
	allow.Allow(liveRuntimeSyscalls...)
	allow.Allow("getpid")
	return []struct {
		name string
		p    Policy
	}{{"denylist", deny}, {"allowlist", allow}}
}

// TestKernelX32AndSkipped checks, in the kernel, the numbers outside the
// system call table: what a filter sees of them, and that the compiled
// programs, both layouts, give the numbers with bit 30 set (x32's) the
// bad-arch action, and -1 the default.
func TestKernelX32AndSkipped(t *testing.T) {
	proofRequireX86_64(t)

	// What the filter sees: nr is eax, whatever the high half of rax, and
	// -1 reaches the filter as 0xFFFFFFFF, however it is spelled; an x32
	// call has arch x86_64, so only bit 30 of its number tells it apart.
	t.Run("probe", func(t *testing.T) {
		t.Parallel()
		var cases []proofProbeCase
		for _, nr := range []uint64{0xFFFFFFFF, ^uint64(0), 0x40000000 | unix.SYS_GETPID, 0x40000000, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFE, 1<<32 | unix.SYS_GETPPID} {
			cases = append(cases, proofProbeCase{name: fmt.Sprintf("nr %#x", nr), call: proofCall{Nr: nr}, sel: proofSeeNr, want: uint32(nr)})
		}
		cases = append(cases, proofProbeCase{name: "x32 getpid's arch", call: proofCall{Nr: 0x40000000 | unix.SYS_GETPID}, sel: proofSeeArch, want: uint32(ArchX86_64)})
		proofCheckProbes(t, cases)
	})

	exdev, eacces, eperm := Errno(unix.EXDEV), Errno(unix.EACCES), Errno(unix.EPERM)
	tests := []struct {
		name        string
		nr          uint64
		ran         proofRan
		deny, allow Action // what the denylist and the allowlist say
	}{
		{"getpid", unix.SYS_GETPID, proofRanPID, Allow, Allow},
		{"getppid", unix.SYS_GETPPID, proofRanPPID, eperm, eacces},
		// The kernel runs the call eax names, and the filter judges it.
		{"getppid, high half of rax set", 1<<32 | unix.SYS_GETPPID, proofRanPPID, eperm, eacces},
		{"last number below x32's", 0x3FFFFFFF, proofRanENOSYS, Allow, Errno(unix.ENOSYS)},
		// This kernel may lack the x32 ABI (CONFIG_X86_X32_ABI); one that
		// has it would run getpid, were the filter to let it.
		{"x32 getpid", 0x40000000 | unix.SYS_GETPID, proofRanPID, exdev, exdev},
		{"0x40000000", 0x40000000, proofRanENOSYS, exdev, exdev},
		{"0x7FFFFFFF", 0x7FFFFFFF, proofRanENOSYS, exdev, exdev},
		{"0x80000000: bit 30 clear, no x32 call", 0x80000000, proofRanENOSYS, Allow, Errno(unix.ENOSYS)},
		{"0xFFFFFFFE", 0xFFFFFFFE, proofRanENOSYS, exdev, exdev},
		// A call a tracer skipped is -1; made by a program, it fails with
		// ENOSYS if the filters let it through.
		{"-1 in eax", 0xFFFFFFFF, proofRanENOSYS, Allow, eacces},
		{"-1 in rax", ^uint64(0), proofRanENOSYS, Allow, eacces},
	}
	for _, pol := range proofPolicies() {
		for _, layout := range layouts {
			t.Run(pol.name+"/"+layout.String(), func(t *testing.T) {
				t.Parallel()
				prog, err := pol.p.CompileLayout(layout)
				require.NoError(t, err)
				var cases []proofCase
				for _, tt := range tests {
					want := tt.deny
					if pol.name == "allowlist" {
						want = tt.allow
					}
					cases = append(cases, proofCase{name: tt.name, call: proofCall{Nr: tt.nr}, ran: tt.ran, want: want})
				}
				proofCheck(t, prog.Instructions, cases)
			})
		}
	}
}

// TestKernelWrongArch makes i386 system calls (int $0x80) from the 64-bit
// process: the kernel reports them with arch AUDIT_ARCH_I386, and the
// compiled programs give them the bad-arch action, under a default-allow
// policy too. A filter without the arch check lets them through with
// i386's numbers, which are not x86_64's: the bug of go-seccomp-bpf's
// default-allow policies.
func TestKernelWrongArch(t *testing.T) {
	proofRequireX86_64(t)
	if !int80.Supported {
		t.Skipf("int $0x80 needs amd64, this is %s", runtime.GOARCH)
	}
	const i386GetPID, i386GetPPID = 20, 64

	// Without a filter, first: a kernel without IA32 emulation, or booted
	// with ia32_emulation=0, faults on int $0x80, or fails the call.
	run := runProofChild(t, proofSpec{Arch: ArchX86_64, Pre: []proofCall{{Nr: i386GetPID, Int80: true}}})
	if !run.has("value", "pid") {
		t.Fatalf("the child did not get as far as int $0x80: %v\n%s", run.state, run.output)
	}
	if !run.has("result", "pre/0") {
		skipUnlessRequired(t, fmt.Sprintf("int $0x80 crashed the child, so this kernel has no IA32 emulation: %v\n%s", run.state, run.output))
	}
	run.requireExit(t)
	switch got, pid := proofOutcomes(t, run, "pre", 1)[0], proofValue(t, run, "pid"); got.R {
	case pid:
	case -int64(unix.ENOSYS):
		skipUnlessRequired(t, "i386 getpid failed with ENOSYS: this kernel's IA32 emulation is off")
	default:
		t.Fatalf("i386 getpid without a filter: %s, want pid %d", got, pid)
	}

	t.Run("probe", func(t *testing.T) {
		t.Parallel()
		proofCheckProbes(t, []proofProbeCase{
			{"arch", proofCall{Nr: i386GetPID, Int80: true}, proofSeeArch, proofAuditI386},
			{"nr", proofCall{Nr: i386GetPID, Int80: true}, proofSeeNr, i386GetPID},
			// As for a 64-bit call, the number is eax alone...
			{"nr, high half of rax set", proofCall{Nr: 1<<32 | i386GetPID, Int80: true}, proofSeeNr, i386GetPID},
			// ... but the arguments are the 64-bit registers whole, though
			// the i386 call itself reads only their low halves.
			{"high half of ebx", proofCall{Nr: i386GetPID, Int80: true, Args: [6]uint64{0xDEAD << 32}}, proofSeeArg0Hi, 0xDEAD},
		})
	})

	exdev, eacces, eperm := Errno(unix.EXDEV), Errno(unix.EACCES), Errno(unix.EPERM)
	tests := []struct {
		name               string
		call               proofCall
		ran                proofRan
		deny, allow, naive Action // what the policies and the naive filter do
	}{
		{"getpid", proofCall{Nr: unix.SYS_GETPID}, proofRanPID, Allow, Allow, Allow},
		{"getppid", proofCall{Nr: unix.SYS_GETPPID}, proofRanPPID, eperm, eacces, eperm},
		{"i386 getpid", proofCall{Nr: i386GetPID, Int80: true}, proofRanPID, exdev, exdev, Allow},
		// The naive filter's hole: i386's getppid is not 110.
		{"i386 getppid", proofCall{Nr: i386GetPPID, Int80: true}, proofRanPPID, exdev, exdev, Allow},
	}
	check := func(t *testing.T, filter []bpf.RawInstruction, want func(deny, allow, naive Action) Action) {
		var cases []proofCase
		for _, tt := range tests {
			cases = append(cases, proofCase{name: tt.name, call: tt.call, ran: tt.ran, want: want(tt.deny, tt.allow, tt.naive)})
		}
		proofCheck(t, filter, cases)
	}
	for _, pol := range proofPolicies() {
		for _, layout := range layouts {
			t.Run(pol.name+"/"+layout.String(), func(t *testing.T) {
				t.Parallel()
				prog, err := pol.p.CompileLayout(layout)
				require.NoError(t, err)
				check(t, prog.Instructions, func(deny, allow, _ Action) Action {
					if pol.name == "allowlist" {
						return allow
					}
					return deny
				})
			})
		}
	}
	// The control: the denylist without its arch check, which the test
	// must tell from the real thing.
	t.Run("naive", func(t *testing.T) {
		t.Parallel()
		naive := cbpfAssemble(t,
			bpf.LoadAbsolute{Off: 0, Size: 4},
			bpf.JumpIf{Cond: bpf.JumpEqual, Val: unix.SYS_GETPPID, SkipFalse: 1},
			bpf.RetConstant{Val: eperm.Ret()},
			bpf.RetConstant{Val: Allow.Ret()},
		)
		check(t, naive, func(_, _, naive Action) Action { return naive })
	})
}
