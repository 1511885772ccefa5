package seccomp

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDecide checks that Decide names what decided, as the policy reads.
func TestDecide(t *testing.T) {
	eperm, einval := Errno(1), Errno(22)
	p := Policy{Arch: ArchX86_64, Default: eperm, BadArch: KillProcess, UnknownENOSYS: true}
	p.Allow("read")                                                                        // entry 0
	p.Add("socket", Rule{Action: einval, Conds: []Cond{{Arg: 0, Op: OpEqual, Value: 40}}}, // entry 1
		Rule{Action: Allow})
	p.Add("socket", Rule{Action: Log}) // entry 2: never reached, rule 1 of entry 1 holds first
	tests := []struct {
		name string
		d    Data
		want Decision
	}{
		{"unconditional rule", Data{Nr: 0, Arch: ArchX86_64}, Decision{Allow, 0, 0, "rule"}},
		{"first rule holds", Data{Nr: 41, Arch: ArchX86_64, Args: [6]uint64{40}}, Decision{einval, 1, 0, "rule"}},
		{"second rule holds", Data{Nr: 41, Arch: ArchX86_64, Args: [6]uint64{2}}, Decision{Allow, 1, 1, "rule"}},
		{"unnamed, below the highest", Data{Nr: 1, Arch: ArchX86_64}, Decision{eperm, -1, -1, "default action"}},
		{"above the highest named", Data{Nr: 42, Arch: ArchX86_64}, Decision{Errno(38), -1, -1, "unknown syscall"}},
		{"-1", Data{Nr: 0xFFFFFFFF, Arch: ArchX86_64}, Decision{eperm, -1, -1, "default action"}},
		{"x32", Data{Nr: 0x40000000, Arch: ArchX86_64}, Decision{KillProcess, -1, -1, "bad arch"}},
		{"other arch", Data{Nr: 0, Arch: ArchAArch64}, Decision{KillProcess, -1, -1, "bad arch"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := p.Decide(tt.d)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

// TestDecideErrors checks that Decide fails closed on what it cannot read.
func TestDecideErrors(t *testing.T) {
	unknown := Policy{Arch: ArchX86_64}
	unknown.Allow("no_such_call")
	badCond := Policy{Arch: ArchX86_64}
	badCond.Add("read", Rule{Action: Allow, Conds: []Cond{{Arg: 6, Op: OpEqual}}})
	tests := []struct {
		name string
		p    Policy
		want string
	}{
		{"unknown name", unknown, `syscall "no_such_call": unknown on x86_64 (entry 0)`},
		{"bad condition", badCond, `syscall "read" (0): rule 0: arg 6: index must be 0..5`},
		{"unsupported arch", Policy{Arch: Arch(0x1234)}, "unsupported arch 0x1234"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.p.Decide(Data{Nr: 0, Arch: tt.p.Arch})
			assert.ErrorContains(t, err, tt.want)
		})
	}
}
