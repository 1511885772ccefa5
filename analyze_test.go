package seccomp

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/bpf"
)

// TestAnalyzeDivByX checks that Analyze knows what Eval knows: "div x"
// with X = 0 ends the filter with 0 (SECCOMP_RET_KILL_THREAD), so a path
// where X may be 0 can return that too.
func TestAnalyzeDivByX(t *testing.T) {
	allow := bpf.RawInstruction{Op: opRetK, K: Allow.Ret()}
	tests := []struct {
		name string
		prog []bpf.RawInstruction
		want []Action
	}{
		{"X known nonzero", []bpf.RawInstruction{{Op: opLdxImm, K: 2}, {Op: opLdImm, K: 10}, {Op: opDivX}, allow}, []Action{Allow}},
		{"X known zero", []bpf.RawInstruction{{Op: opLdxImm, K: 0}, {Op: opLdImm, K: 10}, {Op: opDivX}, allow}, []Action{KillThread}},
		{"X an argument", []bpf.RawInstruction{{Op: opLdWAbs, K: offArgs}, {Op: opTax}, {Op: opLdImm, K: 10}, {Op: opDivX}, allow}, []Action{KillThread, Allow}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			an, err := Program{Arch: ArchX86_64, Instructions: tt.prog}.Analyze(0)
			require.NoError(t, err)
			assert.ElementsMatch(t, tt.want, an.Actions)
		})
	}
}

// TestAnalyzeRefusesInvalid checks that Analyze judges only programs the
// kernel would load.
func TestAnalyzeRefusesInvalid(t *testing.T) {
	allow := bpf.RawInstruction{Op: opRetK, K: Allow.Ret()}
	tests := []struct {
		name string
		prog []bpf.RawInstruction
		want string
	}{
		{"mod", []bpf.RawInstruction{{Op: opLdImm, K: 7}, {Op: opModK, K: 2}, allow}, "not allowed in seccomp filters"},
		{"unwritten scratch", []bpf.RawInstruction{{Op: opLdMem, K: 3}, allow}, "M[3]"},
		{"no final return", []bpf.RawInstruction{allow, {Op: opLdImm}}, "not a return"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Program{Arch: ArchX86_64, Instructions: tt.prog}.Analyze(0)
			assert.ErrorContains(t, err, tt.want)
		})
	}
}
