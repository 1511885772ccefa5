package seccomp

import (
	"encoding/binary"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/net/bpf"
)

// Program is a compiled seccomp filter: classic BPF instructions for one
// arch, ready for the kernel.
type Program struct {
	// Arch is the ABI the program serves first (the host's for the zero
	// Arch): the byte order Eval reads seccomp_data in and MarshalBinary
	// writes, and the arch Install and Cmd require of the host.
	Arch Arch
	// Compat are the other ABIs it serves, in the order it tests them
	// (see Policy.Compat).
	Compat []Arch
	// Instructions are the program's sock_filter entries, in order.
	Instructions []bpf.RawInstruction
	// Notes say what the compile left out on some ABI (see
	// Policy.SkipMissing); they do not travel with MarshalBinary.
	Notes []string
}

// MarshalBinary returns the program as the kernel's struct sock_filter
// array: 8 bytes per instruction, in the byte order of the program's Arch
// (the host's for the zero Arch), since the kernel there reads it natively;
// libseccomp's seccomp_export_bpf writes it so too.
func (p Program) MarshalBinary() ([]byte, error) {
	order := byteOrder(p.Arch)
	buf := make([]byte, 0, 8*len(p.Instructions))
	for _, ri := range p.Instructions {
		buf = order.AppendUint16(buf, ri.Op)
		buf = append(buf, ri.Jt, ri.Jf)
		buf = order.AppendUint32(buf, ri.K)
	}
	return buf, nil
}

func byteOrder(a Arch) binary.AppendByteOrder {
	if a.bigEndian() {
		return binary.BigEndian
	}
	return binary.LittleEndian
}

// UnmarshalProgram reads a struct sock_filter array in arch's byte order,
// the inverse of MarshalBinary.
func UnmarshalProgram(arch Arch, raw []byte) (Program, error) {
	if len(raw)%8 != 0 {
		return Program{}, fmt.Errorf("seccomp: program of %d bytes is not a whole number of 8-byte instructions", len(raw))
	}
	p := Program{Arch: arch, Instructions: make([]bpf.RawInstruction, len(raw)/8)}
	for i := range p.Instructions {
		b := raw[8*i:]
		order := binary.ByteOrder(binary.LittleEndian)
		if arch.bigEndian() {
			order = binary.BigEndian
		}
		p.Instructions[i] = bpf.RawInstruction{
			Op: order.Uint16(b),
			Jt: b[2],
			Jf: b[3],
			K:  order.Uint32(b[4:]),
		}
	}
	return p, nil
}

// Disassemble returns the program as assembly, one instruction a line,
// with jump targets as absolute line numbers and comments that name the
// seccomp_data fields loaded, the system calls compared and the actions
// returned.
func (p Program) Disassemble() string {
	var sb strings.Builder
	acc := p.accumulators()
	abis := p.sectionABIs(acc)
	width := len(fmt.Sprint(len(p.Instructions)))
	for i, ri := range p.Instructions {
		text, comment := p.disassembleOne(i, ri, acc[i], abis[i])
		line := fmt.Sprintf("%*d: %s", width, i, text)
		if comment != "" {
			line = fmt.Sprintf("%-40s ; %s", line, comment)
		}
		sb.WriteString(line)
		sb.WriteByte('\n')
	}
	return sb.String()
}

// sectionABIs returns, for each instruction, the ABI of the program that
// every path reaching it has been dispatched to by the arch tests (and on
// x86_64, x32's bit 30); Arch where the paths disagree or none has been.
func (p Program) sectionABIs(acc []accState) []Arch {
	serves := append([]Arch{p.Arch.orNative()}, p.Compat...)
	const mixed = Arch(1) // no arch has this value
	in := make([]Arch, len(p.Instructions)+1)
	seen := make([]bool, len(in))
	in[0], seen[0] = p.Arch.orNative(), true
	flow := func(to int, a Arch) {
		switch {
		case to < 0 || to >= len(in):
		case !seen[to]:
			in[to], seen[to] = a, true
		case in[to] != a:
			in[to] = mixed
		}
	}
	for i, ri := range p.Instructions {
		a := in[i]
		taken, notTaken := a, a
		switch {
		case ri.Op == opJeqK && acc[i] == offArch:
			// Any supported arch's value, so that a raw program, whose
			// Compat is unknown, reads the same; x86_64 over x32, unless
			// the program serves x32 alone on that value.
			if Arch(ri.K) == ArchX86_64 && !slices.Contains(serves, ArchX86_64) && slices.Contains(serves, ArchX32) {
				taken = ArchX32
			} else if _, ok := archInfos[Arch(ri.K)]; ok {
				taken = Arch(ri.K)
			}
		case ri.Op == opJsetK && ri.K == x32SyscallBit && acc[i] == offNr && a == ArchX86_64:
			// x32's section, or in a program without it, the -1 test.
			taken = ArchX32
		}
		switch {
		case ri.Op == opRetK || ri.Op == opRetA:
		case ri.Op == opJa:
			flow(i+1+int(ri.K), a)
		case opClass(ri.Op) == classJmp:
			flow(i+1+int(ri.Jt), taken)
			flow(i+1+int(ri.Jf), notTaken)
		default:
			flow(i+1, a)
		}
	}
	for i := range in {
		if in[i] == mixed || !seen[i] {
			in[i] = p.Arch.orNative()
		}
	}
	return in[:len(p.Instructions)]
}

func (p Program) disassembleOne(i int, ri bpf.RawInstruction, acc accState, abi Arch) (text, comment string) {
	switch ri.Op {
	case opLdWAbs:
		return fmt.Sprintf("ld [%d]", ri.K), fieldName(ri.K, abi.bigEndian())
	case opRetK:
		comment := ""
		if a, err := ActionFromRet(ri.K); err == nil {
			comment = a.String()
		}
		return fmt.Sprintf("ret #%#x", ri.K), comment
	case opJa:
		return fmt.Sprintf("ja %d", i+1+int(ri.K)), ""
	case opLdWLen, opLdxWLen: // x/net/bpf reads both as "ld #len"
		return opName(ri.Op), "64, the size of seccomp_data"
	case opJeqK, opJgtK, opJgeK, opJsetK:
		name := jumpNames[ri.Op>>4]
		text := fmt.Sprintf("%s #%#x, %d, %d", name, ri.K, i+1+int(ri.Jt), i+1+int(ri.Jf))
		if acc == offNr && ri.Op != opJsetK {
			nr := int(ri.K)
			if abi == ArchX32 && ri.K&x32SyscallBit == 0 {
				nr |= x32SyscallBit // after the and that clears it (emitX32Diff)
			}
			if s, ok := abi.SyscallName(nr); ok {
				return fmt.Sprintf("%s #%d, %d, %d", name, ri.K, i+1+int(ri.Jt), i+1+int(ri.Jf)), s
			}
			return fmt.Sprintf("%s #%d, %d, %d", name, ri.K, i+1+int(ri.Jt), i+1+int(ri.Jf)), ""
		}
		if acc == offArch && ri.Op == opJeqK {
			return text, Arch(ri.K).String()
		}
		return text, ""
	}
	if ins, ok := ri.Disassemble().(fmt.Stringer); ok {
		return ins.String(), ""
	}
	return fmt.Sprintf("raw op %#04x jt %d jf %d k %#x", ri.Op, ri.Jt, ri.Jf, ri.K), ""
}

// accumulators returns, for each instruction, which seccomp_data word the
// accumulator holds on every path that reaches it, or accUnknown.
func (p Program) accumulators() []accState {
	in := make([]accState, len(p.Instructions)+1)
	for i := range in {
		in[i] = accNone
	}
	in[0] = accUnknown
	flow := func(to int, s accState) {
		if to >= 0 && to < len(in) {
			in[to] = meet(in[to], s)
		}
	}
	for i, ri := range p.Instructions {
		s := in[i]
		if s == accNone {
			s = accUnknown // unreachable
		}
		switch {
		case ri.Op == opLdWAbs:
			flow(i+1, accState(ri.K))
		case opClass(ri.Op) == classRet:
		case ri.Op == opJa:
			flow(i+1+int(ri.K), s)
		case opClass(ri.Op) == classJmp:
			flow(i+1+int(ri.Jt), s)
			flow(i+1+int(ri.Jf), s)
		case ri.Op == opTxa:
			flow(i+1, accUnknown)
		case ri.Op == opAndK && ri.K == ^uint32(x32SyscallBit) && s == offNr:
			// An x32 number with bit 30 cleared, sent into x86_64's
			// search (emitX32Diff): still read as a number.
			flow(i+1, offNr)
		case opClass(ri.Op) == classSt || opClass(ri.Op) == classStx ||
			opClass(ri.Op) == classLdx || ri.Op == opTax:
			flow(i+1, s) // A unchanged
		default:
			flow(i+1, accUnknown)
		}
	}
	return in[:len(p.Instructions)]
}

// fieldName names the seccomp_data word at offset off, on an arch of the
// given byte order.
func fieldName(off uint32, bigEndian bool) string {
	switch {
	case off == offNr:
		return "nr"
	case off == offArch:
		return "arch"
	case off == 8:
		return "instruction_pointer"
	case off == 12:
		return "instruction_pointer (high)"
	case off >= 16 && off < 64 && off%4 == 0:
		half := "low"
		if ((off-16)%8 == 4) != bigEndian {
			half = "high"
		}
		return fmt.Sprintf("arg%d (%s)", (off-16)/8, half)
	}
	return ""
}
