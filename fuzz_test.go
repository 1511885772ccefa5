package seccomp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"syscall"
	"testing"
)

// fuzzConsts are constants that sit on the edges a comparison can get
// wrong; the fuzzer picks from them or takes raw bytes.
var fuzzConsts = []uint64{0, 1, 2, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000, 0x100000001, 0x7fffffffffffffff, 0x8000000000000000, 0xffffffff00000000, ^uint64(0)}

// fuzzReader hands out the fuzzer's bytes; past the end it hands out
// zeros, so every input decodes to some policy.
type fuzzReader struct{ b []byte }

func (r *fuzzReader) byte() byte {
	if len(r.b) == 0 {
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *fuzzReader) uint64() uint64 {
	var buf [8]byte
	for i := range buf {
		buf[i] = r.byte()
	}
	return binary.LittleEndian.Uint64(buf[:])
}

func (r *fuzzReader) value() uint64 {
	if c := r.byte(); int(c) < 2*len(fuzzConsts) {
		return fuzzConsts[int(c)%len(fuzzConsts)]
	}
	return r.uint64()
}

func (r *fuzzReader) action() Action {
	switch c := r.byte() % 8; c {
	case 0:
		return Allow
	case 1:
		return KillProcess
	case 2:
		return Log
	case 3:
		return Trap(uint32(r.byte()))
	default:
		return Errno(syscall.Errno(r.byte() % 8))
	}
}

// decodePolicy turns fuzz input into a valid policy: an arch, actions,
// then syscalls with up to four rules of up to three conditions each
// (decodeRules).
func decodePolicy(data []byte) *Policy {
	r := &fuzzReader{data}
	flags := r.byte()
	p := &Policy{Arch: arches[int(flags)%len(arches)], UnknownENOSYS: flags&4 != 0}
	p.Default, p.BadArch = r.action(), r.action()
	closed := make(map[int]Action) // numbers with an unconditional rule
	for n := r.byte() % 24; n > 0 && len(r.b) > 0; n-- {
		nr := int(binary.LittleEndian.Uint16([]byte{r.byte(), r.byte()}))
		if nr > 1100 {
			nr = nr*4001 + 3 // spread some numbers far out
		}
		nr %= MaxSyscall
		p.AddNr(nrOn(p.Arch, nr), decodeRules(r, closed, nr, 4, 4)...)
	}
	return p
}

// decodeRules decodes one call's rules, up to maxRules of fewer than
// maxConds conditions each. A rule after an unconditional one for the
// call's key takes its action (closed), so that the policy never
// contradicts itself.
func decodeRules[K comparable](r *fuzzReader, closed map[K]Action, key K, maxRules, maxConds byte) []Rule {
	var rules []Rule
	for m := r.byte()%maxRules + 1; m > 0; m-- {
		rule := Rule{Action: r.action()}
		for k := r.byte() % maxConds; k > 0; k-- {
			c := Cond{Arg: int(r.byte() % 6), Op: Op(r.byte()%7 + 1), Value: r.value()}
			if c.Op == OpMaskedEqual {
				c.Mask = r.value()
			}
			if r.byte()%2 == 1 {
				c.Width = 32
				c.Value &= 0xffffffff
				c.Mask &= 0xffffffff
			}
			// Conditions that can never hold are errors: turn them
			// into their neighbours.
			switch {
			case c.Op == OpMaskedEqual:
				c.Value &= c.Mask
			case c.Op == OpLess && c.Value == 0:
				c.Op = OpLessEqual
			case c.Op == OpGreater && c.Value == c.max():
				c.Op = OpGreaterEqual
			}
			rule.Conds = append(rule.Conds, c)
		}
		// A rule whose conditions all always hold is unconditional
		// too (Cond).
		if a, ok := closed[key]; ok {
			rule.Action = a
		} else if !slices.ContainsFunc(rule.Conds, func(c Cond) bool { return !c.alwaysHolds() }) {
			closed[key] = rule.Action
		}
		rules = append(rules, rule)
	}
	return rules
}

// FuzzCompile drives random policies through both layouts and the full
// equivalence check. Its seeds run in every plain go test.
func FuzzCompile(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("7")) // UnknownENOSYS on a policy that names no syscall
	f.Add([]byte{0, 0, 4, 3, 41, 0, 1, 0, 1, 0, 1, 1, 0})
	f.Add([]byte{1, 5, 0, 8, 0, 0, 3, 5, 2, 3, 4, 3, 0, 7, 6, 1, 5, 2, 10, 1, 0, 1, 250, 1, 2, 1, 3, 4, 0})
	f.Add([]byte{6, 4, 1, 20, 255, 255, 4, 0, 3, 1, 7, 9, 17, 0, 2, 2, 3, 5, 0, 1, 230, 1, 2, 3, 4, 5, 6, 7, 8, 1})
	f.Add([]byte{2, 0, 6, 12, 1, 2, 2, 4, 3, 5, 5, 12, 1, 5, 2, 4, 11, 0, 7, 1, 0, 3, 2, 6, 3, 1, 6, 22, 1, 9, 1, 0, 0})
	f.Add([]byte("\x05\x00\x07\x10seccomp fuzz seed with bytes that run on and on, so rules get many conditions"))
	f.Add([]byte("\xfd\x8f\t\xc2jȀ\xec\xb0\xe40\x92\xb5\x90\xbbo\xb1\xeeҫ\x86N\n|#\xa0\x83\x01\t\x13J\r\x94\xfcR:\xd0]V\xfc \xd7M\x02=\xe6\x19\x88Ga\xd0\xdf\x01\x82(R<\xdaW^\xc1\xde\xe0ґw5\x84\xb4\xda'Yf\xb2N\x8f\xe8Z\xf1<\xaa\x8e_\xc3\x03o-\xf6e\xa3\xbb\xbfC\x81E9G("))
	f.Add([]byte("\xa3\x06\x03\xba\xed\xf2L\x9c\t\"\xce\xd1\x14\xed\f\x89\x03|\x1e\x83m\xb0\x11\xd5\xf7m\x98\xc5\x03O\x12\x85\xb2\x01\x1bw)\xf5\x1ai\r/\x92ɢcȤ?\xe0\xee9\xac\xeeN_.\xefZ\xea\xcacJ9r\xc5r\xa28}\xa0\x81\xfa\xb6\xad\xd4\x1bL\xec\x96`\xde\x06\xb1#1"))
	f.Add([]byte("\xa5X\f\xcd=\x0e\x01\xe7ˬ\xefα\xfe\x13\xbe\x05c\xb6\tA^\xb9=?\x1b\xab\xaa\xb5s\xfb\xd2\r\xd1&\x8b\xa5+x暅\xa7\xc7\x02\xcc\xe0\x1bQ\xc7N{\xc1xHe\xd9\x03o\xa4\x98ؕ1EZ\xb9\u00a0\xe2.e\x18*"))
	f.Add([]byte("\x9d\xf6\x04\xe2\xdb\xf8C\xe9\x80\xe3c\xd7\xd7\xfe_ƾ\xe1K)\xf9\xb9\xc83u(\xd8\xcfm\x03^oV\xac\xddq0\xdf\xf4\x9c+\xb4h\x85\x92\x146\"\xaa\x80\x0e\x17\xc4\xf1[ː,F\xccr\x9f\xa7\xbb\x19\x8dp"))
	f.Add([]byte("\xb5\xad\bM\u0601\xf8\xfbr\x90\xe3\xecy\xf7\xc8\xc3\xe4\xdf\xef\x96j\xbd\xe0nt\nzd\x90\x1bI\xde\x01\x18\x14\xd8\\`=\xbc\xe0ol\xfc\xc2\xf6-\xe3%\x9e\x17\xd3\xdb\x1b\xac\xb6xR\xd8c\xb77Q\xbd \x13\xe7\xb0\xc3z,/\\ۋ\xf2;\x03\x1d\x8aUc\xb8\x96(\xaf9\x01"))
	f.Add([]byte(",\xb5\nT\x0f8\xee\x1e<M\x97\x8c\xf4A]Z\x8fP<[\x9f\xd8\xe4\x84\xd9\x1eN\x97p\x84\rl\xb4\xeb\x91SM\rژx2\x01\x80Ѭ\xc1\xde/\xeb\x9f\x1f\x13\x18\x7f\xd2\xf2\x01!k3>k"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p := decodePolicy(data)
		for _, layout := range layouts {
			if _, err := p.CompileLayout(layout); err != nil {
				// The policy is valid: the only error it may get is
				// being too big for the kernel.
				if !errors.Is(err, ErrTooLarge) {
					t.Fatalf("%s layout: %v", layout, err)
				}
				// Refused on its floors, it must really be too long.
				if n := emittedLength(t, p, layout); n <= maxInsns {
					t.Fatalf("%s layout: refused (%v), but the program has %d instructions", layout, err, n)
				}
				return
			}
			checkEquivalence(t, p, layout)
			checkFloors(t, p, layout)
		}
	})
}

// emittedLength is the length of the program CompileLayout would make,
// were it not to refuse the policy on its floors first.
func emittedLength(t *testing.T, p *Policy, layout Layout) int {
	pls, _, err := p.plansIn(new(workspace))
	if err != nil {
		t.Fatal(err)
	}
	b := newBuilder(128)
	emit(b, pls, layout)
	insns, err := b.assemble()
	if e, ok := err.(errTooLong); ok {
		return e.n
	}
	if err != nil {
		t.Fatal(err)
	}
	return len(insns)
}

// x32Sets are the ABI sets where x32's numbers may enter x86_64's search
// (emitX32Diff), which FuzzCompileX32 drives.
var x32Sets = [][]Arch{{ArchX86_64, ArchX32}, {ArchX86_64, ArchX86, ArchX32}, {ArchX32, ArchX86_64}}

// decodeX32Policy turns fuzz input into a valid policy over one of
// x32Sets: entries by number on one ABI, picked near the numbers where
// x32 and x86_64 differ (x86_64's 64-bit-only calls, x32's 512 and up, the
// highest), and entries by name on every ABI that has the name, so that
// sections share chains and x32's outcome now matches x86_64's and now
// not.
func decodeX32Policy(data []byte) *Policy {
	r := &fuzzReader{data}
	flags := r.byte()
	set := x32Sets[int(flags)%len(x32Sets)]
	p := &Policy{Arch: set[0], Compat: set[1:], UnknownENOSYS: flags&4 != 0, SkipMissing: true}
	p.Default, p.BadArch = r.action(), r.action()
	near := []int{0, 1, 13, 15, 16, 19, 45, 59, 101, 222, 247, 295, 322, 328, 334, 400, 461, 462, 470, 471, 472, 511, 512, 520, 534, 547, 548, 600}
	names := []string{"read", "rt_sigaction", "ioctl", "preadv", "execve", "socket", "clone", "personality", "waitid", "close"}
	closed := map[string]Action{}
	rules := func(key string) []Rule { return decodeRules(r, closed, key, 3, 3) }
	for n := r.byte() % 16; n > 0 && len(r.b) > 0; n-- {
		c := r.byte()
		if c%3 == 0 {
			name := names[int(c/3)%len(names)]
			p.Syscalls = append(p.Syscalls, Syscall{Name: name, Rules: rules(name)})
			continue
		}
		a := set[int(c/3)%len(set)]
		nr := near[int(r.byte())%len(near)] + int(r.byte()%3) - 1
		if nr < 0 {
			nr = 0
		}
		if a == ArchX86 {
			nr %= 480
		}
		// One key a call: a number that a name also reaches joins its
		// rules (planABI), so must agree with them.
		key := fmt.Sprintf("%s/%d", a, nr)
		if name, ok := a.SyscallName(nrOn(a, nr)); ok {
			key = name
		}
		p.Syscalls = append(p.Syscalls, Syscall{Arch: a, Nr: nrOn(a, nr), Rules: rules(key)})
	}
	return p
}

// FuzzCompileX32 drives random policies of x86_64 with x32 through both
// layouts and the full equivalence check, every ABI. Its seeds run in
// every plain go test.
func FuzzCompileX32(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0, 0, 4, 6, 1, 2, 0, 0, 3, 0, 1, 5, 0, 4, 1, 0, 7, 1, 2, 0, 9, 1, 0, 0, 12, 0, 4, 1, 0})
	f.Add([]byte{1, 4, 1, 9, 0, 0, 1, 3, 2, 0, 6, 4, 5, 1, 0, 1, 13, 0, 7, 2, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
	f.Add([]byte("\x06\x00\x07\x0fx32 seeds: bytes that run on, so that many entries come out of them"))
	f.Add([]byte("\x02\x01\x04\x0c\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f !\"#$%&'()*+,-./0123456789"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p := decodeX32Policy(data)
		for _, layout := range layouts {
			if _, err := p.CompileLayout(layout); err != nil {
				if !errors.Is(err, ErrTooLarge) {
					t.Fatalf("%s layout: %v", layout, err)
				}
				return
			}
			checkEquivalence(t, p, layout)
		}
	})
}
