package seccomp

import (
	"fmt"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/bpf"
)

// jumpOver builds
//
//	ld [16]; jgt #5, filler, next; jeq #1, T, F; filler: n instructions;
//	ret ERRNO(9); T: ret ALLOW; F: ret LOG
//
// with T and F labels, or returns placed wherever the builder likes.
func jumpOver(t *testing.T, n int, labels bool) []bpf.RawInstruction {
	t.Helper()
	b := newBuilder()
	b.load(b.argLow(0))
	filler, tl, fl := b.newLabel(), b.newLabel(), b.newLabel()
	tt, ft := toAction(Allow), toAction(Log)
	if labels {
		tt, ft = to(tl), to(fl)
	}
	b.jump(opJgtK, 5, to(filler), next)
	b.jump(opJeqK, 1, tt, ft)
	b.bind(filler)
	for i := range n {
		b.alu(opAndK, uint32(i))
	}
	b.ret(Errno(9).Ret())
	if labels {
		b.bind(tl)
		b.ret(Allow.Ret())
		b.bind(fl)
		b.ret(Log.Ret())
	}
	prog, err := b.assemble()
	require.NoError(t, err)
	require.NoError(t, validateProgram(prog))
	return prog
}

// Conditional jumps reach 255 instructions; further needs a stand-in, and
// only then.
func TestBuilderJumpDistances(t *testing.T) {
	for _, labels := range []bool{true, false} {
		for _, n := range []int{0, 1, 200, 252, 253, 254, 255, 256, 300, 1000} {
			t.Run(fmt.Sprintf("labels=%v/%d", labels, n), func(t *testing.T) {
				prog := jumpOver(t, n, labels)
				for arg, want := range map[uint64]uint32{1: Allow.Ret(), 2: Log.Ret(), 9: Errno(9).Ret()} {
					ret, _, err := runProgram(prog, Data{Args: [6]uint64{arg}})
					require.NoError(t, err)
					assert.Equal(t, want, ret, "arg0 = %d", arg)
				}
				standIns := len(prog) - (n + 6) // ld, jgt, jeq, filler, 3 rets
				if !labels {
					// The returns are placed once each, where they are
					// needed: right after the jump.
					assert.Zero(t, standIns)
					return
				}
				// jeq skips n+1 instructions to T and n+2 to F. Once F
				// is out of reach (n >= 254), its stand-in lies between
				// the jump and T too, so T needs one as well.
				want := 0
				if n >= 254 {
					want = 2
				}
				assert.Equal(t, want, standIns)
			})
		}
	}
}

// A label nothing jumps to may be bound at the very end of the program:
// the reviewer's cases, where a condition that always or never holds makes
// the rest of a chain dead. The plan now drops conditions that always hold
// and refuses those that never do (TestTrivialConds), so these chains reach
// the builder only directly; it must still assemble them.
func TestDeadLabelAtTheEnd(t *testing.T) {
	policies := map[string][]Rule{
		"always-true rule, then another": {
			{Action: Allow, Conds: []Cond{{Arg: 0, Op: OpMaskedEqual}}},
			{Action: Log, Conds: []Cond{{Arg: 1, Op: OpEqual, Value: 1}}},
		},
		"never-true condition, then a 64-bit !=": {
			{Action: Allow, Conds: []Cond{{Arg: 0, Op: OpMaskedEqual, Value: 1}, {Arg: 1, Op: OpNotEqual, Value: 5}}},
		},
		"never-true condition, then a 64-bit <": {
			{Action: Allow, Conds: []Cond{{Arg: 0, Op: OpMaskedEqual, Mask: 1 << 40, Value: 1}, {Arg: 1, Op: OpLess, Value: 5 << 33}}},
		},
	}
	for name, rules := range policies {
		t.Run(name, func(t *testing.T) {
			b := newBuilder()
			b.emitRules(rules, Errno(syscall.EPERM))
			insns, err := b.assemble()
			require.NoError(t, err)
			require.NoError(t, Program{Arch: ArchX86_64, Instructions: insns}.Validate())
		})
	}
}

// Duplicate values in a run of equality rules cost nothing extra.
func TestEqualityRunDuplicates(t *testing.T) {
	size := func(values ...uint64) int {
		p := &Policy{Arch: ArchX86_64, Default: Errno(syscall.EPERM)}
		var rules []Rule
		for _, v := range values {
			rules = append(rules, Rule{Action: Allow, Conds: []Cond{{Arg: 0, Op: OpEqual, Value: v}}})
		}
		p.AddNr(5, rules...)
		prog, _ := checkEquivalence(t, p, LayoutTree)
		return len(prog.Instructions)
	}
	assert.Equal(t, size(10, 20, 30, 40), size(10, 20, 30, 40, 40, 30, 20, 10, 10))
}
