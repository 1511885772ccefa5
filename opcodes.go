package seccomp

// Classic BPF opcodes, whole, as in include/uapi/linux/filter.h and
// bpf_common.h. They are spelled out whole because the kernel's checks
// switch on whole opcodes: BPF_LD|BPF_H|BPF_IMM, say, is no alias of
// BPF_LD|BPF_IMM. Every file that reads or writes instructions uses these
// names; the x/net/bpf types are for assembling test programs.
const (
	opLdImm   = uint16(0x00) // BPF_LD|BPF_W|BPF_IMM: A = k
	opLdWAbs  = 0x20         // BPF_LD|BPF_W|BPF_ABS: A = data[k:k+4]
	opLdHAbs  = 0x28         // BPF_LD|BPF_H|BPF_ABS (not for seccomp)
	opLdBAbs  = 0x30         // BPF_LD|BPF_B|BPF_ABS (not for seccomp)
	opLdWInd  = 0x40         // BPF_LD|BPF_W|BPF_IND (not for seccomp)
	opLdHInd  = 0x48         // BPF_LD|BPF_H|BPF_IND (not for seccomp)
	opLdBInd  = 0x50         // BPF_LD|BPF_B|BPF_IND (not for seccomp)
	opLdMem   = 0x60         // BPF_LD|BPF_W|BPF_MEM: A = M[k]
	opLdWLen  = 0x80         // BPF_LD|BPF_W|BPF_LEN: A = 64 for seccomp
	opLdxImm  = 0x01         // BPF_LDX|BPF_W|BPF_IMM: X = k
	opLdxMem  = 0x61         // BPF_LDX|BPF_W|BPF_MEM: X = M[k]
	opLdxWLen = 0x81         // BPF_LDX|BPF_W|BPF_LEN: X = 64 for seccomp
	opLdxBMsh = 0xb1         // BPF_LDX|BPF_B|BPF_MSH (not for seccomp)
	opSt      = 0x02         // BPF_ST: M[k] = A
	opStx     = 0x03         // BPF_STX: M[k] = X

	opAddK = 0x04 // BPF_ALU|BPF_ADD|BPF_K: A += k
	opAddX = 0x0c // BPF_ALU|BPF_ADD|BPF_X: A += X
	opSubK = 0x14
	opSubX = 0x1c
	opMulK = 0x24
	opMulX = 0x2c
	opDivK = 0x34
	opDivX = 0x3c
	opOrK  = 0x44
	opOrX  = 0x4c
	opAndK = 0x54
	opAndX = 0x5c
	opLshK = 0x64
	opLshX = 0x6c
	opRshK = 0x74
	opRshX = 0x7c
	opNeg  = 0x84 // BPF_ALU|BPF_NEG: A = -A
	opModK = 0x94 // BPF_MOD: classic BPF, but not for seccomp
	opModX = 0x9c
	opXorK = 0xa4
	opXorX = 0xac

	opJa    = 0x05 // BPF_JMP|BPF_JA: pc += k
	opJeqK  = 0x15 // BPF_JMP|BPF_JEQ|BPF_K: pc += A == k ? jt : jf
	opJeqX  = 0x1d
	opJgtK  = 0x25 // unsigned A > k
	opJgtX  = 0x2d
	opJgeK  = 0x35 // unsigned A >= k
	opJgeX  = 0x3d
	opJsetK = 0x45 // A & k != 0
	opJsetX = 0x4d

	opRetK = 0x06 // BPF_RET|BPF_K: return k
	opRetA = 0x16 // BPF_RET|BPF_A: return A
	opTax  = 0x07 // BPF_MISC|BPF_TAX: X = A
	opTxa  = 0x87 // BPF_MISC|BPF_TXA: A = X

	opSrcX = 0x08 // BPF_X: the operand is X rather than k
)

// Limits of classic BPF and of seccomp.
const (
	maxInsns = 4096 // BPF_MAXINSNS
	memWords = 16   // BPF_MEMWORDS, the scratch cells M[0..15]
	dataLen  = 64   // sizeof(struct seccomp_data)
	maxJump  = 255  // a conditional jump's 8-bit offset
)

// Offsets into struct seccomp_data.
const (
	offNr   = 0
	offArch = 4
	offIP   = 8
	offArgs = 16
)

// Instruction classes: BPF_CLASS(op), the low three bits.
const (
	classLd   = 0x00
	classLdx  = 0x01
	classSt   = 0x02
	classStx  = 0x03
	classALU  = 0x04
	classJmp  = 0x05
	classRet  = 0x06
	classMisc = 0x07
)

// opClass is BPF_CLASS(op).
func opClass(op uint16) uint16 { return op & 0x07 }

// aluNames and jumpNames are the mnemonics of the ALU and jump operations,
// indexed by BPF_OP(op) >> 4.
var (
	aluNames  = [...]string{"add", "sub", "mul", "div", "or", "and", "lsh", "rsh", "neg", "mod", "xor"}
	jumpNames = [...]string{"ja", "jeq", "jgt", "jge", "jset"}
)

// opName returns the mnemonic of a seccomp opcode with its operand form
// ("add #k", "jeq x", "ld [k]", "ld len"), or "" for an opcode seccomp
// refuses.
func opName(op uint16) string {
	if !seccompOpcode(op) {
		return ""
	}
	src := " #k"
	if op&opSrcX != 0 {
		src = " x"
	}
	switch {
	case op == opNeg:
		return "neg"
	case op == opJa:
		return "ja"
	case opClass(op) == classALU:
		return aluNames[op>>4] + src
	case opClass(op) == classJmp:
		return jumpNames[op>>4] + src
	}
	switch op {
	case opLdImm:
		return "ld #k"
	case opLdxImm:
		return "ldx #k"
	case opLdWAbs:
		return "ld [k]"
	case opLdWLen:
		return "ld len"
	case opLdxWLen:
		return "ldx len"
	case opLdMem:
		return "ld M[k]"
	case opLdxMem:
		return "ldx M[k]"
	case opSt:
		return "st"
	case opStx:
		return "stx"
	case opTax:
		return "tax"
	case opTxa:
		return "txa"
	case opRetK:
		return "ret #k"
	}
	return "ret a" // opRetA, the last seccompOpcode
}

// isCondJump reports whether op is one of the conditional jumps.
func isCondJump(op uint16) bool {
	switch op {
	case opJeqK, opJeqX, opJgtK, opJgtX, opJgeK, opJgeX, opJsetK, opJsetX:
		return true
	}
	return false
}
