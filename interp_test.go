package seccomp

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/bpf"
)

// The interpreter's own tests: Program.Eval and Program.Validate (eval.go)
// on every opcode, on long jumps, on what the kernel refuses, and against
// x/net/bpf's VM on random programs. kernel_interp_test.go proves the
// interpreter against the kernel itself.

// validateProgram and runProgram are the tests' short names for the public
// interpreter: runProgram runs only what validates, as the kernel does.
func validateProgram(prog []bpf.RawInstruction) error {
	return Program{Instructions: prog}.Validate()
}

func runProgram(prog []bpf.RawInstruction, d Data) (ret uint32, executed int, err error) {
	// The kernel never runs a filter it refused to load.
	if err := validateProgram(prog); err != nil {
		return 0, 0, err
	}
	return cbpfExec(prog, d)
}

// runCompiled is runProgram on a whole Program: its arch decides the byte
// order of the arguments, as it will when the kernel runs it.
func runCompiled(prog Program, d Data) (ret uint32, executed int, err error) {
	if err := prog.Validate(); err != nil {
		return 0, 0, err
	}
	v, err := prog.Eval(d)
	return v.Ret, v.Executed, err
}

// cbpfExec runs prog without validating it first.
func cbpfExec(prog []bpf.RawInstruction, d Data) (ret uint32, executed int, err error) {
	v, err := Program{Instructions: prog}.Eval(d)
	return v.Ret, v.Executed, err
}

// cbpfAssemble assembles insns; bpf.RawInstruction covers the opcodes
// x/net/bpf has no type for.
func cbpfAssemble(t testing.TB, insns ...bpf.Instruction) []bpf.RawInstruction {
	t.Helper()
	prog, err := bpf.Assemble(insns)
	require.NoError(t, err)
	return prog
}

// cbpfTestData has a distinct value in every word so a load from the
// wrong offset shows.
var cbpfTestData = Data{
	Nr:                 59,
	Arch:               0xc000003e, // AUDIT_ARCH_X86_64
	InstructionPointer: 0x00007fff_deadbeef,
	Args: [6]uint64{
		0x10000001_20000002,
		0x30000003_40000004,
		0x50000005_60000006,
		0x70000007_80000008,
		0x90000009_a000000a,
		0xb000000b_c000000c,
	},
}

func TestInterpOpcodes(t *testing.T) {
	ldA := func(v uint32) bpf.Instruction { return bpf.LoadConstant{Dst: bpf.RegA, Val: v} }
	ldX := func(v uint32) bpf.Instruction { return bpf.LoadConstant{Dst: bpf.RegX, Val: v} }
	ldWord := func(off uint32) bpf.Instruction { return bpf.LoadAbsolute{Off: off, Size: 4} }
	aluK := func(op bpf.ALUOp, v uint32) bpf.Instruction { return bpf.ALUOpConstant{Op: op, Val: v} }
	aluX := func(op bpf.ALUOp) bpf.Instruction { return bpf.ALUOpX{Op: op} }
	jmpK := func(c bpf.JumpTest, v uint32, jt, jf uint8) bpf.Instruction {
		return bpf.JumpIf{Cond: c, Val: v, SkipTrue: jt, SkipFalse: jf}
	}
	jmpX := func(c bpf.JumpTest, jt, jf uint8) bpf.Instruction {
		return bpf.JumpIfX{Cond: c, SkipTrue: jt, SkipFalse: jf}
	}
	retA := bpf.RetA{}
	ret := func(v uint32) bpf.Instruction { return bpf.RetConstant{Val: v} }
	// A two-way branch that returns 1 when taken and 2 otherwise.
	branch := func(j bpf.Instruction, setup ...bpf.Instruction) []bpf.Instruction {
		return append(setup, j, ret(1), ret(2))
	}

	tests := []struct {
		name     string
		prog     []bpf.Instruction
		data     Data
		want     uint32
		executed int
	}{
		// Returns.
		{"ret k", []bpf.Instruction{ret(0x7fff0000)}, cbpfTestData, 0x7fff0000, 1},
		{"ret a initial zero", []bpf.Instruction{retA}, cbpfTestData, 0, 1},
		{"ret a", []bpf.Instruction{ldA(42), retA}, cbpfTestData, 42, 2},

		// Loads from seccomp_data, little-endian.
		{"ld [k] nr", []bpf.Instruction{ldWord(0), retA}, cbpfTestData, 59, 2},
		{"ld [k] arch", []bpf.Instruction{ldWord(4), retA}, cbpfTestData, 0xc000003e, 2},
		{"ld [k] ip low", []bpf.Instruction{ldWord(8), retA}, cbpfTestData, 0xdeadbeef, 2},
		{"ld [k] ip high", []bpf.Instruction{ldWord(12), retA}, cbpfTestData, 0x00007fff, 2},
		{"ld [k] args[0] low", []bpf.Instruction{ldWord(16), retA}, cbpfTestData, 0x20000002, 2},
		{"ld [k] args[0] high", []bpf.Instruction{ldWord(20), retA}, cbpfTestData, 0x10000001, 2},
		{"ld [k] args[5] high is the last word", []bpf.Instruction{ldWord(60), retA}, cbpfTestData, 0xb000000b, 2},
		{"ld [k] negative nr", []bpf.Instruction{ldWord(0), retA}, Data{Nr: 0xffffffff}, 0xffffffff, 2},
		{"ld len is sizeof seccomp_data", []bpf.Instruction{bpf.LoadExtension{Num: bpf.ExtLen}, retA}, cbpfTestData, 64, 2},
		{"ldx len is sizeof seccomp_data", []bpf.Instruction{bpf.RawInstruction{Op: opLdxWLen}, bpf.TXA{}, retA}, cbpfTestData, 64, 3},

		// Immediates and register moves.
		{"ld imm", []bpf.Instruction{ldA(0xffffffff), retA}, cbpfTestData, 0xffffffff, 2},
		{"ldx imm and txa", []bpf.Instruction{ldX(7), bpf.TXA{}, retA}, cbpfTestData, 7, 3},
		{"tax", []bpf.Instruction{ldA(9), bpf.TAX{}, ldA(0), bpf.TXA{}, retA}, cbpfTestData, 9, 5},

		// Scratch memory.
		{"st and ld mem", []bpf.Instruction{ldA(5), bpf.StoreScratch{Src: bpf.RegA, N: 3}, ldA(0), bpf.LoadScratch{Dst: bpf.RegA, N: 3}, retA}, cbpfTestData, 5, 5},
		{"stx and ldx mem in the last cell", []bpf.Instruction{ldX(11), bpf.StoreScratch{Src: bpf.RegX, N: 15}, ldX(0), bpf.LoadScratch{Dst: bpf.RegX, N: 15}, bpf.TXA{}, retA}, cbpfTestData, 11, 6},
		{"st overwrites", []bpf.Instruction{ldA(1), bpf.StoreScratch{Src: bpf.RegA, N: 0}, ldA(2), bpf.StoreScratch{Src: bpf.RegA, N: 0}, bpf.LoadScratch{Dst: bpf.RegA, N: 0}, retA}, cbpfTestData, 2, 6},

		// ALU, 32-bit and wrapping.
		{"add k", []bpf.Instruction{ldA(40), aluK(bpf.ALUOpAdd, 2), retA}, cbpfTestData, 42, 3},
		{"add k wraps", []bpf.Instruction{ldA(0xffffffff), aluK(bpf.ALUOpAdd, 2), retA}, cbpfTestData, 1, 3},
		{"add x", []bpf.Instruction{ldX(0x80000000), ldA(0x80000001), aluX(bpf.ALUOpAdd), retA}, cbpfTestData, 1, 4},
		{"sub k wraps", []bpf.Instruction{ldA(1), aluK(bpf.ALUOpSub, 2), retA}, cbpfTestData, 0xffffffff, 3},
		{"sub x", []bpf.Instruction{ldX(3), ldA(10), aluX(bpf.ALUOpSub), retA}, cbpfTestData, 7, 4},
		{"mul k wraps", []bpf.Instruction{ldA(0x10000), aluK(bpf.ALUOpMul, 0x10001), retA}, cbpfTestData, 0x10000, 3},
		{"mul x", []bpf.Instruction{ldX(6), ldA(7), aluX(bpf.ALUOpMul), retA}, cbpfTestData, 42, 4},
		{"div k truncates", []bpf.Instruction{ldA(100), aluK(bpf.ALUOpDiv, 7), retA}, cbpfTestData, 14, 3},
		{"div k is unsigned", []bpf.Instruction{ldA(0xfffffffe), aluK(bpf.ALUOpDiv, 2), retA}, cbpfTestData, 0x7fffffff, 3},
		{"div x", []bpf.Instruction{ldX(10), ldA(100), aluX(bpf.ALUOpDiv), retA}, cbpfTestData, 10, 4},
		{"div x by zero returns 0", []bpf.Instruction{ldX(0), ldA(100), aluX(bpf.ALUOpDiv), ret(0x7fff0000)}, cbpfTestData, 0, 3},
		{"and k", []bpf.Instruction{ldA(0xff00ff00), aluK(bpf.ALUOpAnd, 0x0ff00ff0), retA}, cbpfTestData, 0x0f000f00, 3},
		{"and x", []bpf.Instruction{ldX(0xf0), ldA(0x3c), aluX(bpf.ALUOpAnd), retA}, cbpfTestData, 0x30, 4},
		{"or k", []bpf.Instruction{ldA(0xff000000), aluK(bpf.ALUOpOr, 0xff), retA}, cbpfTestData, 0xff0000ff, 3},
		{"or x", []bpf.Instruction{ldX(0x0f), ldA(0xf0), aluX(bpf.ALUOpOr), retA}, cbpfTestData, 0xff, 4},
		{"xor k", []bpf.Instruction{ldA(0xffff0000), aluK(bpf.ALUOpXor, 0xffffffff), retA}, cbpfTestData, 0x0000ffff, 3},
		{"xor x", []bpf.Instruction{ldX(0xaa), ldA(0xff), aluX(bpf.ALUOpXor), retA}, cbpfTestData, 0x55, 4},
		{"lsh k", []bpf.Instruction{ldA(1), aluK(bpf.ALUOpShiftLeft, 31), retA}, cbpfTestData, 0x80000000, 3},
		{"lsh k drops high bits", []bpf.Instruction{ldA(0xff), aluK(bpf.ALUOpShiftLeft, 28), retA}, cbpfTestData, 0xf0000000, 3},
		{"lsh x", []bpf.Instruction{ldX(4), ldA(0x12345678), aluX(bpf.ALUOpShiftLeft), retA}, cbpfTestData, 0x23456780, 4},
		{"lsh x of 33 is masked to 1", []bpf.Instruction{ldX(33), ldA(1), aluX(bpf.ALUOpShiftLeft), retA}, cbpfTestData, 2, 4},
		{"rsh k is logical", []bpf.Instruction{ldA(0x80000000), aluK(bpf.ALUOpShiftRight, 31), retA}, cbpfTestData, 1, 3},
		{"rsh x", []bpf.Instruction{ldX(8), ldA(0x12345678), aluX(bpf.ALUOpShiftRight), retA}, cbpfTestData, 0x00123456, 4},
		{"rsh x of 32 is masked to 0", []bpf.Instruction{ldX(32), ldA(0x80000000), aluX(bpf.ALUOpShiftRight), retA}, cbpfTestData, 0x80000000, 4},
		{"neg", []bpf.Instruction{ldA(1), bpf.NegateA{}, retA}, cbpfTestData, 0xffffffff, 3},
		{"neg of zero", []bpf.Instruction{bpf.NegateA{}, retA}, cbpfTestData, 0, 2},
		{"neg of min int32", []bpf.Instruction{ldA(0x80000000), bpf.NegateA{}, retA}, cbpfTestData, 0x80000000, 3},

		// Jumps. Skipped instructions are not counted.
		{"ja", []bpf.Instruction{bpf.Jump{Skip: 1}, ret(1), ret(2)}, cbpfTestData, 2, 2},
		{"ja 0 falls through", []bpf.Instruction{bpf.Jump{Skip: 0}, ret(1)}, cbpfTestData, 1, 2},
		{"jeq k taken", branch(jmpK(bpf.JumpEqual, 59, 0, 1), ldWord(0)), cbpfTestData, 1, 3},
		{"jeq k not taken", branch(jmpK(bpf.JumpEqual, 60, 0, 1), ldWord(0)), cbpfTestData, 2, 3},
		{"jeq k with both offsets", []bpf.Instruction{ldWord(0), jmpK(bpf.JumpEqual, 59, 2, 1), ret(1), ret(2), ret(3)}, cbpfTestData, 3, 3},
		{"jne k (jeq with swapped offsets)", branch(jmpK(bpf.JumpNotEqual, 60, 0, 1), ldWord(0)), cbpfTestData, 1, 3},
		{"jgt k is unsigned", branch(jmpK(bpf.JumpGreaterThan, 1, 0, 1), ldA(0xffffffff)), cbpfTestData, 1, 3},
		{"jgt k equal not taken", branch(jmpK(bpf.JumpGreaterThan, 5, 0, 1), ldA(5)), cbpfTestData, 2, 3},
		{"jge k equal taken", branch(jmpK(bpf.JumpGreaterOrEqual, 5, 0, 1), ldA(5)), cbpfTestData, 1, 3},
		{"jge k less not taken", branch(jmpK(bpf.JumpGreaterOrEqual, 5, 0, 1), ldA(4)), cbpfTestData, 2, 3},
		{"jlt k (jge with swapped offsets)", branch(jmpK(bpf.JumpLessThan, 5, 0, 1), ldA(4)), cbpfTestData, 1, 3},
		{"jset k taken", branch(jmpK(bpf.JumpBitsSet, 0x10, 0, 1), ldA(0x30)), cbpfTestData, 1, 3},
		{"jset k not taken", branch(jmpK(bpf.JumpBitsSet, 0x0f, 0, 1), ldA(0x30)), cbpfTestData, 2, 3},
		{"jeq x taken", branch(jmpX(bpf.JumpEqual, 0, 1), ldX(7), ldA(7)), cbpfTestData, 1, 4},
		{"jeq x not taken", branch(jmpX(bpf.JumpEqual, 0, 1), ldX(7), ldA(8)), cbpfTestData, 2, 4},
		{"jgt x is unsigned", branch(jmpX(bpf.JumpGreaterThan, 0, 1), ldX(1), ldA(0x80000000)), cbpfTestData, 1, 4},
		{"jgt x equal not taken", branch(jmpX(bpf.JumpGreaterThan, 0, 1), ldX(3), ldA(3)), cbpfTestData, 2, 4},
		{"jge x equal taken", branch(jmpX(bpf.JumpGreaterOrEqual, 0, 1), ldX(3), ldA(3)), cbpfTestData, 1, 4},
		{"jge x less not taken", branch(jmpX(bpf.JumpGreaterOrEqual, 0, 1), ldX(3), ldA(2)), cbpfTestData, 2, 4},
		{"jset x taken", branch(jmpX(bpf.JumpBitsSet, 0, 1), ldX(0x80000000), ldA(0xffffffff)), cbpfTestData, 1, 4},
		{"jset x not taken", branch(jmpX(bpf.JumpBitsSet, 0, 1), ldX(0x80000000), ldA(0x7fffffff)), cbpfTestData, 2, 4},

		// A typical filter: check the arch, then allow one syscall.
		{"filter allows", cbpfAllowOne(), cbpfTestData, 0x7fff0000, 5},
		{"filter errno on other syscall", cbpfAllowOne(), Data{Nr: 1, Arch: 0xc000003e}, 0x00050001, 5},
		{"filter kills other arch", cbpfAllowOne(), Data{Nr: 59, Arch: 0x40000003}, 0x80000000, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prog := cbpfAssemble(t, tt.prog...)
			require.NoError(t, validateProgram(prog))
			got, executed, err := runProgram(prog, tt.data)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got, "return value %#x", got)
			assert.Equal(t, tt.executed, executed, "instructions executed")
		})
	}
}

// cbpfAllowOne allows execve (59) on x86_64, returns ERRNO(1) for other
// syscalls and kills the process on other arches.
func cbpfAllowOne() []bpf.Instruction {
	return []bpf.Instruction{
		bpf.LoadAbsolute{Off: 4, Size: 4},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: 0xc000003e, SkipFalse: 3},
		bpf.LoadAbsolute{Off: 0, Size: 4},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: 59, SkipTrue: 2},
		bpf.RetConstant{Val: 0x00050001},
		bpf.RetConstant{Val: 0x80000000},
		bpf.RetConstant{Val: 0x7fff0000},
	}
}

// TestInterpLongJumps uses the largest conditional offsets (255) and the
// largest ja of a maximal program.
func TestInterpLongJumps(t *testing.T) {
	for _, tc := range []struct {
		name     string
		jt, jf   uint8
		nr       uint32
		want     uint32
		executed int
	}{
		{"jt 255 taken", 255, 0, 59, 2, 3},
		{"jt 255 not taken", 255, 0, 1, 1, 3},
		{"jf 255 taken", 0, 255, 1, 2, 3},
		{"jf 255 not taken", 0, 255, 59, 1, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			insns := []bpf.Instruction{
				bpf.LoadAbsolute{Off: 0, Size: 4},
				bpf.RawInstruction{Op: opJeqK, Jt: tc.jt, Jf: tc.jf, K: 59},
			}
			for range 255 {
				insns = append(insns, bpf.RetConstant{Val: 1})
			}
			insns = append(insns, bpf.RetConstant{Val: 2}) // index 257 = 1+1+255
			prog := cbpfAssemble(t, insns...)
			require.NoError(t, validateProgram(prog))
			got, executed, err := runProgram(prog, Data{Nr: tc.nr})
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.executed, executed)
		})
	}
}

// TestValidateMaxLength checks that a program of exactly BPF_MAXINSNS
// instructions loads and runs, both straight through and with the longest
// possible ja.
func TestValidateMaxLength(t *testing.T) {
	t.Run("straight line", func(t *testing.T) {
		insns := []bpf.Instruction{bpf.LoadConstant{Dst: bpf.RegA, Val: 0}}
		for range maxInsns - 2 {
			insns = append(insns, bpf.ALUOpConstant{Op: bpf.ALUOpAdd, Val: 1})
		}
		insns = append(insns, bpf.RetA{})
		prog := cbpfAssemble(t, insns...)
		require.Len(t, prog, maxInsns)
		require.NoError(t, validateProgram(prog))
		got, executed, err := runProgram(prog, cbpfTestData)
		require.NoError(t, err)
		assert.Equal(t, uint32(maxInsns-2), got)
		assert.Equal(t, maxInsns, executed)
	})

	longJump := func(skip uint32) []bpf.RawInstruction {
		insns := []bpf.Instruction{bpf.Jump{Skip: skip}}
		for range maxInsns - 2 {
			insns = append(insns, bpf.RetConstant{Val: 1})
		}
		return cbpfAssemble(t, append(insns, bpf.RetConstant{Val: 2})...)
	}
	t.Run("ja to the last instruction", func(t *testing.T) {
		prog := longJump(maxInsns - 2)
		require.NoError(t, validateProgram(prog))
		got, executed, err := runProgram(prog, cbpfTestData)
		require.NoError(t, err)
		assert.Equal(t, uint32(2), got)
		assert.Equal(t, 2, executed)
	})
	t.Run("ja one past the last instruction", func(t *testing.T) {
		err := validateProgram(longJump(maxInsns - 1))
		require.EqualError(t, err, "seccomp: invalid program: instruction 0: jump target 4096 is past the end (4096 instructions)")
	})
}

func TestValidateRejects(t *testing.T) {
	raw := func(op uint16, k uint32) bpf.Instruction { return bpf.RawInstruction{Op: op, K: k} }
	ldA := bpf.LoadConstant{Dst: bpf.RegA, Val: 1}
	ldX := bpf.LoadConstant{Dst: bpf.RegX, Val: 1}
	ret := bpf.RetConstant{Val: 0}
	retA := bpf.RetA{}
	tooLong := make([]bpf.Instruction, maxInsns+1)
	for i := range tooLong {
		tooLong[i] = ret
	}

	tests := []struct {
		name    string
		prog    []bpf.Instruction
		wantErr string
	}{
		{"empty", nil, "seccomp: invalid program: 0 instructions, want 1 to 4096"},
		{"too long", tooLong, "seccomp: invalid program: 4097 instructions, want 1 to 4096"},

		// Opcodes.
		{"byte load", []bpf.Instruction{raw(opLdBAbs, 0), retA}, "instruction 0: opcode 0x30 is not allowed in seccomp filters"},
		{"half-word load", []bpf.Instruction{bpf.LoadAbsolute{Off: 0, Size: 2}, retA}, "instruction 0: opcode 0x28 is not allowed in seccomp filters"},
		{"indirect load", []bpf.Instruction{bpf.LoadIndirect{Off: 0, Size: 4}, retA}, "instruction 0: opcode 0x40 is not allowed in seccomp filters"},
		{"ldx msh", []bpf.Instruction{bpf.LoadMemShift{Off: 0}, retA}, "instruction 0: opcode 0xb1 is not allowed in seccomp filters"},
		{"mod k", []bpf.Instruction{ldA, bpf.ALUOpConstant{Op: bpf.ALUOpMod, Val: 3}, retA}, "instruction 1: opcode 0x94 is not allowed in seccomp filters"},
		{"mod x", []bpf.Instruction{ldX, bpf.ALUOpX{Op: bpf.ALUOpMod}, retA}, "instruction 1: opcode 0x9c is not allowed in seccomp filters"},
		{"ancillary load", []bpf.Instruction{bpf.LoadExtension{Num: bpf.ExtProto}, retA}, "instruction 0: load offset 0xfffff000 is beyond seccomp_data (64 bytes)"},
		{"not a classic opcode", []bpf.Instruction{raw(0xffff, 0), retA}, "instruction 0: opcode 0xffff is not a classic BPF instruction"},
		{"ret x", []bpf.Instruction{ldA, raw(0x0e, 0)}, "instruction 1: opcode 0x0e is not a classic BPF instruction"},
		{"ld h imm is not ld imm", []bpf.Instruction{raw(0x08, 1), retA}, "instruction 0: opcode 0x08 is not a classic BPF instruction"},

		// Data loads.
		{"misaligned load", []bpf.Instruction{bpf.LoadAbsolute{Off: 2, Size: 4}, retA}, "instruction 0: load offset 2 is not a multiple of 4"},
		{"load at offset 64", []bpf.Instruction{bpf.LoadAbsolute{Off: 64, Size: 4}, retA}, "instruction 0: load offset 0x40 is beyond seccomp_data (64 bytes)"},
		{"load far out", []bpf.Instruction{ret, bpf.LoadAbsolute{Off: 1 << 20, Size: 4}, retA}, "instruction 1: load offset 0x100000 is beyond seccomp_data (64 bytes)"},

		// Jumps.
		{"ja past end", []bpf.Instruction{bpf.Jump{Skip: 1}, ret}, "instruction 0: jump target 2 is past the end (2 instructions)"},
		{"ja with huge k", []bpf.Instruction{raw(opJa, 0xffffffff), ret}, "instruction 0: jump target 4294967296 is past the end (2 instructions)"},
		{"jeq true target past end", []bpf.Instruction{bpf.JumpIf{Cond: bpf.JumpEqual, SkipTrue: 1}, ret}, "instruction 0: jump target 2 is past the end (2 instructions)"},
		{"jgt false target past end", []bpf.Instruction{bpf.JumpIf{Cond: bpf.JumpGreaterThan, SkipFalse: 2}, ret, ret}, "instruction 0: jump target 3 is past the end (3 instructions)"},
		{"jset x target past end", []bpf.Instruction{ret, bpf.JumpIfX{Cond: bpf.JumpBitsSet, SkipTrue: 1}, ret}, "instruction 1: jump target 3 is past the end (3 instructions)"},
		{"last is not a return", []bpf.Instruction{ret, ldA}, "instruction 1: last instruction (opcode 0x00) is not a return"},

		// Scratch memory.
		{"scratch read before write", []bpf.Instruction{bpf.LoadScratch{Dst: bpf.RegA, N: 0}, retA}, "instruction 0: reads scratch memory M[0] before it is written on every path"},
		{"ldx of another cell than written", []bpf.Instruction{bpf.StoreScratch{Src: bpf.RegA, N: 1}, bpf.LoadScratch{Dst: bpf.RegX, N: 2}, retA}, "instruction 1: reads scratch memory M[2] before it is written on every path"},
		{"read before write on one branch", []bpf.Instruction{
			bpf.LoadAbsolute{Off: 0, Size: 4},
			bpf.JumpIf{Cond: bpf.JumpEqual, Val: 1, SkipTrue: 1},
			bpf.StoreScratch{Src: bpf.RegA, N: 0},
			bpf.LoadScratch{Dst: bpf.RegA, N: 0},
			retA,
		}, "instruction 3: reads scratch memory M[0] before it is written on every path"},
		{"read before write in unreachable code", []bpf.Instruction{ret, bpf.LoadScratch{Dst: bpf.RegA, N: 0}, retA}, "instruction 1: reads scratch memory M[0] before it is written on every path"},
		{"st index 16", []bpf.Instruction{raw(opSt, 16), ret}, "instruction 0: scratch memory index 16, want less than 16"},
		{"ld mem index 16", []bpf.Instruction{raw(opLdMem, 16), retA}, "instruction 0: scratch memory index 16, want less than 16"},
		{"ldx mem index huge", []bpf.Instruction{raw(opLdxMem, 0xffffffff), retA}, "instruction 0: scratch memory index 4294967295, want less than 16"},

		// Constant operands.
		{"div by constant 0", []bpf.Instruction{bpf.ALUOpConstant{Op: bpf.ALUOpDiv, Val: 0}, retA}, "instruction 0: division by constant zero"},
		{"mod by constant 0 fails the division check first", []bpf.Instruction{bpf.ALUOpConstant{Op: bpf.ALUOpMod, Val: 0}, retA}, "instruction 0: division by constant zero"},
		{"lsh by constant 32", []bpf.Instruction{bpf.ALUOpConstant{Op: bpf.ALUOpShiftLeft, Val: 32}, retA}, "instruction 0: shift by constant 32, want less than 32"},
		{"rsh by huge constant", []bpf.Instruction{bpf.ALUOpConstant{Op: bpf.ALUOpShiftRight, Val: 0xffffffff}, retA}, "instruction 0: shift by constant 4294967295, want less than 32"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var prog []bpf.RawInstruction
			if len(tt.prog) > 0 {
				prog = cbpfAssemble(t, tt.prog...)
			}
			err := validateProgram(prog)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)

			// The kernel would not load it, so it must not run either.
			_, executed, err := runProgram(prog, cbpfTestData)
			require.Error(t, err)
			assert.Zero(t, executed)
		})
	}
}

func TestValidateAccepts(t *testing.T) {
	retA := bpf.RetA{}
	st0 := bpf.StoreScratch{Src: bpf.RegA, N: 0}
	ld0 := bpf.LoadScratch{Dst: bpf.RegA, N: 0}
	tests := []struct {
		name string
		prog []bpf.Instruction
		want uint32
	}{
		{"single ret", []bpf.Instruction{bpf.RetConstant{Val: 0x7fff0000}}, 0x7fff0000},
		{"allow-one filter", cbpfAllowOne(), 0x7fff0000},
		{"largest constant operands", []bpf.Instruction{
			bpf.LoadAbsolute{Off: 60, Size: 4},
			bpf.ALUOpConstant{Op: bpf.ALUOpShiftLeft, Val: 31},
			bpf.ALUOpConstant{Op: bpf.ALUOpShiftRight, Val: 31},
			bpf.ALUOpConstant{Op: bpf.ALUOpDiv, Val: 1},
			bpf.StoreScratch{Src: bpf.RegA, N: 15},
			bpf.LoadScratch{Dst: bpf.RegA, N: 15},
			retA,
		}, 1},
		{"len loads", []bpf.Instruction{bpf.LoadExtension{Num: bpf.ExtLen}, bpf.RawInstruction{Op: opLdxWLen}, bpf.ALUOpX{Op: bpf.ALUOpAdd}, retA}, 128},
		{"scratch written on both branches", []bpf.Instruction{
			bpf.LoadAbsolute{Off: 0, Size: 4},
			bpf.JumpIf{Cond: bpf.JumpEqual, Val: 59, SkipFalse: 2},
			st0,
			bpf.Jump{Skip: 1},
			st0,
			ld0,
			retA,
		}, 59},
		{"scratch written before a ja over a ret", []bpf.Instruction{
			bpf.LoadConstant{Dst: bpf.RegA, Val: 7}, st0, bpf.Jump{Skip: 1}, bpf.RetConstant{}, ld0, retA,
		}, 7},
		// check_load_and_stores does not reset its state after a ret, so
		// dead code after one inherits what was written before it.
		{"unreachable read after ret inherits fall-through state", []bpf.Instruction{st0, bpf.RetConstant{Val: 3}, ld0, retA}, 3},
		{"jump targets the last instruction", []bpf.Instruction{bpf.JumpIf{Cond: bpf.JumpEqual, SkipTrue: 1, SkipFalse: 0}, bpf.RetConstant{Val: 1}, bpf.RetConstant{Val: 2}}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prog := cbpfAssemble(t, tt.prog...)
			require.NoError(t, validateProgram(prog))
			got, _, err := runProgram(prog, cbpfTestData)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

// TestValidateDoesNotModify guards against copying the kernel's in-place
// rewrites of ld [k] and ld len.
func TestValidateDoesNotModify(t *testing.T) {
	prog := cbpfAssemble(t,
		bpf.LoadExtension{Num: bpf.ExtLen},
		bpf.RawInstruction{Op: opLdxWLen},
		bpf.LoadAbsolute{Off: 0, Size: 4},
		bpf.RetA{},
	)
	orig := append([]bpf.RawInstruction(nil), prog...)
	require.NoError(t, validateProgram(prog))
	_, _, err := runProgram(prog, cbpfTestData)
	require.NoError(t, err)
	assert.Equal(t, orig, prog)
}

// TestInterpRuntimeChecks runs programs that validation rejects through the
// unvalidated executor: each must fail cleanly, not panic.
func TestInterpRuntimeChecks(t *testing.T) {
	raw := func(op uint16, jt, jf uint8, k uint32) bpf.RawInstruction {
		return bpf.RawInstruction{Op: op, Jt: jt, Jf: jf, K: k}
	}
	ret := raw(opRetK, 0, 0, 0)
	tests := []struct {
		name     string
		prog     []bpf.RawInstruction
		wantErr  string
		executed int
	}{
		{"empty", nil, "ran off the end of the 0-instruction program", 0},
		{"falls off the end", []bpf.RawInstruction{raw(opLdImm, 0, 0, 1)}, "ran off the end of the 1-instruction program", 1},
		{"ja past end", []bpf.RawInstruction{raw(opJa, 0, 0, 1), ret}, "instruction 0: jump target 2 is outside the program", 1},
		{"ja with huge k", []bpf.RawInstruction{raw(opJa, 0, 0, 0xffffffff), ret}, "instruction 0: jump target 4294967296 is outside the program", 1},
		{"jeq past end", []bpf.RawInstruction{raw(opJeqK, 3, 0, 0), ret}, "instruction 0: jump target 4 is outside the program", 1},
		{"jset x past end", []bpf.RawInstruction{raw(opJsetX, 0, 200, 0), ret}, "instruction 0: jump target 201 is outside the program", 1},
		{"mod", []bpf.RawInstruction{raw(opModK, 0, 0, 3), ret}, "instruction 0: opcode 0x94 is not allowed in seccomp filters", 1},
		{"byte load", []bpf.RawInstruction{raw(opLdBAbs, 0, 0, 0), ret}, "instruction 0: opcode 0x30 is not allowed in seccomp filters", 1},
		{"unknown opcode", []bpf.RawInstruction{raw(0xffff, 0, 0, 0)}, "instruction 0: opcode 0xffff is not allowed in seccomp filters", 1},
		{"load at 64", []bpf.RawInstruction{raw(opLdWAbs, 0, 0, 64), ret}, "instruction 0: load offset 0x40 is not an aligned word of seccomp_data", 1},
		{"misaligned load", []bpf.RawInstruction{raw(opLdWAbs, 0, 0, 62), ret}, "instruction 0: load offset 0x3e is not an aligned word of seccomp_data", 1},
		{"ancillary load", []bpf.RawInstruction{raw(opLdWAbs, 0, 0, 0xfffff000), ret}, "instruction 0: load offset 0xfffff000 is not an aligned word of seccomp_data", 1},
		{"unwritten scratch", []bpf.RawInstruction{raw(opLdxMem, 0, 0, 4), ret}, "instruction 0: reads scratch memory M[4], which was not written", 1},
		{"scratch index 16 load", []bpf.RawInstruction{raw(opLdMem, 0, 0, 16), ret}, "instruction 0: reads scratch memory M[16], which was not written", 1},
		{"scratch index 16 store", []bpf.RawInstruction{raw(opStx, 0, 0, 16), ret}, "instruction 0: scratch memory index 16 out of range", 1},
		{"div by constant 0", []bpf.RawInstruction{raw(opDivK, 0, 0, 0), ret}, "instruction 0: division by constant zero", 1},
		{"lsh by constant 32", []bpf.RawInstruction{raw(opLshK, 0, 0, 32), ret}, "instruction 0: shift by constant 32", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Error(t, validateProgram(tt.prog))
			var (
				executed int
				err      error
			)
			require.NotPanics(t, func() { _, executed, err = cbpfExec(tt.prog, cbpfTestData) })
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
			assert.Equal(t, tt.executed, executed)
		})
	}
}

// TestInterpRandomPrograms checks, on random programs, that validation is
// exactly what runProgram enforces, that a validated program always runs to
// a return, and that the result agrees with x/net/bpf's independent VM.
func TestInterpRandomPrograms(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	ops := []uint16{
		opLdImm, opLdxImm, opLdWAbs, opLdWAbs, opLdWAbs, opLdWLen, opLdxWLen,
		opLdMem, opLdxMem, opSt, opSt, opStx, opStx, opTax, opTxa,
		opAddK, opAddX, opSubK, opSubX, opMulK, opMulX, opDivK, opDivX,
		opAndK, opAndX, opOrK, opOrX, opXorK, opXorX,
		opLshK, opLshX, opRshK, opRshX, opNeg,
		opJa, opJeqK, opJeqX, opJgtK, opJgtX, opJgeK, opJgeX, opJsetK, opJsetX,
		opRetK, opRetA,
		// Rejected ones, so validation failures are exercised too.
		opModK, opModX, opLdBAbs, opLdWInd, 0x0e,
	}
	ks := []uint32{0, 1, 2, 3, 4, 7, 8, 12, 15, 16, 20, 31, 32, 33, 59, 60, 63, 64, 0x7fff0000, 0xfffff000, 0xffffffff}

	const iterations = 20000
	var valid, compared int
	for range iterations {
		prog := make([]bpf.RawInstruction, 1+rng.IntN(12))
		for i := range prog {
			k := ks[rng.IntN(len(ks))]
			if rng.IntN(4) == 0 {
				k = rng.Uint32()
			}
			prog[i] = bpf.RawInstruction{Op: ops[rng.IntN(len(ops))], Jt: uint8(rng.IntN(4)), Jf: uint8(rng.IntN(4)), K: k}
		}
		if rng.IntN(8) != 0 {
			prog[len(prog)-1].Op = opRetA
		}
		d := Data{Nr: rng.Uint32(), Arch: Arch(rng.Uint32()), InstructionPointer: rng.Uint64()}
		for i := range d.Args {
			d.Args[i] = rng.Uint64()
		}

		verr := validateProgram(prog)
		got, executed, err := runProgram(prog, d)
		if verr != nil {
			require.EqualError(t, err, verr.Error())
			continue
		}
		valid++
		require.NoError(t, err, "validated program failed: %v", prog)
		require.True(t, executed >= 1 && executed <= len(prog), "executed %d of %d", executed, len(prog))

		if want, ok := cbpfVMRun(t, prog, d); ok {
			compared++
			require.Equal(t, want, got, "x/net/bpf VM disagrees on %v", prog)
		}
	}
	// Make sure the generator keeps producing enough loadable programs.
	assert.Greater(t, valid, iterations/10)
	assert.Greater(t, compared, iterations/20)
}

// cbpfVMRun runs prog on golang.org/x/net/bpf's VM. ok is false where the
// VM knowingly differs from the kernel: it has no neg and no "ldx len", and
// it shifts by X >= 32 with Go semantics (to 0) where the kernel masks.
func cbpfVMRun(t *testing.T, prog []bpf.RawInstruction, d Data) (ret uint32, ok bool) {
	t.Helper()
	for _, ins := range prog {
		switch ins.Op {
		case opNeg, opLdxWLen, opLshX, opRshX:
			return 0, false
		}
	}
	insns, allDecoded := bpf.Disassemble(prog)
	if !allDecoded {
		return 0, false
	}
	vm, err := bpf.NewVM(insns)
	require.NoError(t, err)
	// The VM loads big-endian words from a packet; byte-swap every word
	// so it sees the little-endian values the kernel does.
	var b [dataLen]byte
	for off := uint32(0); off < dataLen; off += 4 {
		binary.LittleEndian.PutUint32(b[off:], d.word(off, false))
	}
	for i := 0; i < len(b); i += 4 {
		b[i], b[i+1], b[i+2], b[i+3] = b[i+3], b[i+2], b[i+1], b[i]
	}
	r, err := vm.Run(b[:])
	require.NoError(t, err)
	return uint32(r), true
}

// TestEvalByteOrder checks that Eval lays out seccomp_data's 64-bit fields
// in the byte order of the program's arch, as the kernel's struct is in
// memory: a 32-bit load at the field's offset reads the low half on a
// little-endian arch and the high half on a big-endian one. The arch's
// AUDIT_ARCH value tells which (__AUDIT_ARCH_LE).
func TestEvalByteOrder(t *testing.T) {
	const s390x = Arch(0x80000016) // AUDIT_ARCH_S390X: 64-bit, big-endian
	d := Data{InstructionPointer: 0xAAAAAAAA_BBBBBBBB, Args: [6]uint64{0x11111111_22222222, 5: 0x33333333_44444444}}
	tests := []struct {
		name string
		arch Arch
		off  uint32
		want uint32
	}{
		{"x86_64 ip, first word", ArchX86_64, offIP, 0xBBBBBBBB},
		{"x86_64 ip, second word", ArchX86_64, offIP + 4, 0xAAAAAAAA},
		{"x86_64 arg0, first word", ArchX86_64, offArgs, 0x22222222},
		{"x86_64 arg5, second word", ArchX86_64, offArgs + 44, 0x33333333},
		{"s390x ip, first word", s390x, offIP, 0xAAAAAAAA},
		{"s390x ip, second word", s390x, offIP + 4, 0xBBBBBBBB},
		{"s390x arg0, first word", s390x, offArgs, 0x11111111},
		{"s390x arg0, second word", s390x, offArgs + 4, 0x22222222},
		{"s390x arg5, second word", s390x, offArgs + 44, 0x44444444},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prog := Program{Arch: tt.arch, Instructions: []bpf.RawInstruction{{Op: opLdWAbs, K: tt.off}, {Op: opRetA}}}
			v, err := prog.Eval(d)
			require.NoError(t, err)
			assert.Equal(t, tt.want, v.Ret)
		})
	}
}
