package profile_test

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	mobyseccomp "github.com/moby/profiles/seccomp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sandboxkit/seccomp"
	"github.com/sandboxkit/seccomp/profile"
)

// dockerArchName is each ABI as Docker's includes and excludes spell it.
var dockerArchName = map[seccomp.Arch]string{
	seccomp.ArchX86_64: "amd64", seccomp.ArchX86: "x86", seccomp.ArchX32: "x32",
	seccomp.ArchAArch64: "arm64", seccomp.ArchARM: "arm",
	seccomp.ArchMIPS64: "mips64", seccomp.ArchMIPS: "mips",
}

// multiABIProfile has what a compat ABI resolves on its own numbers: a
// name one ABI lacks, a typo, conditional rules that overlap, a rule an
// unconditional one drops, args split on one index, filters on the
// target's and a compat ABI's arch name, and a highest name with the
// default action only (runc's ENOSYS stub).
const multiABIProfile = `{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":1,
	"archMap":[{"architecture":"SCMP_ARCH_X86_64","subArchitectures":["SCMP_ARCH_X86","SCMP_ARCH_X32"]},
		{"architecture":"SCMP_ARCH_AARCH64","subArchitectures":["SCMP_ARCH_ARM"]},
		{"architecture":"SCMP_ARCH_MIPS64","subArchitectures":["SCMP_ARCH_MIPS"]}],
	"syscalls":[
		{"names":["read","write","arch_prctl","socketcall","waitpid","mkdri","time"],"action":"SCMP_ACT_ALLOW"},
		{"names":["kill"],"action":"SCMP_ACT_ERRNO","errnoRet":3,"args":[{"index":0,"value":1,"op":"SCMP_CMP_GE"},{"index":0,"value":5,"op":"SCMP_CMP_LE"}]},
		{"names":["kill","clone"],"action":"SCMP_ACT_TRACE","errnoRet":3,"args":[{"index":1,"value":9,"op":"SCMP_CMP_EQ"}]},
		{"names":["clone"],"action":"SCMP_ACT_LOG","args":[{"index":1,"value":1,"op":"SCMP_CMP_NE"}]},
		{"names":["socket"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":2,"op":"SCMP_CMP_EQ"}]},
		{"names":["socket","open"],"action":"SCMP_ACT_KILL"},
		{"names":["open"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":2,"op":"SCMP_CMP_EQ"}]},
		{"names":["set_thread_area"],"action":"SCMP_ACT_ALLOW","includes":{"arches":["amd64","x86"]}},
		{"names":["modify_ldt"],"action":"SCMP_ACT_ALLOW","excludes":{"arches":["x86"]}},
		{"names":["ptrace"],"action":"SCMP_ACT_ALLOW","includes":{"caps":["CAP_SYS_PTRACE"],"minKernel":"4.8"}},
		{"names":["getxattrat","listxattrat","uretprobe"],"action":"SCMP_ACT_ERRNO","errnoRet":1}]}`

// perABIReference resolves p the slow way, each ABI on its own as a
// single-ABI import: the target without its archMap, and each compat ABI
// as a target of its own whose filters name it where p's name the target
// (and the other way round), since a compat ABI reads them for the target.
// The notes are the target's, then each ABI's that are new.
func perABIReference(t *testing.T, p *mobyseccomp.Seccomp, opts profile.Options, compat []seccomp.Arch) (*seccomp.Policy, []string) {
	t.Helper()
	want, notes, err := perABIReferenceErr(t, p, opts, compat)
	require.NoError(t, err)
	return want, notes
}

// perABIReferenceErr is perABIReference, with the error of an ABI that
// fails on its own.
func perABIReferenceErr(t *testing.T, p *mobyseccomp.Seccomp, opts profile.Options, compat []seccomp.Arch) (*seccomp.Policy, []string, error) {
	t.Helper()
	strip := func(swap map[string]string) *mobyseccomp.Seccomp {
		q := *p
		q.ArchMap, q.Architectures = nil, nil
		q.Syscalls = make([]*mobyseccomp.Syscall, len(p.Syscalls))
		for i, sc := range p.Syscalls {
			c := *sc
			for _, f := range []**mobyseccomp.Filter{&c.Includes, &c.Excludes} {
				if *f == nil {
					continue
				}
				g := **f
				g.Arches = slices.Clone(g.Arches)
				for j, a := range g.Arches {
					if s, ok := swap[a]; ok {
						g.Arches[j] = s
					}
				}
				*f = &g
			}
			q.Syscalls[i] = &c
		}
		return &q
	}
	want, notes, err := profile.FromDocker(strip(nil), opts)
	if err != nil {
		return nil, nil, err
	}
	want.Compat = compat
	for i := range want.Syscalls {
		want.Syscalls[i] = onABI(opts.Arch, want.Syscalls[i])
	}
	for _, abi := range compat {
		target, own := dockerArchName[opts.Arch], dockerArchName[abi]
		o := opts
		o.Arch = abi
		sub, subNotes, err := profile.FromDocker(strip(map[string]string{target: own, own: target}), o)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", abi, err)
		}
		for _, sc := range sub.Syscalls {
			want.Syscalls = append(want.Syscalls, onABI(abi, sc))
		}
		for _, n := range subNotes {
			if !slices.Contains(notes, n) {
				notes = append(notes, n)
			}
		}
	}
	return shareAcrossABIs(t, want), notes, nil
}

// shareAcrossABIs turns the target's entries of a name that every ABI
// has an entry of into one entry of every ABI, in the target's place,
// which they must be: Docker's filters are read for the target, and the
// rules of a name are its entries', on every ABI. runc's ENOSYS stubs (the
// default action only) stay each its ABI's, since the highest name is
// each ABI's own.
func shareAcrossABIs(t *testing.T, p *seccomp.Policy) *seccomp.Policy {
	t.Helper()
	stub := func(sc seccomp.Syscall) bool {
		return len(sc.Rules) == 1 && len(sc.Rules[0].Conds) == 0 && sc.Rules[0].Action == p.Default
	}
	byABI := map[seccomp.Arch]map[string]seccomp.Syscall{}
	for _, sc := range p.Syscalls {
		if byABI[sc.Arch] == nil {
			byABI[sc.Arch] = map[string]seccomp.Syscall{}
		}
		if !stub(sc) {
			byABI[sc.Arch][sc.Name] = sc
		}
	}
	shared := map[string]bool{}
	for name, sc := range byABI[p.Arch] {
		on := true
		for _, abi := range p.Compat {
			other, ok := byABI[abi][name]
			on = on && ok
			if ok {
				require.Equal(t, sc.Rules, other.Rules, "%q on %s and %s", name, p.Arch, abi)
			}
		}
		shared[name] = on
	}
	q := *p
	q.Syscalls = make([]seccomp.Syscall, 0, len(p.Syscalls)) // none is an empty list, with compat ABIs
	for _, sc := range p.Syscalls {
		switch {
		case stub(sc) || !shared[sc.Name]:
			q.Syscalls = append(q.Syscalls, sc)
		case sc.Arch == p.Arch:
			sc.Arch = 0
			q.Syscalls = append(q.Syscalls, sc)
		}
	}
	return &q
}

// TestImportMultiABIAsEachABI checks that a target imported with its
// archMap's ABIs, which resolves the entries once for them all, is the
// policy and the notes that resolving each ABI on its own makes.
func TestImportMultiABIAsEachABI(t *testing.T) {
	podman, err := os.ReadFile("testdata/podman-seccomp.json")
	require.NoError(t, err)
	profiles := []struct {
		name string
		data []byte
	}{{"docker", dockerJSON(t)}, {"podman", podman}, {"hand-made", []byte(multiABIProfile)}}
	targets := []struct {
		arch   seccomp.Arch
		compat []seccomp.Arch
	}{
		{seccomp.ArchX86_64, []seccomp.Arch{seccomp.ArchX86, seccomp.ArchX32}},
		{seccomp.ArchAArch64, []seccomp.Arch{seccomp.ArchARM}},
		{seccomp.ArchMIPS64, []seccomp.Arch{seccomp.ArchMIPS}},
	}
	for _, pr := range profiles {
		for _, tg := range targets {
			if pr.name == "podman" && tg.arch == seccomp.ArchMIPS64 {
				continue // Parse numbers its errno names as Linux's generic ones, not MIPS's
			}
			for _, opts := range []profile.Options{
				{Arch: tg.arch},
				{Arch: tg.arch, Caps: []string{"CAP_SYS_ADMIN", "CAP_SYS_PTRACE", "CAP_BPF"}, Kernel: "4.4"},
				{Arch: tg.arch, NoENOSYS: true},
			} {
				t.Run(pr.name+"/"+tg.arch.String(), func(t *testing.T) {
					parsed, err := profile.Parse(pr.data)
					require.NoError(t, err)
					want, wantNotes := perABIReference(t, parsed, opts, tg.compat)
					got, notes, err := profile.Import(pr.data, opts)
					require.NoError(t, err)
					require.Equal(t, want, got, "%+v", opts)
					// The target's note on archMap ABIs without a table
					// (mips64n32) is the only one the reference lacks.
					notes = slices.DeleteFunc(notes, func(n string) bool { return strings.HasPrefix(n, "architectures: ") })
					assert.Equal(t, wantNotes, notes)
					_, err = got.Compile()
					require.NoError(t, err)
				})
			}
		}
	}
}

// FuzzImportMultiABI checks TestImportMultiABIAsEachABI's claim on any
// profile that compiles for a target with compat ABIs of its family (the
// x86, arm and mips ABIs, which number errno names alike): the policy is
// each ABI's resolved on its own, a name every ABI has one entry of every
// ABI with the same rules on each, and so are the notes.
func FuzzImportMultiABI(f *testing.F) {
	podman, err := os.ReadFile("testdata/podman-seccomp.json")
	require.NoError(f, err)
	for _, seed := range [][]byte{dockerJSON(f), podman, []byte(multiABIProfile)} {
		for k := range 3 {
			f.Add(seed, uint8(k))
		}
	}
	targets := []seccomp.Arch{seccomp.ArchX86_64, seccomp.ArchAArch64, seccomp.ArchMIPS64}
	family := map[seccomp.Arch][]seccomp.Arch{
		seccomp.ArchX86_64:  {seccomp.ArchX86, seccomp.ArchX32},
		seccomp.ArchAArch64: {seccomp.ArchARM},
		seccomp.ArchMIPS64:  {seccomp.ArchMIPS, seccomp.ArchMIPSEL64, seccomp.ArchMIPSEL},
	}
	f.Fuzz(func(t *testing.T, data []byte, k uint8) {
		opts := profile.Options{Arch: targets[int(k)%len(targets)], Caps: []string{"CAP_SYS_PTRACE"}}
		got, notes, err := profile.Import(data, opts)
		if err != nil || len(got.Compat) == 0 || len(notes) > 500 || profile.UsesErrnoNames(data) {
			return // no compat ABI; or near maxNotes, where each ABI validates on its own
		}
		for _, c := range got.Compat {
			if !slices.Contains(family[opts.Arch], c) {
				return // another errno family: resolved on its own (TestImportCompatABIErrnoNumbers)
			}
		}
		parsed, err := profile.Parse(data)
		require.NoError(t, err, "Import reads it")
		want, wantNotes, err := perABIReferenceErr(t, parsed, opts, got.Compat)
		if err != nil {
			return // an ABI fails on its own where the target's filters keep an entry it fails on
		}
		require.Equal(t, want, got)
		// Import's notes are the ABIs', and those on fields, which
		// FromDocker, reading Docker's types, never sees.
		for _, n := range wantNotes {
			require.Contains(t, notes, n)
		}
	})
}

// TestImportMultiABIStrictCountsEachABI checks that under Strict, a note
// every ABI takes counts once an ABI, as the resolution of each ABI on its
// own takes it, though the entries are validated once.
func TestImportMultiABIStrictCountsEachABI(t *testing.T) {
	data := []byte(`{"defaultAction":"SCMP_ACT_ERRNO","archMap":[{"architecture":"SCMP_ARCH_X86_64","subArchitectures":["SCMP_ARCH_X86","SCMP_ARCH_X32"]}],
		"syscalls":[{"names":["read","mkdri"],"action":"SCMP_ACT_ALLOW"},{"names":["open"],"action":"SCMP_ACT_ALLOW","erronRet":1}]}`)
	_, _, err := profile.Import(data, profile.Options{Arch: seccomp.ArchX86_64, Strict: true})
	// Each of the 3 ABIs takes the unknown field and the typo.
	assert.EqualError(t, err, `profile: strict: syscalls[1] ("open"): unknown field "erronRet" (line 2, column 112): ignored (and 5 more)`)
}

// TestImportKeepsNothingOfItsInput checks that what Import returns holds no
// memory of its input, which it reads without copying: changing the input
// afterwards changes nothing of the policy, the notes or the error.
func TestImportKeepsNothingOfItsInput(t *testing.T) {
	inputs := [][]byte{dockerJSON(t), []byte(multiABIProfile),
		[]byte(`{"defaultAction":"SCMP_ACT_ERRNO","flags":["SECCOMP_FILTER_FLAG_LOG"],"syscalls":[{"names":["read","mkdri","arch_prctl\u0000"],"action":"SCMP_ACT_ALLOW","Comment":"x","bogus":1}]}`),
		[]byte(`{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_NONE"}]}`),
		[]byte(`{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ERRNO","errno":"ENOPE"}]}`),
	}
	for i, data := range inputs {
		for _, opts := range []profile.Options{{Arch: seccomp.ArchX86_64}, {Arch: seccomp.ArchX86_64, Strict: true}} {
			input := slices.Clone(data)
			got, notes, err := profile.Import(input, opts)
			for j := range input {
				input[j] = 'X'
			}
			want, wantNotes, wantErr := profile.Import(data, opts)
			assert.Equal(t, want, got, "input %d", i)
			assert.Equal(t, wantNotes, notes, "input %d", i)
			assert.Equal(t, wantErr, err, "input %d", i)
		}
	}
}

// TestCompileLeavesImportedRulesAlone checks that compiling an imported
// policy, whose entries share rule lists, changes none of them.
func TestCompileLeavesImportedRulesAlone(t *testing.T) {
	for _, data := range [][]byte{dockerJSON(t), []byte(multiABIProfile)} {
		for _, arch := range []seccomp.Arch{seccomp.ArchX86_64, seccomp.ArchAArch64} {
			pol, _, err := profile.Import(data, profile.Options{Arch: arch})
			require.NoError(t, err)
			for _, layout := range []seccomp.Layout{seccomp.LayoutTree, seccomp.LayoutBitmap} {
				_, err := pol.CompileLayout(layout)
				require.NoError(t, err)
			}
			fresh, _, err := profile.Import(data, profile.Options{Arch: arch})
			require.NoError(t, err)
			assert.Equal(t, fresh, pol, "%s", arch)
		}
	}
}

// TestImportCompatABIErrnoNumbers checks that a compat ABI that numbers
// errno names otherwise than the target (PowerPC's EDEADLOCK is 58, the
// generic one 35: arch/powerpc/include/uapi/asm/errno.h,
// include/uapi/asm-generic/errno.h) resolves them on its own numbers.
func TestImportCompatABIErrnoNumbers(t *testing.T) {
	data := []byte(`{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_PPC64LE","SCMP_ARCH_X86_64"],
		"syscalls":[{"names":["read"],"action":"SCMP_ACT_ERRNO","errno":"EDEADLOCK"}]}`)
	got, _, err := profile.Import(data, profile.Options{Arch: seccomp.ArchPPC64LE})
	require.NoError(t, err)
	want := &seccomp.Policy{Arch: seccomp.ArchPPC64LE, Compat: []seccomp.Arch{seccomp.ArchX86_64}, Default: seccomp.Allow, BadArch: seccomp.KillThread,
		Syscalls: []seccomp.Syscall{
			onABI(seccomp.ArchPPC64LE, call("read", seccomp.Rule{Action: seccomp.Errno(58)})),
			onABI(seccomp.ArchX86_64, call("read", seccomp.Rule{Action: seccomp.Errno(35)})),
		}}
	assert.Equal(t, want, got)
}

// TestImportMultiABINotesBound checks the bound on notes with compat ABIs:
// each ABI keeps up to 1,000 and counts the rest, and the count of those
// left out is every ABI's.
func TestImportMultiABINotesBound(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"defaultAction":"SCMP_ACT_ERRNO","archMap":[{"architecture":"SCMP_ARCH_X86_64","subArchitectures":["SCMP_ARCH_X86","SCMP_ARCH_X32"]}],"syscalls":[`)
	for i := range 1100 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"names":["read"],"action":"SCMP_ACT_ALLOW","bogus":1}`)
	}
	b.WriteString(`]}`)
	_, notes, err := profile.Import([]byte(b.String()), profile.Options{Arch: seccomp.ArchX86_64})
	require.NoError(t, err)
	require.Len(t, notes, 1001)
	// 1,100 unknown fields on each of 3 ABIs, 1,000 of them kept (the
	// compat ABIs' the same as the target's).
	assert.Equal(t, "300 more notes left out", notes[1000])
}
