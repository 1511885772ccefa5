package seccomp

import (
	"fmt"
	"slices"

	"golang.org/x/net/bpf"
)

// Analysis is what a program does with one system call number, over every
// possible argument value.
type Analysis struct {
	// Actions are the actions the program can return, sorted by return
	// value. One action means the outcome does not depend on the
	// arguments.
	Actions []Action
	// MinExecuted and MaxExecuted bound the instructions the filter runs,
	// the final return included.
	MinExecuted, MaxExecuted int
	// Cached reports whether the kernel (5.11 and later) proves at load
	// time that the program always allows this number, and so skips the
	// filter for it: see KernelCaches.
	Cached bool
}

// Analyze reports what the program does with system call nr made with the
// program's arch, whatever the arguments and instruction pointer. It
// follows every path the arguments could choose, computing as Eval does
// wherever the values are known. A program the kernel would refuse to
// load is an error from Validate.
func (p Program) Analyze(nr uint32) (Analysis, error) {
	return p.AnalyzeArch(p.Arch, nr)
}

// AnalyzeArch is Analyze for system call nr made with ABI arch, one of
// the program's Arch and Compat.
func (p Program) AnalyzeArch(arch Arch, nr uint32) (Analysis, error) {
	if err := p.Validate(); err != nil {
		return Analysis{}, err
	}
	an := analyzer{prog: p.Instructions, nr: nr, arch: arch.auditArch(), memo: make(map[walkState]pathSummary)}
	// bpf_convert_filter's prologue zeroes A and X.
	s, err := an.walk(walkState{a: regValue{true, 0}, x: regValue{true, 0}})
	if err != nil {
		return Analysis{}, err
	}
	res := Analysis{MinExecuted: s.min, MaxExecuted: s.max, Cached: p.KernelCachesArch(arch, nr)}
	for _, ret := range s.rets {
		a, err := ActionFromRet(ret)
		if err != nil {
			return Analysis{}, fmt.Errorf("seccomp: %w", err)
		}
		res.Actions = append(res.Actions, a)
	}
	return res, nil
}

// regValue is a register's value: known, or anything.
type regValue struct {
	known bool
	v     uint32
}

type walkState struct {
	pc   int
	a, x regValue
	mem  [memWords]regValue
}

type pathSummary struct {
	min, max int
	rets     []uint32
}

type analyzer struct {
	prog     []bpf.RawInstruction
	nr, arch uint32
	memo     map[walkState]pathSummary
}

// walk summarizes every path from state s. Jumps only go forward, so the
// recursion ends, and memoizing on the state keeps it linear in practice.
func (an *analyzer) walk(s walkState) (pathSummary, error) {
	if sum, ok := an.memo[s]; ok {
		return sum, nil
	}
	if s.pc < 0 || s.pc >= len(an.prog) {
		return pathSummary{}, fmt.Errorf("seccomp: path runs off the program at %d", s.pc)
	}
	start := s
	ri := an.prog[s.pc]
	s.pc++
	var sum pathSummary
	var err error
	step := func(next walkState) {
		var sub pathSummary
		sub, err = an.walk(next)
		sum = pathSummary{min: sub.min + 1, max: sub.max + 1, rets: sub.rets}
	}
	k := regValue{true, ri.K}
	src := k
	if ri.Op&opSrcX != 0 {
		src = s.x
	}
	switch ri.Op {
	case opRetK:
		sum = pathSummary{1, 1, []uint32{ri.K}}
	case opRetA:
		if !s.a.known {
			return pathSummary{}, fmt.Errorf("seccomp: ret a of an unknown value at %d", start.pc)
		}
		sum = pathSummary{1, 1, []uint32{s.a.v}}
	case opLdWAbs:
		s.a = regValue{}
		switch ri.K {
		case offNr:
			s.a = regValue{true, an.nr}
		case offArch:
			s.a = regValue{true, an.arch}
		}
		step(s)
	case opLdImm:
		s.a = k
		step(s)
	case opLdxImm:
		s.x = k
		step(s)
	case opLdMem:
		s.a = s.mem[ri.K%memWords]
		step(s)
	case opLdxMem:
		s.x = s.mem[ri.K%memWords]
		step(s)
	case opSt:
		s.mem[ri.K%memWords] = s.a
		step(s)
	case opStx:
		s.mem[ri.K%memWords] = s.x
		step(s)
	case opTax:
		s.x = s.a
		step(s)
	case opTxa:
		s.a = s.x
		step(s)
	case opLdWLen:
		s.a = regValue{true, dataLen}
		step(s)
	case opLdxWLen:
		s.x = regValue{true, dataLen}
		step(s)
	case opDivX:
		if src.known && src.v != 0 {
			s.a = aluWalk(ri.Op, s.a, src)
			step(s)
			break
		}
		// X may be 0, and then the filter returns 0 (Eval).
		zero := pathSummary{1, 1, []uint32{0}}
		if src.known {
			sum = zero
			break
		}
		s.a = regValue{}
		var sub pathSummary
		if sub, err = an.walk(s); err == nil {
			sum = pathSummary{1, sub.max + 1, mergeRets(zero.rets, sub.rets)}
		}
	case opAddK, opAddX, opSubK, opSubX, opMulK, opMulX, opDivK,
		opAndK, opAndX, opOrK, opOrX, opXorK, opXorX,
		opLshK, opLshX, opRshK, opRshX, opNeg:
		s.a = aluWalk(ri.Op, s.a, src)
		step(s)
	case opJa:
		s.pc += int(ri.K)
		step(s)
	case opJeqK, opJeqX, opJgtK, opJgtX, opJgeK, opJgeX, opJsetK, opJsetX:
		t, f := s, s
		t.pc += int(ri.Jt)
		f.pc += int(ri.Jf)
		switch {
		case s.a.known && src.known && jumpTaken(ri.Op, s.a.v, src.v):
			step(t)
		case s.a.known && src.known:
			step(f)
		default:
			st, errT := an.walk(t)
			sf, errF := an.walk(f)
			if err = cmpErr(errT, errF); err == nil {
				sum = pathSummary{min(st.min, sf.min) + 1, max(st.max, sf.max) + 1, mergeRets(st.rets, sf.rets)}
			}
		}
	default:
		return pathSummary{}, fmt.Errorf("seccomp: unknown instruction %#04x at %d", ri.Op, start.pc)
	}
	if err != nil {
		return pathSummary{}, err
	}
	an.memo[start] = sum
	return sum, nil
}

func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

func mergeRets(a, b []uint32) []uint32 {
	out := slices.Concat(a, b)
	slices.Sort(out)
	return slices.Compact(out)
}

// aluWalk applies an ALU instruction (aluResult) to what is known of its
// operands: an unknown operand makes an unknown result. Neg has no source.
func aluWalk(op uint16, a, src regValue) regValue {
	if op == opNeg {
		src = regValue{true, 0}
	}
	if !a.known || !src.known {
		return regValue{}
	}
	r, ok := aluResult(op, a.v, src.v)
	return regValue{ok, r}
}

// KernelCaches reports whether the kernel, when it loads the program,
// proves that system call nr of the program's arch is always allowed, and so
// lets it skip the filter. It replicates seccomp_is_const_allow in
// kernel/seccomp.c (Linux 5.11 and later): run the program with only nr and
// arch known, understanding nothing but loads of those two words, jeq, jge,
// jgt and jset against constants, ja, and #k, and ret #k; anything else on
// the path, or a return other than allow, means no.
//
// It judges the program alone: since Linux 6.14 the kernel also lets the
// x86_64 uretprobe (and later uprobe) system calls through without asking
// any filter.
func (p Program) KernelCaches(nr uint32) bool {
	return p.KernelCachesArch(p.Arch, nr)
}

// KernelCachesArch is KernelCaches for system call nr made with ABI arch.
// The kernel keeps a cache for its native arch, the program's Arch, and,
// where there is one, for its compat arch (SECCOMP_ARCH_COMPAT in
// seccomp_cache_prepare, kernel/seccomp.c: x86 on x86_64, arm on aarch64);
// so the answer is false for any other ABI, x32 included, whose numbers
// (bit 30 set) lie beyond the bitmap of x86_64 numbers.
func (p Program) KernelCachesArch(arch Arch, nr uint32) bool {
	native, info, err := p.Arch.lookup()
	if err != nil {
		return false
	}
	if arch = arch.orNative(); arch != native && (info.compat == 0 || arch != info.compat) {
		return false
	}
	if arch == ArchX32 {
		return false
	}
	// The kernel's bitmap covers the arch's table (NR_syscalls); a
	// number beyond it always runs the filter. x/sys may lag a newer
	// kernel's table: a miss then, never a false yes.
	if _, ainfo, err := arch.lookup(); err != nil || nr < uint32(ainfo.table.first) || int(nr) >= ainfo.table.first+len(ainfo.table.names) {
		return false
	}
	var a uint32
	prog := p.Instructions
	for pc := 0; pc < len(prog); pc++ {
		ri := prog[pc]
		switch ri.Op {
		case opLdWAbs:
			switch ri.K {
			case offNr:
				a = nr
			case offArch:
				a = arch.auditArch()
			default:
				return false
			}
		case opJa:
			pc += int(ri.K)
		case opJeqK, opJgeK, opJgtK, opJsetK:
			if jumpTaken(ri.Op, a, ri.K) {
				pc += int(ri.Jt)
			} else {
				pc += int(ri.Jf)
			}
		case opAndK:
			a, _ = aluResult(opAndK, a, ri.K)
		case opRetK:
			return ri.K == Allow.Ret()
		default:
			return false
		}
	}
	return false
}
