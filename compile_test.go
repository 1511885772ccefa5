package seccomp

import (
	"fmt"
	"slices"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/bpf"
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

// Entries for one number keep their order, whether the numbers are counted
// (close together, as named syscalls are) or sorted (far apart): the first
// rule that holds decides.
func TestEntryOrderKept(t *testing.T) {
	for name, far := range map[string]uint32{"counted": 300, "sorted": 0x3FFFFFF0} {
		t.Run(name, func(t *testing.T) {
			p := &Policy{Arch: ArchX86_64, Default: Errno(syscall.EPERM)}
			arg0 := func(a Action, v uint64) Rule {
				return Rule{Action: a, Conds: []Cond{{Arg: 0, Op: OpGreaterEqual, Value: v}}}
			}
			p.AddNr(int(far), arg0(Trap(1), 10))
			p.AddNr(7, arg0(Log, 5))
			p.AddNr(int(far), arg0(Trap(2), 5), Rule{Action: Allow})
			p.AddNr(7, arg0(Trap(3), 1))
			p.AddNr(3, Rule{Action: Allow})
			cases := []struct {
				nr   uint32
				arg  uint64
				want Action
			}{
				{far, 10, Trap(1)}, {far, 5, Trap(2)}, {far, 0, Allow},
				{7, 5, Log}, {7, 1, Trap(3)}, {7, 0, Errno(syscall.EPERM)},
				{3, 0, Allow}, {4, 0, Errno(syscall.EPERM)},
			}
			for _, c := range cases {
				got := verdict(t, p, LayoutTree, Data{Nr: c.nr, Arch: ArchX86_64, Args: [6]uint64{c.arg}})
				assert.Equal(t, c.want.Ret(), got, "nr %#x arg0 %d", c.nr, c.arg)
			}
			checkEquivalence(t, p, LayoutTree)
		})
	}
}

// An entry may give both a name and a number; when the table has the name
// at that number, the compiler takes it without the name's map, which is
// right only if no name is at two numbers. Either way the outcome is the
// name's.
func TestIdentifyByNameAndNumber(t *testing.T) {
	for _, arch := range Arches() {
		_, info, err := arch.lookup()
		require.NoError(t, err)
		for nr, name := range arch.Syscalls() {
			assert.Equal(t, nr, info.byName[name], "%s: %q is at two numbers", arch, name)
		}
		closeNr, _ := arch.SyscallNumber("close")
		writeNr, _ := arch.SyscallNumber("write")
		cases := []struct {
			name    string
			entry   Syscall
			wantErr string
		}{
			{"both agree", Syscall{Name: "write", Nr: writeNr}, ""},
			{"name only", Syscall{Name: "write"}, ""},
			{"number only", Syscall{Nr: writeNr}, ""},
			{"both disagree", Syscall{Name: "write", Nr: closeNr},
				fmt.Sprintf(`seccomp: syscall "write": Nr %d disagrees with the name's number %d on %s`, closeNr, writeNr, arch)},
		}
		for _, c := range cases {
			p := &Policy{Arch: arch, Default: Errno(syscall.EPERM)}
			c.entry.Rules = []Rule{{Action: Allow}}
			p.Syscalls = append(p.Syscalls, c.entry)
			if c.wantErr != "" {
				_, err := p.Compile()
				assert.EqualError(t, err, c.wantErr, "%s: %s", arch, c.name)
				continue
			}
			audit := Arch(arch.auditArch())
			assert.Equal(t, Allow.Ret(), verdict(t, p, LayoutTree, Data{Nr: uint32(writeNr), Arch: audit}), "%s: %s", arch, c.name)
			assert.Equal(t, Errno(syscall.EPERM).Ret(), verdict(t, p, LayoutTree, Data{Nr: uint32(closeNr), Arch: audit}), "%s: %s", arch, c.name)
		}
	}
}

// Compiles share no memory they could trip over: workspaces come from a
// pool, and concurrent compiles of different policies give what each gives
// alone (run with -race to see the pool's hand-offs checked too).
func TestConcurrentCompiles(t *testing.T) {
	policies := []*Policy{dockerLikePolicy(ArchX86_64), denylistPolicy(ArchAArch64), rangeRunsPolicy(ArchRISCV64), opsPolicy(ArchX86_64)}
	want := make([]Program, len(policies))
	for i, p := range policies {
		var err error
		want[i], err = p.Compile()
		require.NoError(t, err)
	}
	done := make(chan error)
	for g := range 8 {
		go func() {
			for n := range 50 {
				i := (g + n) % len(policies)
				got, err := policies[i].Compile()
				if err == nil && !slices.Equal(got.Instructions, want[i].Instructions) {
					err = fmt.Errorf("policy %d compiled differently", i)
				}
				if err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	for range 8 {
		require.NoError(t, <-done)
	}
	// A program is the caller's: changing it changes no later compile.
	prog, err := policies[0].Compile()
	require.NoError(t, err)
	for i := range prog.Instructions {
		prog.Instructions[i] = bpf.RawInstruction{}
	}
	again, err := policies[0].Compile()
	require.NoError(t, err)
	assert.Equal(t, want[0].Instructions, again.Instructions)
}
