package main

import (
	"encoding/binary"
	"fmt"

	"golang.org/x/net/bpf"
)

// seccompData is the kernel's struct seccomp_data, little-endian.
type seccompData struct {
	nr   uint32
	arch uint32
	ip   uint64
	args [6]uint64
}

func (d *seccompData) bytes() [64]byte {
	var b [64]byte
	binary.LittleEndian.PutUint32(b[0:], d.nr)
	binary.LittleEndian.PutUint32(b[4:], d.arch)
	binary.LittleEndian.PutUint64(b[8:], d.ip)
	for i, a := range d.args {
		binary.LittleEndian.PutUint64(b[16+8*i:], a)
	}
	return b
}

// run interprets a seccomp program on d, as the kernel's classic BPF
// interpreter does, and returns its verdict.
func run(prog []bpf.RawInstruction, d *seccompData) (uint32, error) {
	data := d.bytes()
	var a, x uint32
	var mem [16]uint32
	for pc := 0; pc < len(prog); pc++ {
		in := prog[pc]
		k := in.K
		switch in.Op & 0x07 {
		case 0x00, 0x01: // ld, ldx
			var v uint32
			switch in.Op &^ 0x07 {
			case 0x20: // abs, word
				if k%4 != 0 || k+4 > 64 {
					return 0, fmt.Errorf("pc %d: load of [%d]", pc, k)
				}
				v = binary.LittleEndian.Uint32(data[k:])
			case 0x00: // imm
				v = k
			case 0x60: // mem
				if k >= 16 {
					return 0, fmt.Errorf("pc %d: M[%d]", pc, k)
				}
				v = mem[k]
			case 0x80: // len
				v = 64
			default:
				return 0, fmt.Errorf("pc %d: opcode %#x", pc, in.Op)
			}
			if in.Op&0x07 == 0 {
				a = v
			} else {
				x = v
			}
		case 0x02, 0x03: // st, stx
			if k >= 16 {
				return 0, fmt.Errorf("pc %d: M[%d]", pc, k)
			}
			if in.Op&0x07 == 0x02 {
				mem[k] = a
			} else {
				mem[k] = x
			}
		case 0x04: // alu
			src := k
			if in.Op&0x08 != 0 {
				src = x
			}
			switch in.Op & 0xF0 {
			case 0x00:
				a += src
			case 0x10:
				a -= src
			case 0x20:
				a *= src
			case 0x30:
				if src == 0 {
					return 0, nil
				}
				a /= src
			case 0x40:
				a |= src
			case 0x50:
				a &= src
			case 0x60:
				a <<= src & 31
			case 0x70:
				a >>= src & 31
			case 0x80:
				a = -a
			case 0x90:
				if src == 0 {
					return 0, nil
				}
				a %= src
			case 0xA0:
				a ^= src
			default:
				return 0, fmt.Errorf("pc %d: opcode %#x", pc, in.Op)
			}
		case 0x05: // jmp
			src := k
			if in.Op&0x08 != 0 {
				src = x
			}
			var taken bool
			switch in.Op & 0xF0 {
			case 0x00:
				pc += int(k)
				continue
			case 0x10:
				taken = a == src
			case 0x20:
				taken = a > src
			case 0x30:
				taken = a >= src
			case 0x40:
				taken = a&src != 0
			default:
				return 0, fmt.Errorf("pc %d: opcode %#x", pc, in.Op)
			}
			if taken {
				pc += int(in.Jt)
			} else {
				pc += int(in.Jf)
			}
		case 0x06: // ret
			switch in.Op & 0x18 {
			case 0x00:
				return k, nil
			case 0x10:
				return a, nil
			}
			return 0, fmt.Errorf("pc %d: opcode %#x", pc, in.Op)
		case 0x07: // misc
			if in.Op&0xF8 == 0x00 {
				x = a
			} else {
				a = x
			}
		}
	}
	return 0, fmt.Errorf("ran off the end")
}
