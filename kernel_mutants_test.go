//go:build linux

package seccomp

// The proof that TestInterpreterMatchesKernel can fail: interpreters wrong
// about any one opcode (mutants), or blind to an edge case of the kernel's
// arithmetic, would have disagreed with what the kernel did.

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/bpf"
)

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
	if opClass(base) == classALU || opClass(base) == classJmp { // K and X alike
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
	return opName(k.op)
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
			if opClass(ins.Op) != classALU || !(op == opAddK || op == opSubK || op == opMulK || op == opLshK || op == opRshK) {
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
