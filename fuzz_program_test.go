package seccomp

import (
	"bytes"
	"encoding/binary"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/bpf"
)

// fuzzProgramArches are the arches a raw program is read for: the zero
// Arch (the host's), the supported ones, and a big-endian value no table
// knows, so that both byte orders of the argument words are exercised.
var fuzzProgramArches = []Arch{0, ArchX86_64, ArchAArch64, ArchRISCV64, 0x80000016 /* AUDIT_ARCH_S390X */}

// fuzzProgramSeeds are programs to start mutating from: compiled policies
// (valid, and full of the jumps a compiler emits) and hand-written ones
// that use what the compiler never emits (scratch memory, X, ALU, ret a).
func fuzzProgramSeeds(f *testing.F) [][]byte {
	var seeds [][]byte
	add := func(insns []bpf.RawInstruction) {
		raw, err := Program{Instructions: insns}.MarshalBinary()
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, raw)
	}
	for _, seed := range [][]byte{{0, 0, 4, 3, 41, 0, 1, 0, 1, 0, 1, 1, 0}, []byte("\x05\x00\x07\x10seccomp fuzz seed")} {
		for _, layout := range layouts {
			prog, err := decodePolicy(seed).CompileLayout(layout)
			if err != nil {
				f.Fatal(err)
			}
			add(prog.Instructions)
		}
	}
	add([]bpf.RawInstruction{{Op: opRetK, K: Allow.Ret()}})
	add([]bpf.RawInstruction{
		{Op: opLdWAbs, K: offArgs}, {Op: opSt, K: 3}, {Op: opLdxImm, K: 5},
		{Op: opDivX}, {Op: opLdMem, K: 3}, {Op: opLshX}, {Op: opTax},
		{Op: opLdWLen}, {Op: opJgtX, Jt: 1}, {Op: opRetA}, {Op: opNeg}, {Op: opRetA},
	})
	add([]bpf.RawInstruction{
		{Op: opLdWAbs, K: offNr}, {Op: opJsetK, K: 1, Jt: 1}, {Op: opStx, K: 15},
		{Op: opLdxMem, K: 15}, {Op: opJa, K: 0}, {Op: opRetK, K: 0},
	})
	return seeds
}

// FuzzEval runs random programs against the validator: a program that
// Validate accepts never faults in Eval, whatever the input, and Eval's
// outcome is one Analyze lists, after a number of instructions in the range
// it gives.
func FuzzEval(f *testing.F) {
	for i, raw := range fuzzProgramSeeds(f) {
		f.Add(raw, uint8(i), uint32(i), uint64(i), uint64(0xffffffff), uint64(1)<<32)
	}
	f.Fuzz(func(t *testing.T, raw []byte, archSel uint8, nr uint32, a0, a1, a2 uint64) {
		prog, err := UnmarshalProgram(fuzzProgramArches[int(archSel)%len(fuzzProgramArches)], raw)
		if err != nil {
			return
		}
		d := Data{Nr: nr, Arch: prog.Arch, InstructionPointer: a2 ^ a0, Args: [6]uint64{a0, a1, a2, ^a0, a1 >> 32, a2 << 32}}
		if archSel&0x80 != 0 {
			d.Arch = Arch(nr ^ uint32(a0)) // another arch's convention
		}
		v, evalErr := prog.Eval(d) // must not panic, valid or not
		if err := prog.Validate(); err != nil {
			return
		}
		if evalErr != nil {
			t.Fatalf("Validate accepts the program but Eval faults on %+v: %v\n%s", d, evalErr, prog.Disassemble())
		}
		if d.Arch != prog.Arch || prog.Arch == 0 {
			return // Analyze assumes the program's own (non-zero) arch
		}
		an, err := prog.Analyze(d.Nr)
		if err != nil {
			return // e.g. "ret a" of a value the arguments decide
		}
		rets := make([]uint32, len(an.Actions))
		for i, a := range an.Actions {
			rets[i] = a.Ret()
		}
		if !slices.Contains(rets, v.Ret) {
			t.Fatalf("Eval returns %#x on %+v, which Analyze(%d) does not list (%v)\n%s", v.Ret, d, d.Nr, an.Actions, prog.Disassemble())
		}
		if v.Executed < an.MinExecuted || v.Executed > an.MaxExecuted {
			t.Fatalf("Eval runs %d instructions on %+v, outside Analyze's %d..%d\n%s", v.Executed, d, an.MinExecuted, an.MaxExecuted, prog.Disassemble())
		}
	})
}

// FuzzProgramBytes checks the raw forms: UnmarshalProgram takes exactly
// the whole-instruction byte strings, MarshalBinary gives them back
// unchanged, and Disassemble never panics and writes a line per
// instruction.
func FuzzProgramBytes(f *testing.F) {
	for i, raw := range fuzzProgramSeeds(f) {
		f.Add(raw, uint8(i))
	}
	f.Add([]byte{1, 2, 3}, uint8(0))
	f.Fuzz(func(t *testing.T, raw []byte, archSel uint8) {
		arch := fuzzProgramArches[int(archSel)%len(fuzzProgramArches)]
		if archSel&0x80 != 0 {
			arch = Arch(binary.LittleEndian.Uint32(append(slices.Clone(raw), 0, 0, 0, 0)))
		}
		prog, err := UnmarshalProgram(arch, raw)
		if (err != nil) != (len(raw)%8 != 0) {
			t.Fatalf("UnmarshalProgram of %d bytes: error %v", len(raw), err)
		}
		if err != nil {
			return
		}
		if prog.Arch != arch || len(prog.Instructions) != len(raw)/8 {
			t.Fatalf("UnmarshalProgram: arch %v, %d instructions; want %v, %d", prog.Arch, len(prog.Instructions), arch, len(raw)/8)
		}
		back, err := prog.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(back, raw) {
			t.Fatalf("MarshalBinary(UnmarshalProgram(%x)) = %x", raw, back)
		}
		text := prog.Disassemble()
		if got := strings.Count(text, "\n"); got != len(prog.Instructions) {
			t.Fatalf("Disassemble wrote %d lines for %d instructions:\n%s", got, len(prog.Instructions), text)
		}
	})
}
