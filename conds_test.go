package seccomp

import (
	"math"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Conditions that can never hold are errors that name the syscall, the
// rule and the condition (issue 9: a masked-equal whose value has bits
// outside its mask compiled to a comparison no argument passes).
func TestNeverHoldingCondsRefused(t *testing.T) {
	cases := []struct {
		name string
		cond Cond
		want string
	}{
		{"masked value outside the mask (the issue's case)", Cond{Arg: 1, Op: OpMaskedEqual, Mask: 0xff, Value: 0x1ff},
			`arg 1: value 0x1ff has bits outside mask 0xff (0x100), so the condition can never hold`},
		{"masked value with mask 0", Cond{Arg: 0, Op: OpMaskedEqual, Value: 1},
			`arg 0: value 0x1 has bits outside mask 0x0 (0x1), so the condition can never hold`},
		{"masked value outside the mask, high half", Cond{Arg: 2, Op: OpMaskedEqual, Mask: 1 << 40, Value: 1<<40 | 1<<33},
			`arg 2: value 0x10200000000 has bits outside mask 0x10000000000 (0x200000000), so the condition can never hold`},
		{"masked value outside the mask, 32-bit", Cond{Arg: 3, Op: OpMaskedEqual, Mask: 0xf0, Value: 0x0f, Width: 32},
			`arg 3: value 0xf has bits outside mask 0xf0 (0xf), so the condition can never hold`},
		{"less than 0", Cond{Arg: 4, Op: OpLess},
			`arg 4: < 0 can never hold (comparisons are unsigned)`},
		{"less than 0, 32-bit", Cond{Arg: 5, Op: OpLess, Width: 32},
			`arg 5: < 0 can never hold (comparisons are unsigned)`},
		{"greater than the 32-bit maximum", Cond{Arg: 0, Op: OpGreater, Value: math.MaxUint32, Width: 32},
			`arg 0: > 0xffffffff can never hold at the 32-bit width`},
		{"greater than the 64-bit maximum", Cond{Arg: 1, Op: OpGreater, Value: math.MaxUint64},
			`arg 1: > 0xffffffffffffffff can never hold at the 64-bit width`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, layout := range layouts {
				p := &Policy{Arch: ArchX86_64, Default: Errno(syscall.EPERM)}
				p.Add("socket", Rule{Action: Log, Conds: []Cond{{Arg: 0, Op: OpEqual, Value: 1}}},
					Rule{Action: Allow, Conds: []Cond{{Arg: 0, Op: OpEqual, Value: 2}, {Arg: 3, Op: OpNotEqual}, tc.cond}})
				_, err := p.CompileLayout(layout)
				require.Error(t, err)
				assert.Equal(t, `seccomp: syscall "socket" (41) rule 1: cond 2: `+tc.want, err.Error())
			}
		})
	}
}

// The neighbours of the refused conditions hold for some arguments and
// not for others: they compile, and Analyze lists both outcomes.
func TestNearlyTrivialCondsKept(t *testing.T) {
	cases := map[string]Cond{
		"masked value inside the mask":  {Arg: 1, Op: OpMaskedEqual, Mask: 0xff, Value: 0xff},
		"less than 1":                   {Arg: 1, Op: OpLess, Value: 1},
		"greater than 32-bit max-1":     {Arg: 1, Op: OpGreater, Value: math.MaxUint32 - 1, Width: 32},
		"greater than 0xffffffff at 64": {Arg: 1, Op: OpGreater, Value: math.MaxUint32},
		"at most 0xffffffff at 64":      {Arg: 1, Op: OpLessEqual, Value: math.MaxUint32},
		"at least 1":                    {Arg: 1, Op: OpGreaterEqual, Value: 1},
		"masked with a mask, value 0":   {Arg: 1, Op: OpMaskedEqual, Mask: 1 << 63},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			eachArchLayout(t, func(t *testing.T, arch Arch, layout Layout) {
				p := &Policy{Arch: arch, Default: Errno(syscall.EPERM)}
				p.Add("socket", Rule{Action: Allow, Conds: []Cond{c}})
				prog, _ := checkEquivalence(t, p, layout)
				nr, _ := arch.SyscallNumber("socket")
				an, err := prog.Analyze(uint32(nr))
				require.NoError(t, err)
				assert.ElementsMatch(t, []Action{Allow, Errno(syscall.EPERM)}, an.Actions)
			})
		})
	}
}

// Conditions that always hold are dropped when compiling: the rule acts
// as an unconditional one, the program is the one the rule without them
// gives, and Analyze lists no action that no argument reaches.
func TestAlwaysHoldingCondsDropped(t *testing.T) {
	always := map[string]Cond{
		"at least 0":                 {Arg: 2, Op: OpGreaterEqual},
		"at least 0, 32-bit":         {Arg: 2, Op: OpGreaterEqual, Width: 32},
		"at most the 64-bit maximum": {Arg: 2, Op: OpLessEqual, Value: math.MaxUint64},
		"at most the 32-bit maximum": {Arg: 2, Op: OpLessEqual, Value: math.MaxUint32, Width: 32},
		"masked with mask 0":         {Arg: 2, Op: OpMaskedEqual},
		"masked with mask 0, 32-bit": {Arg: 2, Op: OpMaskedEqual, Width: 32},
	}
	other := Cond{Arg: 0, Op: OpEqual, Value: 3}
	for name, c := range always {
		t.Run(name, func(t *testing.T) {
			eachArchLayout(t, func(t *testing.T, arch Arch, layout Layout) {
				nr, _ := arch.SyscallNumber("socket")
				compile := func(rules ...Rule) Program {
					p := &Policy{Arch: arch, Default: Errno(syscall.EPERM)}
					p.Add("socket", rules...)
					prog, _ := checkEquivalence(t, p, layout)
					return prog
				}

				// Alone: the rule is unconditional, and its action the only
				// outcome.
				rules := []Rule{{Action: Allow, Conds: []Cond{c}}}
				prog := compile(rules...)
				assert.Equal(t, []Cond{c}, rules[0].Conds, "the caller's rule is left as it was")
				assert.Equal(t, compile(Rule{Action: Allow}).Instructions, prog.Instructions)
				an, err := prog.Analyze(uint32(nr))
				require.NoError(t, err)
				assert.Equal(t, []Action{Allow}, an.Actions)

				// Beside a real condition, in either order: that one decides.
				want := compile(Rule{Action: Allow, Conds: []Cond{other}}).Instructions
				assert.Equal(t, want, compile(Rule{Action: Allow, Conds: []Cond{c, other}}).Instructions)
				assert.Equal(t, want, compile(Rule{Action: Allow, Conds: []Cond{other, c}}).Instructions)
			})
		})
	}

	t.Run("a later rule with another action is unreachable", func(t *testing.T) {
		p := &Policy{Arch: ArchX86_64, Default: Errno(syscall.EPERM)}
		p.Add("socket", Rule{Action: Allow, Conds: []Cond{always["at least 0"]}}, Rule{Action: Log, Conds: []Cond{other}})
		_, err := p.Compile()
		require.Error(t, err)
		assert.Equal(t, `seccomp: syscall "socket" (41) rule 1: unreachable after unconditional rule 0 (its conditions always hold), and its action log contradicts allow`, err.Error())
	})
}
