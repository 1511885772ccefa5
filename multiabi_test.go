package seccomp

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/bpf"
)

// abiSets are the sets of ABIs the multi-ABI tests compile: what runtimes
// ship (x86_64 with x86 and x32, aarch64 with arm, mips64 with o32), and
// orders and subsets that exercise the dispatch.
var abiSets = [][]Arch{
	{ArchX86_64, ArchX86, ArchX32},
	{ArchX86_64, ArchX32},
	{ArchX32, ArchX86_64},
	{ArchX86, ArchX86_64},
	{ArchX86_64, ArchX86},
	{ArchAArch64, ArchARM},
	{ArchMIPS64, ArchMIPS},         // big-endian
	{ArchMIPSEL64, ArchMIPSEL},     // little-endian mips
	{ArchPPC64, ArchS390X},         // nonsense together, but both big-endian: the dispatch must not care
	{ArchX32, ArchX86},             // x32 alone on its arch value
	{ArchRISCV64, ArchLoongArch64}, // two 64-bit ABIs, no compat
}

func setName(set []Arch) string {
	names := make([]string, len(set))
	for i, a := range set {
		names[i] = a.String()
	}
	return strings.Join(names, "+")
}

// multiDockerLike is dockerLikePolicy over the union of the ABIs' names,
// with SkipMissing: every name is allowed on each ABI that has it.
func multiDockerLike(set []Arch) *Policy {
	p := dockerLikePolicy(set[0])
	have := map[string]bool{}
	for _, sc := range p.Syscalls {
		have[sc.Name] = true
	}
	for _, a := range set[1:] {
		for _, name := range a.Syscalls() {
			if !have[name] {
				have[name] = true
				p.Allow(name)
			}
		}
	}
	p.Compat = set[1:]
	p.SkipMissing = true
	return p
}

// multiNumbered gives each ABI its own rules by number (Syscall.Arch), the
// same numbers on each so that sections must not mix them up.
func multiNumbered(set []Arch) *Policy {
	p := &Policy{Arch: set[0], Compat: set[1:], Default: Errno(syscall.EPERM), BadArch: Trap(3), UnknownENOSYS: true}
	for i, a := range set {
		base := archInfos[a].table.first // bit 30 on x32, 4000 on o32, ...
		p.Syscalls = append(p.Syscalls,
			Syscall{Arch: a, Nr: base + 1, Rules: []Rule{{Action: Errno(syscall.Errno(10 + i))}}},
			Syscall{Arch: a, Nr: base + 2, Rules: []Rule{
				{Action: Allow, Conds: []Cond{{Arg: 1, Op: OpEqual, Value: 0x100000000 + uint64(i)}}},
				{Action: Trace(uint32(i)), Conds: []Cond{{Arg: 0, Op: OpGreater, Value: uint64(i) << 31}}},
			}},
			Syscall{Arch: a, Nr: base + 3 + 2*i, Rules: []Rule{{Action: Allow}}})
	}
	p.Add("read", Rule{Action: Allow, Conds: []Cond{{Arg: 2, Op: OpLess, Value: 1 << 33}}})
	return p
}

// Every ABI of a multi-ABI program decides as the policy says, in both
// layouts, with the arguments laid out in the ABIs' byte order.
func TestMultiABIEquivalence(t *testing.T) {
	policies := []struct {
		name string
		make func([]Arch) *Policy
	}{
		{"docker-like", multiDockerLike},
		{"docker-like with ENOSYS", func(s []Arch) *Policy { p := multiDockerLike(s); p.UnknownENOSYS = true; return p }},
		{"numbered per ABI", multiNumbered},
	}
	for i, set := range abiSets {
		for _, layout := range layouts {
			for j, pc := range policies {
				if j == 1 && i > 1 {
					continue // ENOSYS: on the sets with x86_64 and x32, which it most concerns
				}
				t.Run(fmt.Sprintf("%s/%s/%s", setName(set), layout, pc.name), func(t *testing.T) {
					t.Parallel()
					prog, rep := checkEquivalence(t, pc.make(set), layout)
					require.Equal(t, set[1:], prog.Compat)
					require.Greater(t, rep.inputs, 2000*len(set))
				})
			}
		}
	}
}

// Each section is as good as the ABI's program alone: an unconditional
// allow costs at most the arch tests before its own (one jeq each) and,
// where x86_64 and x32 share a section's entry, one jset more.
func TestMultiABISectionsCostLikeSingle(t *testing.T) {
	for _, set := range abiSets {
		for _, layout := range layouts {
			p := multiDockerLike(set)
			multi, err := p.CompileLayout(layout)
			require.NoError(t, err)
			for i, a := range set {
				single := &Policy{Arch: a, Default: p.Default}
				for _, sc := range p.Syscalls {
					if hasName(a, sc.Name) {
						single.Syscalls = append(single.Syscalls, sc)
					}
				}
				sp, err := single.CompileLayout(layout)
				require.NoError(t, err)
				extra := i // a jeq per arch value tested before
				if (a == ArchX86_64 || a == ArchX32) && slices.Contains(set, ArchX86_64) && slices.Contains(set, ArchX32) {
					extra = slices.Index(set, ArchX86_64) // shared arch value, x32 behind the jset
					if i > extra {
						extra = i - 1
					}
					extra++ // at most the x32 jset, which a single x86_64 bitmap program also runs
					if a == ArchX86_64 && layout == LayoutTree {
						// A single x86_64 tree has no jset: its search
						// sends x32's numbers away instead.
						extra++
					}
				}
				// In the tree layout x32's numbers enter x86_64's search
				// (emitX32Diff) once a search of at most 100 segments,
				// weighted by x32's calls, has taken out those x32
				// decides otherwise (a call there passes 7 levels at
				// most), and an and has cleared bit 30: x32, which the
				// kernel never caches, pays those for a program some 130
				// instructions shorter on Docker's profile.
				var via64 Program
				if a == ArchX32 && layout == LayoutTree && slices.Contains(set, ArchX86_64) {
					one := &Policy{Arch: ArchX86_64, Default: p.Default}
					for _, sc := range p.Syscalls {
						if hasName(ArchX86_64, sc.Name) {
							one.Syscalls = append(one.Syscalls, sc)
						}
					}
					via64, err = one.CompileLayout(layout)
					require.NoError(t, err)
				}
				for _, nr := range unconditionalAllows(single, a) {
					ma, err := multi.AnalyzeArch(a, nr)
					require.NoError(t, err)
					sa, err := sp.Analyze(nr)
					require.NoError(t, err)
					require.Equal(t, []Action{Allow}, ma.Actions, "%s %s nr %d", setName(set), a, nr)
					bound := sa.MaxExecuted + extra
					if via64.Instructions != nil {
						xa, err := via64.Analyze(nr &^ x32SyscallBit)
						require.NoError(t, err)
						bound = max(sa.MaxExecuted, xa.MaxExecuted) + extra + 7 + 1
					}
					assert.LessOrEqual(t, ma.MaxExecuted, bound, "%s %s %s nr %d", setName(set), layout, a, nr)
				}
			}
		}
	}
}

// In the tree layout, every unconditional allow of the native ABI and of
// its compat ABI (the two the kernel caches) stays cacheable in a
// multi-ABI program; nothing else is ever cached.
func TestMultiABICaches(t *testing.T) {
	for _, set := range [][]Arch{{ArchX86_64, ArchX86, ArchX32}, {ArchAArch64, ArchARM}, {ArchX86_64, ArchX32, ArchX86}} {
		p := multiDockerLike(set)
		prog, err := p.CompileLayout(LayoutTree)
		require.NoError(t, err)
		for _, a := range set {
			allows := unconditionalAllows(p, a)
			require.NotEmpty(t, allows)
			cached, dense := 0, 0
			for _, nr := range allows {
				if prog.KernelCachesArch(a, nr) {
					cached++
				}
				// The kernel's bitmap ends with the dense table: arm's
				// private calls (set_tls, ...) always run the filter.
				if t := archInfos[a].table; int(nr)-t.first < len(t.names) {
					dense++
				}
			}
			switch a {
			case ArchX86_64, ArchAArch64, ArchX86, ArchARM:
				assert.Equal(t, dense, cached, "%s: %s caches %d of %d", setName(set), a, cached, dense)
				if a == ArchARM {
					assert.Equal(t, len(allows)-6, dense, "arm's 6 private calls are allowed, uncached")
				}
			default:
				assert.Zero(t, cached, "%s: %s", setName(set), a)
			}
			allowed := map[uint32]bool{}
			for _, nr := range allows {
				allowed[nr] = true
			}
			for _, nr := range testNrs(a) {
				if prog.KernelCachesArch(a, nr) && !allowed[nr] {
					t.Fatalf("%s: %s nr %d cached but not always allowed", setName(set), a, nr)
				}
			}
		}
		// An ABI the kernel keeps no cache for, even if the program serves it.
		assert.False(t, prog.KernelCachesArch(ArchMIPS, 4003))
	}
}

func TestMultiABIErrors(t *testing.T) {
	allow := []Rule{{Action: Allow}}
	cases := []struct {
		name string
		p    Policy
		want string
	}{
		{"number without arch", Policy{Arch: ArchX86_64, Compat: []Arch{ArchX86}, Syscalls: []Syscall{{Nr: 3, Rules: allow}}},
			"seccomp: syscall 3: a number names a call on one ABI, so the entry must set Arch in a policy of several"},
		{"entry arch outside the set", Policy{Arch: ArchX86_64, Syscalls: []Syscall{{Name: "read", Arch: ArchARM, Rules: allow}}},
			`seccomp: syscall "read": arch arm is not one of the policy's`},
		{"compat twice", Policy{Arch: ArchX86_64, Compat: []Arch{ArchX86, ArchX86}},
			"seccomp: compat arch x86: listed twice"},
		{"compat is arch", Policy{Arch: ArchAArch64, Compat: []Arch{ArchAArch64}},
			"seccomp: compat arch aarch64: listed twice"},
		{"unsupported compat", Policy{Arch: ArchX86_64, Compat: []Arch{0x16}},
			"seccomp: compat arch: unsupported arch 0x16"},
		{"byte orders differ", Policy{Arch: ArchPPC64LE, Compat: []Arch{ArchPPC64}},
			"seccomp: compat arch ppc64: byte order differs from ppc64le's, so no kernel runs both"},
		{"name missing on one ABI", Policy{Arch: ArchX86_64, Compat: []Arch{ArchX86}, Syscalls: []Syscall{{Name: "socketcall", Rules: allow}}},
			`seccomp: syscall "socketcall": unknown on x86_64`},
		{"name on no ABI, even skipping", Policy{Arch: ArchX86_64, Compat: []Arch{ArchX86}, SkipMissing: true, Syscalls: []Syscall{{Name: "nosuchcall", Rules: allow}}},
			`seccomp: syscall "nosuchcall": unknown on x86_64, x86`},
		{"an entry's own arch lacks the name", Policy{Arch: ArchX86_64, Compat: []Arch{ArchX86}, SkipMissing: true, Syscalls: []Syscall{{Name: "socketcall", Arch: ArchX86_64, Rules: allow}}},
			`seccomp: syscall "socketcall": unknown on x86_64`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := c.p.Compile()
			require.EqualError(t, err, c.want)
		})
	}
}

// SkipMissing leaves a name out where it is missing and says so.
func TestMultiABISkipMissingNotes(t *testing.T) {
	p := &Policy{Arch: ArchX86_64, Compat: []Arch{ArchX86, ArchX32}, Default: Errno(syscall.EPERM), SkipMissing: true}
	p.Allow("socketcall", "read", "newfstatat", "rt_sigaction")
	prog, err := p.Compile()
	require.NoError(t, err)
	assert.Equal(t, []string{
		`syscall "socketcall": not on x86_64, x32, skipped there`,
		`syscall "newfstatat": not on x86, skipped there`,
	}, prog.Notes)
	// socketcall is allowed on x86 only; rt_sigaction is x32's 512.
	v, err := prog.Eval(Data{Arch: ArchX86, Nr: 102})
	require.NoError(t, err)
	assert.Equal(t, Allow.Ret(), v.Ret)
	v, err = prog.Eval(Data{Arch: ArchX86_64, Nr: 102})
	require.NoError(t, err)
	assert.Equal(t, Errno(syscall.EPERM).Ret(), v.Ret, "x86_64's 102 is getuid, not named")
	v, err = prog.Eval(Data{Arch: ArchX86_64, Nr: 0x40000000 + 512})
	require.NoError(t, err)
	assert.Equal(t, Allow.Ret(), v.Ret)
	v, err = prog.Eval(Data{Arch: ArchX86_64, Nr: 0x40000000 + 13})
	require.NoError(t, err)
	assert.Equal(t, Errno(syscall.EPERM).Ret(), v.Ret, "13 is x86_64's rt_sigaction, not x32's")
	v, err = prog.Eval(Data{Arch: ArchAArch64, Nr: 63})
	require.NoError(t, err)
	assert.Equal(t, KillProcess.Ret(), v.Ret, "an ABI outside the set")
}

// The disassembler names each section's numbers on its own ABI, and the
// halves of an argument in the ABI's byte order.
func TestMultiABIDisassemble(t *testing.T) {
	p := &Policy{Arch: ArchX86_64, Compat: []Arch{ArchX86, ArchX32}, Default: Errno(syscall.EPERM), SkipMissing: true}
	p.Allow("read", "write", "fstat", "lseek", "socketcall", "preadv")
	prog, err := p.Compile()
	require.NoError(t, err)
	text := prog.Disassemble()
	// read is 0 on x86_64, 3 on x86, bit 30 on x32, where it enters
	// x86_64's search with bit 30 cleared; 3 on x86_64 is close. preadv is
	// 295 on x86_64 and 534 on x32 (tested with bit 30 cleared), whose 295
	// is no call.
	for _, want := range []string{"#0x40000003", "; x86\n", "; x86_64\n", "#3, ", "#102, ", "#534, ", "and #3221225471"} {
		assert.Contains(t, text, want)
	}
	for _, line := range strings.Split(text, "\n") {
		if strings.Contains(line, "#3, ") {
			assert.Contains(t, line, "; read", "x86's 3 is read, not x86_64's close: %s", line)
		}
		if strings.Contains(line, "#534, ") {
			assert.Contains(t, line, "; preadv", "x32's preadv: %s", line)
		}
		if strings.Contains(line, "#295, ") {
			assert.Contains(t, line, "; preadv", "x86_64's preadv: %s", line)
		}
		if strings.Contains(line, "#102, ") {
			assert.Contains(t, line, "; socketcall", line)
		}
	}

	be := &Policy{Arch: ArchS390X, Default: Errno(syscall.EPERM)}
	be.Add("read", Rule{Action: Allow, Conds: []Cond{{Arg: 1, Op: OpEqual, Value: 5, Width: 32}}})
	bp, err := be.Compile()
	require.NoError(t, err)
	assert.Regexp(t, `ld \[28\] +; arg1 \(low\)`, bp.Disassemble())
}

// A raw program is written and read in its arch's byte order.
func TestMarshalByteOrder(t *testing.T) {
	for _, c := range []struct {
		arch Arch
		want []byte
	}{
		{ArchX86_64, []byte{0x06, 0x00, 1, 2, 0x00, 0x00, 0xff, 0x7f}},
		{ArchS390X, []byte{0x00, 0x06, 1, 2, 0x7f, 0xff, 0x00, 0x00}},
		{ArchMIPS, []byte{0x00, 0x06, 1, 2, 0x7f, 0xff, 0x00, 0x00}},
		{ArchMIPSEL, []byte{0x06, 0x00, 1, 2, 0x00, 0x00, 0xff, 0x7f}},
	} {
		p := Program{Arch: c.arch, Instructions: []bpf.RawInstruction{{Op: opRetK, Jt: 1, Jf: 2, K: Allow.Ret()}}}
		raw, err := p.MarshalBinary()
		require.NoError(t, err)
		assert.Equal(t, c.want, raw, "%s", c.arch)
		back, err := UnmarshalProgram(c.arch, raw)
		require.NoError(t, err)
		assert.Equal(t, p.Instructions, back.Instructions)
	}
}

// A compile (tree layout) takes its memory from the pooled workspace: a
// single-ABI policy allocates only the program it returns, and one of three ABIs
// that and its Compat list: the multiplexers' derived rules (x86's
// socketcall and ipc) live in the plans' memory too.
func TestCompileAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("under -race sync.Pool drops what is put back at random, so a compile allocates anew")
	}
	for _, c := range []struct {
		name string
		set  []Arch
		max  float64
	}{
		{"x86_64 alone", []Arch{ArchX86_64}, 1},
		{"aarch64 alone", []Arch{ArchAArch64}, 1},
		{"x86_64+x86+x32", []Arch{ArchX86_64, ArchX86, ArchX32}, 2}, // the program and its Compat
	} {
		t.Run(c.name, func(t *testing.T) {
			// Each ABI's entries its own, as the importer makes them.
			p := &Policy{Arch: c.set[0], Compat: c.set[1:]}
			for _, a := range c.set {
				one := dockerLikePolicy(a)
				p.Default = one.Default
				for _, sc := range one.Syscalls {
					sc.Arch = a
					p.Syscalls = append(p.Syscalls, sc)
				}
			}
			_, err := p.Compile()
			require.NoError(t, err)
			allocs := testing.AllocsPerRun(50, func() { _, _ = p.Compile() })
			t.Logf("%v allocations a compile", allocs)
			assert.LessOrEqual(t, allocs, c.max, "allocations a compile")
		})
	}
}

// The floors count every section: two sections that each fit the kernel's
// limit but not together are refused before anything is emitted, naming
// the section that takes the most, and the largest sections that fit
// together still compile.
func TestMultiABIFloors(t *testing.T) {
	policy := func(perABI int) *Policy {
		p := &Policy{Arch: ArchX86_64, Compat: []Arch{ArchX86}, Default: Errno(syscall.EPERM)}
		for _, a := range []Arch{ArchX86_64, ArchX86} {
			n := perABI
			if a == ArchX86 {
				n -= 100 // x86_64's the larger
			}
			var rules []Rule
			for i := range n {
				rules = append(rules, ne(0, uint64(i))) // 4 instructions at least (size_test)
			}
			p.Syscalls = append(p.Syscalls, Syscall{Name: "socket", Arch: a, Rules: rules})
		}
		return p
	}
	for _, layout := range layouts {
		_, err := policy(1000).CompileLayout(layout) // 4000 and 3600 at least
		require.Error(t, err, "%s", layout)
		assert.True(t, errors.Is(err, ErrTooLarge), "%s: %v", layout, err)
		t.Logf("%s: %v", layout, err)
		assert.Contains(t, err.Error(), "program needs at least", "%s: refused on the floors", layout)
		assert.Contains(t, err.Error(), `in the x86_64 section, syscall "socket" (41) takes at least 4000`, "%s", layout)

		prog, err := policy(300).CompileLayout(layout)
		require.NoError(t, err, "%s", layout)
		assert.LessOrEqual(t, len(prog.Instructions), maxInsns, "%s", layout)
		checkFloors(t, policy(300), layout)
	}
}

// Sections share equal chains in the tree layout, and the floors count a
// shared chain once: a chain too large to fit twice compiles when every
// ABI has it, in the tree; the bitmap layout, which shares nothing, refuses
// it on its floors.
func TestMultiABISharedChainFloors(t *testing.T) {
	p := &Policy{Arch: ArchX86_64, Compat: []Arch{ArchX86}, Default: Errno(syscall.EPERM)}
	var rules []Rule
	for i := range 800 {
		rules = append(rules, Rule{Action: Allow, Conds: []Cond{{Arg: 0, Op: OpNotEqual, Value: uint64(i), Width: 32}, {Arg: 1, Op: OpEqual, Value: uint64(i), Width: 32}}})
	}
	p.Syscalls = append(p.Syscalls, Syscall{Name: "write", Rules: rules})
	tree, err := p.CompileLayout(LayoutTree)
	require.NoError(t, err)
	assert.LessOrEqual(t, len(tree.Instructions), maxInsns)
	_, err = p.CompileLayout(LayoutBitmap)
	require.ErrorIs(t, err, ErrTooLarge)
	assert.Contains(t, err.Error(), "program needs at least", "refused on the floors")
	t.Logf("tree: %d instructions; bitmap: %v", len(tree.Instructions), err)
}

// An entry of every ABI may give its number on the policy's Arch beside
// its name (Syscall.Nr), as the importer writes them: the program is the
// one the names alone make, on every ABI, and the number is checked on the
// policy's Arch only.
func TestMultiABINrOnFirstABI(t *testing.T) {
	for _, set := range abiSets {
		t.Run(setName(set), func(t *testing.T) {
			t.Parallel()
			byName := multiDockerLike(set)
			byName.Syscalls = append([]Syscall{{Name: "write", Rules: []Rule{{Action: Errno(syscall.EIO), Conds: []Cond{{Arg: 0, Op: OpEqual, Value: 7}}}}}}, byName.Syscalls...)
			withNr := *byName
			withNr.Syscalls = slices.Clone(byName.Syscalls)
			numbered := 0
			for i := range withNr.Syscalls {
				sc := &withNr.Syscalls[i]
				if nr, ok := set[0].SyscallNumber(sc.Name); ok && nr != 0 {
					sc.Nr = nr
					numbered++
				}
			}
			require.Greater(t, numbered, 100)
			want, err := byName.Compile()
			require.NoError(t, err)
			got, err := withNr.Compile()
			require.NoError(t, err)
			require.Equal(t, want.Instructions, got.Instructions)
			require.Equal(t, want.Notes, got.Notes)
			if len(set) == 3 {
				checkEquivalence(t, &withNr, LayoutTree) // the rest is byte for byte the names' program
			}
		})
	}

	allow := []Rule{{Action: Allow}}
	writeX86, _ := ArchX86.SyscallNumber("write")
	cases := []struct {
		name string
		p    Policy
		want string
	}{
		{"another ABI's number", Policy{Arch: ArchX86_64, Compat: []Arch{ArchX86}, Syscalls: []Syscall{{Name: "write", Nr: writeX86, Rules: allow}}},
			fmt.Sprintf(`seccomp: syscall "write": Nr %d disagrees with the name's number 1 on x86_64`, writeX86)},
		{"a name another ABI lacks", Policy{Arch: ArchX86_64, Compat: []Arch{ArchX86}, Syscalls: []Syscall{{Name: "kexec_file_load", Nr: 320, Rules: allow}}},
			`seccomp: syscall "kexec_file_load": unknown on x86`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := c.p.Compile()
			require.EqualError(t, err, c.want)
			_, err = c.p.Decide(Data{Arch: ArchX86, Nr: 4})
			require.Error(t, err, "Decide reads the entries as the compiler does")
		})
	}
}

// A sub-call entry with no rules, on an ABI that has the sub-call only
// through its multiplexer (accept on x86), is an error as it is where the
// ABI has the call: before, x86 alone took it for none.
func TestMultiplexedEntryWithoutRules(t *testing.T) {
	for _, p := range []*Policy{
		{Arch: ArchX86, Default: Errno(syscall.EPERM), Syscalls: []Syscall{{Name: "socketcall", Rules: []Rule{{Action: Allow}}}, {Name: "accept"}}},
		{Arch: ArchX86, Compat: []Arch{ArchX86_64}, Default: Errno(syscall.EPERM), Syscalls: []Syscall{{Name: "accept"}}},
	} {
		_, err := p.Compile()
		require.ErrorIs(t, err, errNoRules)
	}
}
