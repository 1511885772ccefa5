package seccomp

import (
	"fmt"

	"golang.org/x/net/bpf"
)

// This file is the project's one interpreter of seccomp's dialect of
// classic BPF. It follows Linux's net/core/filter.c (bpf_check_classic,
// check_load_and_stores, bpf_convert_filter) and kernel/seccomp.c
// (seccomp_check_filter, populate_seccomp_data). docs/DESIGN.md (section 7) says how
// the tests prove it against the kernel.

// Data is what a seccomp filter reads: the kernel's struct seccomp_data
// for one system call.
type Data struct {
	// Nr is the system call number; -1 (0xFFFFFFFF) for a call a tracer
	// skipped. On x86_64, x32 calls have bit 30 set.
	Nr uint32
	// Arch is the calling convention's AUDIT_ARCH_* value. x32 calls
	// carry ArchX86_64's value.
	Arch Arch
	// InstructionPointer is the address of the system call instruction.
	InstructionPointer uint64
	// Args are the six argument registers, whole.
	Args [6]uint64
}

// word returns the 32-bit word of d at offset off, a multiple of 4 below
// 64, as a filter on an arch of the given byte order loads it: the
// 64-bit fields have their low half first on a little-endian arch and
// their high half first on a big-endian one.
func (d *Data) word(off uint32, bigEndian bool) uint32 {
	var v uint64
	switch {
	case off == offNr:
		return d.Nr
	case off == offArch:
		return uint32(d.Arch)
	case off < offArgs:
		v = d.InstructionPointer
	default:
		v = d.Args[(off-offArgs)/8&7]
	}
	if (off%8 == 4) != bigEndian {
		return uint32(v >> 32)
	}
	return uint32(v)
}

// Verdict is the outcome of one run of a program.
type Verdict struct {
	// Ret is the value the program returned, a SECCOMP_RET_* action and
	// its data.
	Ret uint32
	// Executed counts the instructions run, the return included.
	Executed int
}

// Action returns the action the kernel takes for the verdict, as
// __seccomp_filter reads a return value: an action it does not know kills
// the process, and an errno above MaxErrno is MaxErrno.
func (v Verdict) Action() Action {
	return actionOfRet(v.Ret)
}

// actionOfRet reads a return value as the kernel does.
func actionOfRet(ret uint32) Action {
	data := ret & 0xFFFF
	for k := range numKinds {
		if ret&0xFFFF0000 != kinds[k].ret&0xFFFF0000 {
			continue
		}
		switch {
		case k == kindErrno:
			data = min(data, MaxErrno)
		case kinds[k].maxData == 0:
			data = 0
		}
		return Action(k)<<32 | Action(data)
	}
	return KillProcess
}

// String returns the verdict as "allow after 11 instructions".
func (v Verdict) String() string {
	return fmt.Sprintf("%s after %d instructions", v.Action(), v.Executed)
}

// Eval runs the program on one system call with the kernel's semantics and
// returns what it decides. The arguments and the instruction pointer are
// laid out in the byte order of the program's Arch (the host's for the zero
// Arch).
//
// Eval checks, as it goes, what the kernel's load-time checks would
// otherwise guarantee (a jump out of the program, a read of scratch memory
// never written, an opcode seccomp refuses), and reports such a fault as an
// error; it never panics. It does not run those checks on the parts of the
// program the input does not reach: Validate does. Eval does not allocate.
func (p Program) Eval(d Data) (Verdict, error) {
	return p.eval(&d, nil)
}

// EvalPath is Eval that also appends to path the index of each instruction
// executed, in order, and returns the extended slice.
func (p Program) EvalPath(d Data, path []int) (Verdict, []int, error) {
	v, err := p.eval(&d, &path)
	return v, path, err
}

func (p Program) eval(d *Data, path *[]int) (Verdict, error) {
	prog := p.Instructions
	bigEndian := p.Arch.bigEndian()
	var (
		a, x    uint32 // bpf_convert_filter's prologue zeroes both
		mem     [memWords]uint32
		written uint16 // cells of mem stored to so far
		v       Verdict
	)
	for pc := 0; ; {
		if pc >= len(prog) {
			return v, fmt.Errorf("seccomp: invalid program: ran off the end of the %d-instruction program", len(prog))
		}
		ins := prog[pc]
		v.Executed++
		if path != nil {
			*path = append(*path, pc)
		}
		next := pc + 1

		switch ins.Op {
		case opRetK:
			v.Ret = ins.K
			return v, nil
		case opRetA:
			v.Ret = a
			return v, nil

		case opLdImm:
			a = ins.K
		case opLdxImm:
			x = ins.K
		case opLdWLen:
			// seccomp_check_filter rewrites this to "ld #64".
			a = dataLen
		case opLdxWLen:
			x = dataLen
		case opLdWAbs:
			if ins.K >= dataLen || ins.K%4 != 0 {
				return v, invalidf(pc, "load offset %#x is not an aligned word of seccomp_data", ins.K)
			}
			a = d.word(ins.K, bigEndian)

		case opLdMem, opLdxMem:
			// The kernel does not clear M[], so an unwritten cell would
			// leak stack contents; check_load_and_stores rules that out.
			if ins.K >= memWords || written&(1<<ins.K) == 0 {
				return v, invalidf(pc, "reads scratch memory M[%d], which was not written", ins.K)
			}
			if ins.Op == opLdMem {
				a = mem[ins.K]
			} else {
				x = mem[ins.K]
			}
		case opSt, opStx:
			if ins.K >= memWords {
				return v, invalidf(pc, "scratch memory index %d out of range", ins.K)
			}
			val := a
			if ins.Op == opStx {
				val = x
			}
			mem[ins.K] = val
			written |= 1 << ins.K

		case opTax:
			x = a
		case opTxa:
			a = x
		case opNeg:
			a, _ = aluResult(opNeg, a, 0)

		case opAddK, opAddX, opSubK, opSubX, opMulK, opMulX, opDivK, opDivX,
			opAndK, opAndX, opOrK, opOrX, opXorK, opXorX,
			opLshK, opLshX, opRshK, opRshX:
			src := operand(ins, x)
			if (ins.Op == opLshK || ins.Op == opRshK) && src >= 32 {
				return v, invalidf(pc, "shift by constant %d", src)
			}
			r, ok := aluResult(ins.Op, a, src)
			if !ok {
				if ins.Op == opDivX {
					// bpf_convert_filter guards "div x" with
					// "if X == 0 { A = 0; exit }": the filter returns 0.
					v.Ret = 0
					return v, nil
				}
				return v, invalidf(pc, "division by constant zero")
			}
			a = r

		case opJa:
			if uint64(ins.K) >= uint64(len(prog)-pc-1) {
				return v, invalidf(pc, "jump target %d is outside the program", uint64(pc)+1+uint64(ins.K))
			}
			next = pc + 1 + int(ins.K)
		case opJeqK, opJeqX, opJgtK, opJgtX, opJgeK, opJgeX, opJsetK, opJsetX:
			off := ins.Jf
			if jumpTaken(ins.Op, a, operand(ins, x)) {
				off = ins.Jt
			}
			next = pc + 1 + int(off)
			if next >= len(prog) {
				return v, invalidf(pc, "jump target %d is outside the program", next)
			}

		default:
			return v, invalidf(pc, "opcode %#02x is not allowed in seccomp filters", ins.Op)
		}
		pc = next
	}
}

// EvalStack runs a thread's stack of filters on one system call as
// seccomp_run_filters in kernel/seccomp.c does, and returns the verdict the
// kernel acts on and the index of the filter that gave it. filters are in
// the order they were installed (PTRACE_SECCOMP_GET_FILTER's order); the
// kernel runs every one, newest first, and keeps the return whose action
// comes first in precedence: the lowest SECCOMP_RET_ACTION_FULL bits as a
// signed 32-bit number, the newest filter's on a tie. The verdict's
// Executed counts the instructions of all of them. An empty stack allows,
// with index -1.
func EvalStack(filters []Program, d Data) (v Verdict, decider int, err error) {
	const actionFull = 0xFFFF0000 // SECCOMP_RET_ACTION_FULL
	v, decider = Verdict{Ret: Allow.Ret()}, -1
	for i := len(filters) - 1; i >= 0; i-- {
		cur, err := filters[i].Eval(d)
		if err != nil {
			return Verdict{}, -1, fmt.Errorf("filter %d: %w", i, err)
		}
		v.Executed += cur.Executed
		// The kernel starts from SECCOMP_RET_ALLOW and replaces only on a
		// strictly lower action; every filter allowing, the newest decides.
		if int32(cur.Ret&actionFull) < int32(v.Ret&actionFull) {
			v.Ret, decider = cur.Ret, i
		} else if decider < 0 {
			decider = i
		}
	}
	return v, decider, nil
}

// The semantics of each instruction, stated once: Eval, Analyze and
// KernelCaches all compute with these.

// operand is the source operand of an ALU or jump instruction: X for the
// BPF_X forms, k for the BPF_K ones.
func operand(ins bpf.RawInstruction, x uint32) uint32 {
	if ins.Op&opSrcX != 0 {
		return x
	}
	return ins.K
}

// aluResult is A after the seccomp ALU instruction op (either source form)
// with source operand src, as the kernel computes it; ok is false for a
// division by zero, which the caller must handle (a load-time error for
// "div #0", the filter returning 0 for "div x"), and for an op that is no
// ALU instruction seccomp runs. Shift counts are masked to 5 bits: the
// kernel checks only constant counts (at load time), and the eBPF
// interpreter and the x86 and arm64 JITs mask a count held in X.
func aluResult(op uint16, a, src uint32) (r uint32, ok bool) {
	switch op &^ opSrcX {
	case opAddK:
		return a + src, true
	case opSubK:
		return a - src, true
	case opMulK:
		return a * src, true
	case opDivK:
		if src == 0 {
			return 0, false
		}
		return a / src, true
	case opAndK:
		return a & src, true
	case opOrK:
		return a | src, true
	case opXorK:
		return a ^ src, true
	case opLshK:
		return a << (src & 31), true
	case opRshK:
		return a >> (src & 31), true
	case opNeg:
		if op == opNeg {
			return -a, true
		}
	}
	return 0, false
}

// jumpTaken reports whether the conditional jump op (either source form)
// is taken with accumulator a and source operand src. All comparisons are
// unsigned.
func jumpTaken(op uint16, a, src uint32) bool {
	switch op &^ opSrcX {
	case opJeqK:
		return a == src
	case opJgtK:
		return a > src
	case opJgeK:
		return a >= src
	case opJsetK:
		return a&src != 0
	}
	return false
}

// Validate applies the kernel's load-time checks to the program, in the
// kernel's order (bpf_check_classic in net/core/filter.c, then
// seccomp_check_filter in kernel/seccomp.c), so that a program with several
// faults reports the one the kernel trips over first. The error names the
// instruction and the rule it breaks:
//
//   - length 1 to 4096 (BPF_MAXINSNS);
//   - every opcode a classic BPF one, and one seccomp accepts (no BPF_MOD,
//     no packet loads);
//   - "ld [k]" only with k a multiple of 4 below 64, the size of
//     seccomp_data;
//   - jump targets inside the program;
//   - no division by a constant zero, no shift by a constant of 32 or more;
//   - scratch memory indexes below 16, each cell written on every path
//     before it is read;
//   - a return as the last instruction.
//
// Validate does not allocate.
func (p Program) Validate() error {
	prog := p.Instructions
	n := len(prog)
	if n == 0 || n > maxInsns {
		return fmt.Errorf("seccomp: invalid program: %d instructions, want 1 to %d", n, maxInsns)
	}
	for pc, ins := range prog {
		if !classicOpcode(ins.Op) {
			return invalidf(pc, "opcode %#02x is not a classic BPF instruction", ins.Op)
		}
		switch ins.Op {
		case opDivK, opModK:
			if ins.K == 0 {
				return invalidf(pc, "division by constant zero")
			}
		case opLshK, opRshK:
			if ins.K >= 32 {
				return invalidf(pc, "shift by constant %d, want less than 32", ins.K)
			}
		case opLdMem, opLdxMem, opSt, opStx:
			if ins.K >= memWords {
				return invalidf(pc, "scratch memory index %d, want less than %d", ins.K, memWords)
			}
		case opJa:
			// Unsigned, as in the kernel: pc+1+k must stay below n.
			if ins.K >= uint32(n-pc-1) {
				return invalidf(pc, "jump target %d is past the end (%d instructions)", uint64(pc)+1+uint64(ins.K), n)
			}
		case opJeqK, opJeqX, opJgtK, opJgtX, opJgeK, opJgeX, opJsetK, opJsetX:
			if pc+int(ins.Jt)+1 >= n {
				return invalidf(pc, "jump target %d is past the end (%d instructions)", pc+int(ins.Jt)+1, n)
			}
			if pc+int(ins.Jf)+1 >= n {
				return invalidf(pc, "jump target %d is past the end (%d instructions)", pc+int(ins.Jf)+1, n)
			}
		}
		// bpf_check_classic also rejects unknown ancillary loads
		// (k >= SKF_AD_OFF); seccomp_check_filter below rejects every
		// absolute load at or beyond 64 anyway, so that check is folded in.
	}
	if op := prog[n-1].Op; op != opRetK && op != opRetA {
		return invalidf(n-1, "last instruction (opcode %#02x) is not a return", op)
	}
	if err := checkLoadAndStores(prog); err != nil {
		return err
	}
	for pc, ins := range prog {
		switch {
		case ins.Op == opLdWAbs:
			if ins.K >= dataLen {
				return invalidf(pc, "load offset %#x is beyond seccomp_data (%d bytes)", ins.K, dataLen)
			}
			if ins.K%4 != 0 {
				return invalidf(pc, "load offset %d is not a multiple of 4", ins.K)
			}
		case !seccompOpcode(ins.Op):
			return invalidf(pc, "opcode %#02x is not allowed in seccomp filters", ins.Op)
		}
	}
	return nil
}

// checkLoadAndStores is the kernel's check_load_and_stores: a forward pass
// where masks[pc] holds the scratch cells written on every jump into pc.
// It relies on the earlier checks for k < 16 and in-range targets.
//
// Like the kernel, it does not reset the state after a return, so code
// reachable only by jumps is also judged by the unreachable fall-through.
func checkLoadAndStores(prog []bpf.RawInstruction) error {
	var masks [maxInsns]uint16
	for i := range prog {
		masks[i] = 0xffff
	}
	var memvalid uint16
	for pc, ins := range prog {
		memvalid &= masks[pc]
		switch ins.Op {
		case opSt, opStx:
			memvalid |= 1 << ins.K
		case opLdMem, opLdxMem:
			if memvalid&(1<<ins.K) == 0 {
				return invalidf(pc, "reads scratch memory M[%d] before it is written on every path", ins.K)
			}
		case opJa:
			masks[pc+1+int(ins.K)] &= memvalid
			memvalid = 0xffff
		case opJeqK, opJeqX, opJgtK, opJgtX, opJgeK, opJgeX, opJsetK, opJsetX:
			masks[pc+1+int(ins.Jt)] &= memvalid
			masks[pc+1+int(ins.Jf)] &= memvalid
			memvalid = 0xffff
		}
	}
	return nil
}

// classicOpcode reports whether op is in net/core/filter.c's
// chk_code_allowed table.
func classicOpcode(op uint16) bool {
	switch op {
	case opLdWAbs, opLdHAbs, opLdBAbs, opLdWInd, opLdHInd, opLdBInd, opLdxBMsh,
		opModK, opModX:
		return true
	}
	return seccompOpcode(op)
}

// seccompOpcode reports whether op is on seccomp_check_filter's list.
// BPF_MOD is missing from it on purpose (upstream declined adding it), and
// so are the packet loads (BPF_IND, BPF_MSH, BPF_B, BPF_H).
func seccompOpcode(op uint16) bool {
	switch op {
	case opLdWAbs, opLdWLen, opLdxWLen,
		opRetK, opRetA,
		opAddK, opAddX, opSubK, opSubX, opMulK, opMulX, opDivK, opDivX,
		opAndK, opAndX, opOrK, opOrX, opXorK, opXorX,
		opLshK, opLshX, opRshK, opRshX, opNeg,
		opLdImm, opLdxImm, opTax, opTxa,
		opLdMem, opLdxMem, opSt, opStx,
		opJa, opJeqK, opJeqX, opJgeK, opJgeX, opJgtK, opJgtX, opJsetK, opJsetX:
		return true
	}
	return false
}

func invalidf(pc int, format string, args ...any) error {
	return fmt.Errorf("seccomp: invalid program: instruction %d: %s", pc, fmt.Sprintf(format, args...))
}
