package seccomp

import (
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// UnknownENOSYS, as runc's patchbpf stub: numbers above the highest named
// syscall fail with ENOSYS; a named syscall, even one whose outcome is the
// default, counts; -1 and bad arches keep their own actions.
func TestUnknownENOSYS(t *testing.T) {
	eperm, enosys := Errno(syscall.EPERM).Ret(), enosys.Ret()
	eachArchLayout(t, func(t *testing.T, arch Arch, layout Layout) {
		p := &Policy{Arch: arch, Default: Errno(syscall.EPERM), BadArch: Trap(9), UnknownENOSYS: true}
		p.AddNr(nrOn(arch, 10), Rule{Action: Allow})
		p.AddNr(nrOn(arch, 300), Rule{Action: Allow, Conds: []Cond{{Arg: 0, Op: OpEqual, Value: 1}}})
		p.AddNr(nrOn(arch, 400), Rule{Action: Errno(syscall.EPERM)}) // the default, named
		cases := []struct {
			nr   uint32
			want uint32
		}{
			{10, Allow.Ret()},
			{11, eperm},
			{299, eperm},
			{300, eperm}, // args 0: the rule does not hold
			{399, eperm},
			{400, eperm},
			{401, enosys},
			{1000, enosys},
			{0x3FFFFFFF, enosys},
			{0xFFFFFFFF, eperm},
		}
		for _, c := range cases {
			assert.Equal(t, c.want, verdict(t, p, layout, on(arch, Data{Nr: c.nr})), "nr %#x", c.nr)
		}
		assert.Equal(t, Trap(9).Ret(), verdict(t, p, layout, Data{Nr: 1000, Arch: foreign(arch)}))

		p.UnknownENOSYS = false
		assert.Equal(t, eperm, verdict(t, p, layout, on(arch, Data{Nr: 1000})), "off by default")
	})
}

func TestLayoutNames(t *testing.T) {
	for _, l := range layouts {
		got, err := ParseLayout(l.String())
		require.NoError(t, err)
		assert.Equal(t, l, got)
	}
	_, err := ParseLayout("hash")
	assert.EqualError(t, err, `unknown layout "hash" (want tree or bitmap)`)
	assert.Equal(t, LayoutTree, Layout(0), "the zero Layout is the tree")
	_, err = (&Policy{Arch: ArchX86_64}).CompileLayout(Layout(7))
	assert.EqualError(t, err, "seccomp: unknown layout 7")
}
