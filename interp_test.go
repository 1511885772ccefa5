package seccomp

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/bpf"
)

// This file holds a reference interpreter for seccomp's dialect of classic
// BPF, so that tests can check what a generated filter returns without
// loading it into a kernel. It follows Linux's net/core/filter.c
// (bpf_check_classic, check_load_and_stores, bpf_convert_filter) and
// kernel/seccomp.c (seccomp_check_filter, populate_seccomp_data).

// Whole classic BPF opcodes (include/uapi/linux/filter.h, bpf_common.h).
// They are spelled out whole because the kernel's checks switch on whole
// opcodes: BPF_LD|BPF_H|BPF_IMM, say, is not an alias of BPF_LD|BPF_IMM.
const (
	cbpfLdImm   = 0x00 // BPF_LD|BPF_W|BPF_IMM
	cbpfLdWAbs  = 0x20 // BPF_LD|BPF_W|BPF_ABS
	cbpfLdHAbs  = 0x28 // BPF_LD|BPF_H|BPF_ABS
	cbpfLdBAbs  = 0x30 // BPF_LD|BPF_B|BPF_ABS
	cbpfLdWInd  = 0x40 // BPF_LD|BPF_W|BPF_IND
	cbpfLdHInd  = 0x48 // BPF_LD|BPF_H|BPF_IND
	cbpfLdBInd  = 0x50 // BPF_LD|BPF_B|BPF_IND
	cbpfLdMem   = 0x60 // BPF_LD|BPF_W|BPF_MEM
	cbpfLdWLen  = 0x80 // BPF_LD|BPF_W|BPF_LEN
	cbpfLdxImm  = 0x01 // BPF_LDX|BPF_W|BPF_IMM
	cbpfLdxMem  = 0x61 // BPF_LDX|BPF_W|BPF_MEM
	cbpfLdxWLen = 0x81 // BPF_LDX|BPF_W|BPF_LEN
	cbpfLdxBMsh = 0xb1 // BPF_LDX|BPF_B|BPF_MSH
	cbpfSt      = 0x02 // BPF_ST
	cbpfStx     = 0x03 // BPF_STX

	cbpfAddK = 0x04 // BPF_ALU|BPF_ADD|BPF_K
	cbpfAddX = 0x0c
	cbpfSubK = 0x14
	cbpfSubX = 0x1c
	cbpfMulK = 0x24
	cbpfMulX = 0x2c
	cbpfDivK = 0x34
	cbpfDivX = 0x3c
	cbpfOrK  = 0x44
	cbpfOrX  = 0x4c
	cbpfAndK = 0x54
	cbpfAndX = 0x5c
	cbpfLshK = 0x64
	cbpfLshX = 0x6c
	cbpfRshK = 0x74
	cbpfRshX = 0x7c
	cbpfNeg  = 0x84 // BPF_ALU|BPF_NEG
	cbpfModK = 0x94
	cbpfModX = 0x9c
	cbpfXorK = 0xa4
	cbpfXorX = 0xac

	cbpfJa    = 0x05 // BPF_JMP|BPF_JA
	cbpfJeqK  = 0x15 // BPF_JMP|BPF_JEQ|BPF_K
	cbpfJeqX  = 0x1d
	cbpfJgtK  = 0x25
	cbpfJgtX  = 0x2d
	cbpfJgeK  = 0x35
	cbpfJgeX  = 0x3d
	cbpfJsetK = 0x45
	cbpfJsetX = 0x4d

	cbpfRetK = 0x06 // BPF_RET|BPF_K
	cbpfRetA = 0x16 // BPF_RET|BPF_A
	cbpfTax  = 0x07 // BPF_MISC|BPF_TAX
	cbpfTxa  = 0x87 // BPF_MISC|BPF_TXA

	cbpfSrcX = 0x08 // BPF_X: the operand is X rather than k

	cbpfMaxInsns = 4096 // BPF_MAXINSNS
	cbpfMemWords = 16   // BPF_MEMWORDS
	cbpfDataLen  = 64   // sizeof(struct seccomp_data)
)

// seccompData is the kernel's struct seccomp_data (64 bytes, little-endian on our arches):
// nr at offset 0, arch at 4, instruction_pointer at 8, args[i] at 16+8i (low 32 bits at 16+8i, high at 20+8i).
type seccompData struct {
	Nr   uint32
	Arch uint32
	IP   uint64
	Args [6]uint64
}

// bytes lays d out as the filter sees it.
func (d seccompData) bytes() [cbpfDataLen]byte {
	var b [cbpfDataLen]byte
	binary.LittleEndian.PutUint32(b[0:], d.Nr)
	binary.LittleEndian.PutUint32(b[4:], d.Arch)
	binary.LittleEndian.PutUint64(b[8:], d.IP)
	for i, arg := range d.Args {
		binary.LittleEndian.PutUint64(b[16+8*i:], arg)
	}
	return b
}

// validateProgram applies the kernel's load-time checks (net/core/filter.c bpf_check_classic +
// kernel/seccomp.c seccomp_check_filter): length 1..4096 (BPF_MAXINSNS); every opcode one seccomp accepts;
// BPF_LD|BPF_W|BPF_ABS only with k a multiple of 4 and k < 64 (sizeof seccomp_data); jump targets inside the
// program (conditional: both jt and jf; ja: k); division by constant zero rejected; shift by constant >= 32 rejected;
// scratch memory index k < 16 (BPF_MEMWORDS); scratch memory written (on every path) before it is read
// (the kernel's check_load_and_stores); last instruction a return. Returns an error naming the instruction index and the reason.
//
// The checks run in the kernel's order (bpf_check_classic, then
// seccomp_check_filter), so a program with several faults reports the one
// the kernel would trip over first. prog is not modified.
func validateProgram(prog []bpf.RawInstruction) error {
	n := len(prog)
	if n == 0 || n > cbpfMaxInsns {
		return fmt.Errorf("seccomp filter: %d instructions, want 1 to %d", n, cbpfMaxInsns)
	}
	for pc, ins := range prog {
		if !cbpfClassicOpcode(ins.Op) {
			return cbpfErrorf(pc, "opcode %#02x is not a classic BPF instruction", ins.Op)
		}
		switch ins.Op {
		case cbpfDivK, cbpfModK:
			if ins.K == 0 {
				return cbpfErrorf(pc, "division by constant zero")
			}
		case cbpfLshK, cbpfRshK:
			if ins.K >= 32 {
				return cbpfErrorf(pc, "shift by constant %d, want less than 32", ins.K)
			}
		case cbpfLdMem, cbpfLdxMem, cbpfSt, cbpfStx:
			if ins.K >= cbpfMemWords {
				return cbpfErrorf(pc, "scratch memory index %d, want less than %d", ins.K, cbpfMemWords)
			}
		case cbpfJa:
			// Unsigned, as in the kernel: pc+1+k must stay below n.
			if ins.K >= uint32(n-pc-1) {
				return cbpfErrorf(pc, "jump target %d is past the end (%d instructions)", uint64(pc)+1+uint64(ins.K), n)
			}
		case cbpfJeqK, cbpfJeqX, cbpfJgtK, cbpfJgtX, cbpfJgeK, cbpfJgeX, cbpfJsetK, cbpfJsetX:
			for _, off := range []uint8{ins.Jt, ins.Jf} {
				if pc+int(off)+1 >= n {
					return cbpfErrorf(pc, "jump target %d is past the end (%d instructions)", pc+int(off)+1, n)
				}
			}
		}
		// bpf_check_classic also rejects unknown ancillary loads
		// (k >= SKF_AD_OFF); seccomp_check_filter below rejects every
		// absolute load at or beyond 64 anyway, so that check is folded in.
	}
	if op := prog[n-1].Op; op != cbpfRetK && op != cbpfRetA {
		return cbpfErrorf(n-1, "last instruction (opcode %#02x) is not a return", op)
	}
	if err := cbpfCheckLoadAndStores(prog); err != nil {
		return err
	}
	for pc, ins := range prog {
		switch {
		case ins.Op == cbpfLdWAbs:
			if ins.K >= cbpfDataLen {
				return cbpfErrorf(pc, "load offset %#x is beyond seccomp_data (%d bytes)", ins.K, cbpfDataLen)
			}
			if ins.K%4 != 0 {
				return cbpfErrorf(pc, "load offset %d is not a multiple of 4", ins.K)
			}
		case !cbpfSeccompOpcode(ins.Op):
			return cbpfErrorf(pc, "opcode %#02x is not allowed in seccomp filters", ins.Op)
		}
	}
	return nil
}

// cbpfCheckLoadAndStores is the kernel's check_load_and_stores: a forward
// pass where masks[pc] holds the scratch cells written on every jump into
// pc. It relies on the earlier checks for k < 16 and in-range targets.
//
// Like the kernel, it does not reset the state after a return, so code
// reachable only by jumps is also judged by the unreachable fall-through.
func cbpfCheckLoadAndStores(prog []bpf.RawInstruction) error {
	masks := make([]uint16, len(prog))
	for i := range masks {
		masks[i] = 0xffff
	}
	var memvalid uint16
	for pc, ins := range prog {
		memvalid &= masks[pc]
		switch ins.Op {
		case cbpfSt, cbpfStx:
			memvalid |= 1 << ins.K
		case cbpfLdMem, cbpfLdxMem:
			if memvalid&(1<<ins.K) == 0 {
				return cbpfErrorf(pc, "reads scratch memory M[%d] before it is written on every path", ins.K)
			}
		case cbpfJa:
			masks[pc+1+int(ins.K)] &= memvalid
			memvalid = 0xffff
		case cbpfJeqK, cbpfJeqX, cbpfJgtK, cbpfJgtX, cbpfJgeK, cbpfJgeX, cbpfJsetK, cbpfJsetX:
			masks[pc+1+int(ins.Jt)] &= memvalid
			masks[pc+1+int(ins.Jf)] &= memvalid
			memvalid = 0xffff
		}
	}
	return nil
}

// cbpfClassicOpcode reports whether op is in net/core/filter.c's
// chk_code_allowed table.
func cbpfClassicOpcode(op uint16) bool {
	switch op {
	case cbpfLdWAbs, cbpfLdHAbs, cbpfLdBAbs, cbpfLdWInd, cbpfLdHInd, cbpfLdBInd, cbpfLdxBMsh,
		cbpfModK, cbpfModX:
		return true
	}
	return cbpfSeccompOpcode(op)
}

// cbpfSeccompOpcode reports whether op is on seccomp_check_filter's list.
// BPF_MOD is missing from it on purpose (upstream declined adding it), and
// so are the packet loads (BPF_IND, BPF_MSH, BPF_B, BPF_H).
func cbpfSeccompOpcode(op uint16) bool {
	switch op {
	case cbpfLdWAbs, cbpfLdWLen, cbpfLdxWLen,
		cbpfRetK, cbpfRetA,
		cbpfAddK, cbpfAddX, cbpfSubK, cbpfSubX, cbpfMulK, cbpfMulX, cbpfDivK, cbpfDivX,
		cbpfAndK, cbpfAndX, cbpfOrK, cbpfOrX, cbpfXorK, cbpfXorX,
		cbpfLshK, cbpfLshX, cbpfRshK, cbpfRshX, cbpfNeg,
		cbpfLdImm, cbpfLdxImm, cbpfTax, cbpfTxa,
		cbpfLdMem, cbpfLdxMem, cbpfSt, cbpfStx,
		cbpfJa, cbpfJeqK, cbpfJeqX, cbpfJgeK, cbpfJgeX, cbpfJgtK, cbpfJgtX, cbpfJsetK, cbpfJsetX:
		return true
	}
	return false
}

func cbpfErrorf(pc int, format string, args ...any) error {
	return fmt.Errorf("seccomp filter: instruction %d: %s", pc, fmt.Sprintf(format, args...))
}

// runProgram executes prog on d exactly as the kernel would (after validation) and returns the 32-bit return value
// and the number of instructions executed (counting the ret). It returns an error (never panics) on anything the
// kernel would not allow at run time or that validation should have caught (falling off the end, jump out of range, etc.).
func runProgram(prog []bpf.RawInstruction, d seccompData) (ret uint32, executed int, err error) {
	// The kernel never runs a filter it refused to load.
	if err := validateProgram(prog); err != nil {
		return 0, 0, err
	}
	return cbpfExec(prog, d)
}

// cbpfExec runs prog without validating it first, checking at each step
// what validation would otherwise guarantee, so that it cannot panic.
func cbpfExec(prog []bpf.RawInstruction, d seccompData) (ret uint32, executed int, err error) {
	data := d.bytes()
	var (
		a, x    uint32 // bpf_convert_filter's prologue zeroes both
		mem     [cbpfMemWords]uint32
		written uint16 // cells of mem stored to so far
	)
	for pc := 0; ; {
		if pc >= len(prog) {
			return 0, executed, fmt.Errorf("seccomp filter: ran off the end of the %d-instruction program", len(prog))
		}
		ins := prog[pc]
		executed++
		next := pc + 1

		switch ins.Op {
		case cbpfRetK:
			return ins.K, executed, nil
		case cbpfRetA:
			return a, executed, nil

		case cbpfLdImm:
			a = ins.K
		case cbpfLdxImm:
			x = ins.K
		case cbpfLdWLen:
			// seccomp_check_filter rewrites this to "ld #64".
			a = cbpfDataLen
		case cbpfLdxWLen:
			x = cbpfDataLen
		case cbpfLdWAbs:
			if ins.K >= cbpfDataLen || ins.K%4 != 0 {
				return 0, executed, cbpfErrorf(pc, "load offset %#x is not an aligned word of seccomp_data", ins.K)
			}
			a = binary.LittleEndian.Uint32(data[ins.K:])

		case cbpfLdMem, cbpfLdxMem:
			// The kernel does not clear M[], so an unwritten cell would
			// leak stack contents; check_load_and_stores rules that out.
			if ins.K >= cbpfMemWords || written&(1<<ins.K) == 0 {
				return 0, executed, cbpfErrorf(pc, "reads scratch memory M[%d], which was not written", ins.K)
			}
			if ins.Op == cbpfLdMem {
				a = mem[ins.K]
			} else {
				x = mem[ins.K]
			}
		case cbpfSt, cbpfStx:
			if ins.K >= cbpfMemWords {
				return 0, executed, cbpfErrorf(pc, "scratch memory index %d out of range", ins.K)
			}
			v := a
			if ins.Op == cbpfStx {
				v = x
			}
			mem[ins.K] = v
			written |= 1 << ins.K

		case cbpfTax:
			x = a
		case cbpfTxa:
			a = x
		case cbpfNeg:
			a = -a

		case cbpfAddK, cbpfAddX, cbpfSubK, cbpfSubX, cbpfMulK, cbpfMulX, cbpfDivK, cbpfDivX,
			cbpfAndK, cbpfAndX, cbpfOrK, cbpfOrX, cbpfXorK, cbpfXorX,
			cbpfLshK, cbpfLshX, cbpfRshK, cbpfRshX:
			src := ins.K
			if ins.Op&cbpfSrcX != 0 {
				src = x
			}
			switch ins.Op &^ cbpfSrcX {
			case cbpfAddK:
				a += src
			case cbpfSubK:
				a -= src
			case cbpfMulK:
				a *= src
			case cbpfDivK:
				if src == 0 {
					if ins.Op == cbpfDivX {
						// bpf_convert_filter guards "div x" with
						// "if X == 0 { A = 0; exit }": the filter returns 0.
						return 0, executed, nil
					}
					return 0, executed, cbpfErrorf(pc, "division by constant zero")
				}
				a /= src
			case cbpfAndK:
				a &= src
			case cbpfOrK:
				a |= src
			case cbpfXorK:
				a ^= src
			case cbpfLshK, cbpfRshK:
				if ins.Op&cbpfSrcX == 0 && src >= 32 {
					return 0, executed, cbpfErrorf(pc, "shift by constant %d", src)
				}
				// A shift by X >= 32 is not checked anywhere; the eBPF
				// interpreter masks the count ("SRC & 31"), as x86 and arm64
				// JITs do in hardware for 32-bit shifts.
				if ins.Op&^cbpfSrcX == cbpfLshK {
					a <<= src & 31
				} else {
					a >>= src & 31
				}
			}

		case cbpfJa:
			if uint64(ins.K) >= uint64(len(prog)-pc-1) {
				return 0, executed, cbpfErrorf(pc, "jump target %d is outside the program", uint64(pc)+1+uint64(ins.K))
			}
			next = pc + 1 + int(ins.K)
		case cbpfJeqK, cbpfJeqX, cbpfJgtK, cbpfJgtX, cbpfJgeK, cbpfJgeX, cbpfJsetK, cbpfJsetX:
			src := ins.K
			if ins.Op&cbpfSrcX != 0 {
				src = x
			}
			var cond bool
			switch ins.Op &^ cbpfSrcX {
			case cbpfJeqK:
				cond = a == src
			case cbpfJgtK:
				cond = a > src
			case cbpfJgeK:
				cond = a >= src
			case cbpfJsetK:
				cond = a&src != 0
			}
			off := ins.Jf
			if cond {
				off = ins.Jt
			}
			next = pc + 1 + int(off)
			if next >= len(prog) {
				return 0, executed, cbpfErrorf(pc, "jump target %d is outside the program", next)
			}

		default:
			return 0, executed, cbpfErrorf(pc, "opcode %#02x is not allowed in seccomp filters", ins.Op)
		}
		pc = next
	}
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
var cbpfTestData = seccompData{
	Nr:   59,
	Arch: 0xc000003e, // AUDIT_ARCH_X86_64
	IP:   0x00007fff_deadbeef,
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
	ldAbs := func(off uint32) bpf.Instruction { return bpf.LoadAbsolute{Off: off, Size: 4} }
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
		data     seccompData
		want     uint32
		executed int
	}{
		// Returns.
		{"ret k", []bpf.Instruction{ret(0x7fff0000)}, cbpfTestData, 0x7fff0000, 1},
		{"ret a initial zero", []bpf.Instruction{retA}, cbpfTestData, 0, 1},
		{"ret a", []bpf.Instruction{ldA(42), retA}, cbpfTestData, 42, 2},

		// Loads from seccomp_data, little-endian.
		{"ld abs nr", []bpf.Instruction{ldAbs(0), retA}, cbpfTestData, 59, 2},
		{"ld abs arch", []bpf.Instruction{ldAbs(4), retA}, cbpfTestData, 0xc000003e, 2},
		{"ld abs ip low", []bpf.Instruction{ldAbs(8), retA}, cbpfTestData, 0xdeadbeef, 2},
		{"ld abs ip high", []bpf.Instruction{ldAbs(12), retA}, cbpfTestData, 0x00007fff, 2},
		{"ld abs args[0] low", []bpf.Instruction{ldAbs(16), retA}, cbpfTestData, 0x20000002, 2},
		{"ld abs args[0] high", []bpf.Instruction{ldAbs(20), retA}, cbpfTestData, 0x10000001, 2},
		{"ld abs args[5] high is the last word", []bpf.Instruction{ldAbs(60), retA}, cbpfTestData, 0xb000000b, 2},
		{"ld abs negative nr", []bpf.Instruction{ldAbs(0), retA}, seccompData{Nr: 0xffffffff}, 0xffffffff, 2},
		{"ld len is sizeof seccomp_data", []bpf.Instruction{bpf.LoadExtension{Num: bpf.ExtLen}, retA}, cbpfTestData, 64, 2},
		{"ldx len is sizeof seccomp_data", []bpf.Instruction{bpf.RawInstruction{Op: cbpfLdxWLen}, bpf.TXA{}, retA}, cbpfTestData, 64, 3},

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
		{"jeq k taken", branch(jmpK(bpf.JumpEqual, 59, 0, 1), ldAbs(0)), cbpfTestData, 1, 3},
		{"jeq k not taken", branch(jmpK(bpf.JumpEqual, 60, 0, 1), ldAbs(0)), cbpfTestData, 2, 3},
		{"jeq k with both offsets", []bpf.Instruction{ldAbs(0), jmpK(bpf.JumpEqual, 59, 2, 1), ret(1), ret(2), ret(3)}, cbpfTestData, 3, 3},
		{"jne k (jeq with swapped offsets)", branch(jmpK(bpf.JumpNotEqual, 60, 0, 1), ldAbs(0)), cbpfTestData, 1, 3},
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
		{"filter errno on other syscall", cbpfAllowOne(), seccompData{Nr: 1, Arch: 0xc000003e}, 0x00050001, 5},
		{"filter kills other arch", cbpfAllowOne(), seccompData{Nr: 59, Arch: 0x40000003}, 0x80000000, 3},
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
				bpf.RawInstruction{Op: cbpfJeqK, Jt: tc.jt, Jf: tc.jf, K: 59},
			}
			for range 255 {
				insns = append(insns, bpf.RetConstant{Val: 1})
			}
			insns = append(insns, bpf.RetConstant{Val: 2}) // index 257 = 1+1+255
			prog := cbpfAssemble(t, insns...)
			require.NoError(t, validateProgram(prog))
			got, executed, err := runProgram(prog, seccompData{Nr: tc.nr})
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
		for range cbpfMaxInsns - 2 {
			insns = append(insns, bpf.ALUOpConstant{Op: bpf.ALUOpAdd, Val: 1})
		}
		insns = append(insns, bpf.RetA{})
		prog := cbpfAssemble(t, insns...)
		require.Len(t, prog, cbpfMaxInsns)
		require.NoError(t, validateProgram(prog))
		got, executed, err := runProgram(prog, cbpfTestData)
		require.NoError(t, err)
		assert.Equal(t, uint32(cbpfMaxInsns-2), got)
		assert.Equal(t, cbpfMaxInsns, executed)
	})

	longJump := func(skip uint32) []bpf.RawInstruction {
		insns := []bpf.Instruction{bpf.Jump{Skip: skip}}
		for range cbpfMaxInsns - 2 {
			insns = append(insns, bpf.RetConstant{Val: 1})
		}
		return cbpfAssemble(t, append(insns, bpf.RetConstant{Val: 2})...)
	}
	t.Run("ja to the last instruction", func(t *testing.T) {
		prog := longJump(cbpfMaxInsns - 2)
		require.NoError(t, validateProgram(prog))
		got, executed, err := runProgram(prog, cbpfTestData)
		require.NoError(t, err)
		assert.Equal(t, uint32(2), got)
		assert.Equal(t, 2, executed)
	})
	t.Run("ja one past the last instruction", func(t *testing.T) {
		err := validateProgram(longJump(cbpfMaxInsns - 1))
		require.EqualError(t, err, "seccomp filter: instruction 0: jump target 4096 is past the end (4096 instructions)")
	})
}

func TestValidateRejects(t *testing.T) {
	raw := func(op uint16, k uint32) bpf.Instruction { return bpf.RawInstruction{Op: op, K: k} }
	ldA := bpf.LoadConstant{Dst: bpf.RegA, Val: 1}
	ldX := bpf.LoadConstant{Dst: bpf.RegX, Val: 1}
	ret := bpf.RetConstant{Val: 0}
	retA := bpf.RetA{}
	tooLong := make([]bpf.Instruction, cbpfMaxInsns+1)
	for i := range tooLong {
		tooLong[i] = ret
	}

	tests := []struct {
		name    string
		prog    []bpf.Instruction
		wantErr string
	}{
		{"empty", nil, "seccomp filter: 0 instructions, want 1 to 4096"},
		{"too long", tooLong, "seccomp filter: 4097 instructions, want 1 to 4096"},

		// Opcodes.
		{"byte load", []bpf.Instruction{raw(cbpfLdBAbs, 0), retA}, "instruction 0: opcode 0x30 is not allowed in seccomp filters"},
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
		{"ja with huge k", []bpf.Instruction{raw(cbpfJa, 0xffffffff), ret}, "instruction 0: jump target 4294967296 is past the end (2 instructions)"},
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
		{"st index 16", []bpf.Instruction{raw(cbpfSt, 16), ret}, "instruction 0: scratch memory index 16, want less than 16"},
		{"ld mem index 16", []bpf.Instruction{raw(cbpfLdMem, 16), retA}, "instruction 0: scratch memory index 16, want less than 16"},
		{"ldx mem index huge", []bpf.Instruction{raw(cbpfLdxMem, 0xffffffff), retA}, "instruction 0: scratch memory index 4294967295, want less than 16"},

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
		{"len loads", []bpf.Instruction{bpf.LoadExtension{Num: bpf.ExtLen}, bpf.RawInstruction{Op: cbpfLdxWLen}, bpf.ALUOpX{Op: bpf.ALUOpAdd}, retA}, 128},
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
// rewrites of ld len and ld abs.
func TestValidateDoesNotModify(t *testing.T) {
	prog := cbpfAssemble(t,
		bpf.LoadExtension{Num: bpf.ExtLen},
		bpf.RawInstruction{Op: cbpfLdxWLen},
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
	ret := raw(cbpfRetK, 0, 0, 0)
	tests := []struct {
		name     string
		prog     []bpf.RawInstruction
		wantErr  string
		executed int
	}{
		{"empty", nil, "ran off the end of the 0-instruction program", 0},
		{"falls off the end", []bpf.RawInstruction{raw(cbpfLdImm, 0, 0, 1)}, "ran off the end of the 1-instruction program", 1},
		{"ja past end", []bpf.RawInstruction{raw(cbpfJa, 0, 0, 1), ret}, "instruction 0: jump target 2 is outside the program", 1},
		{"ja with huge k", []bpf.RawInstruction{raw(cbpfJa, 0, 0, 0xffffffff), ret}, "instruction 0: jump target 4294967296 is outside the program", 1},
		{"jeq past end", []bpf.RawInstruction{raw(cbpfJeqK, 3, 0, 0), ret}, "instruction 0: jump target 4 is outside the program", 1},
		{"jset x past end", []bpf.RawInstruction{raw(cbpfJsetX, 0, 200, 0), ret}, "instruction 0: jump target 201 is outside the program", 1},
		{"mod", []bpf.RawInstruction{raw(cbpfModK, 0, 0, 3), ret}, "instruction 0: opcode 0x94 is not allowed in seccomp filters", 1},
		{"byte load", []bpf.RawInstruction{raw(cbpfLdBAbs, 0, 0, 0), ret}, "instruction 0: opcode 0x30 is not allowed in seccomp filters", 1},
		{"unknown opcode", []bpf.RawInstruction{raw(0xffff, 0, 0, 0)}, "instruction 0: opcode 0xffff is not allowed in seccomp filters", 1},
		{"load at 64", []bpf.RawInstruction{raw(cbpfLdWAbs, 0, 0, 64), ret}, "instruction 0: load offset 0x40 is not an aligned word of seccomp_data", 1},
		{"misaligned load", []bpf.RawInstruction{raw(cbpfLdWAbs, 0, 0, 62), ret}, "instruction 0: load offset 0x3e is not an aligned word of seccomp_data", 1},
		{"ancillary load", []bpf.RawInstruction{raw(cbpfLdWAbs, 0, 0, 0xfffff000), ret}, "instruction 0: load offset 0xfffff000 is not an aligned word of seccomp_data", 1},
		{"unwritten scratch", []bpf.RawInstruction{raw(cbpfLdxMem, 0, 0, 4), ret}, "instruction 0: reads scratch memory M[4], which was not written", 1},
		{"scratch index 16 load", []bpf.RawInstruction{raw(cbpfLdMem, 0, 0, 16), ret}, "instruction 0: reads scratch memory M[16], which was not written", 1},
		{"scratch index 16 store", []bpf.RawInstruction{raw(cbpfStx, 0, 0, 16), ret}, "instruction 0: scratch memory index 16 out of range", 1},
		{"div by constant 0", []bpf.RawInstruction{raw(cbpfDivK, 0, 0, 0), ret}, "instruction 0: division by constant zero", 1},
		{"lsh by constant 32", []bpf.RawInstruction{raw(cbpfLshK, 0, 0, 32), ret}, "instruction 0: shift by constant 32", 1},
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
		cbpfLdImm, cbpfLdxImm, cbpfLdWAbs, cbpfLdWAbs, cbpfLdWAbs, cbpfLdWLen, cbpfLdxWLen,
		cbpfLdMem, cbpfLdxMem, cbpfSt, cbpfSt, cbpfStx, cbpfStx, cbpfTax, cbpfTxa,
		cbpfAddK, cbpfAddX, cbpfSubK, cbpfSubX, cbpfMulK, cbpfMulX, cbpfDivK, cbpfDivX,
		cbpfAndK, cbpfAndX, cbpfOrK, cbpfOrX, cbpfXorK, cbpfXorX,
		cbpfLshK, cbpfLshX, cbpfRshK, cbpfRshX, cbpfNeg,
		cbpfJa, cbpfJeqK, cbpfJeqX, cbpfJgtK, cbpfJgtX, cbpfJgeK, cbpfJgeX, cbpfJsetK, cbpfJsetX,
		cbpfRetK, cbpfRetA,
		// Rejected ones, so validation failures are exercised too.
		cbpfModK, cbpfModX, cbpfLdBAbs, cbpfLdWInd, 0x0e,
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
			prog[len(prog)-1].Op = cbpfRetA
		}
		d := seccompData{Nr: rng.Uint32(), Arch: rng.Uint32(), IP: rng.Uint64()}
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
func cbpfVMRun(t *testing.T, prog []bpf.RawInstruction, d seccompData) (ret uint32, ok bool) {
	t.Helper()
	for _, ins := range prog {
		switch ins.Op {
		case cbpfNeg, cbpfLdxWLen, cbpfLshX, cbpfRshX:
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
	b := d.bytes()
	for i := 0; i < len(b); i += 4 {
		b[i], b[i+1], b[i+2], b[i+3] = b[i+3], b[i+2], b[i+1], b[i]
	}
	r, err := vm.Run(b[:])
	require.NoError(t, err)
	return uint32(r), true
}
