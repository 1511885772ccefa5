//go:build linux

package seccomp_test

import (
	"bytes"
	"encoding/json"
	"os"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sandboxkit/seccomp"
	"github.com/sandboxkit/seccomp/profile"
)

// equivalenceProfiles are real and hand-made profiles in Docker's format,
// beside Docker's default, that exercise the importer's rules: a denylist,
// split args, masked comparisons, every action.
var equivalenceProfiles = map[string]string{
	"denylist": `{
		"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [
			{"names": ["socket"], "action": "SCMP_ACT_ERRNO", "errnoRet": 97,
			 "args": [{"index": 0, "value": 2, "op": "SCMP_CMP_EQ"}]},
			{"names": ["socket"], "action": "SCMP_ACT_ERRNO", "errnoRet": 97,
			 "args": [{"index": 0, "value": 10, "op": "SCMP_CMP_EQ"}]},
			{"names": ["connect", "bind", "listen", "ptrace", "mount", "bpf"], "action": "SCMP_ACT_ERRNO"},
			{"names": ["kill"], "action": "SCMP_ACT_KILL_PROCESS",
			 "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}, {"index": 1, "value": 9, "op": "SCMP_CMP_EQ"}]}
		]
	}`,
	"every op and action": `{
		"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38,
		"syscalls": [
			{"names": ["read"], "action": "SCMP_ACT_ALLOW",
			 "args": [{"index": 0, "value": 4294967296, "op": "SCMP_CMP_LT"}, {"index": 2, "value": 100, "op": "SCMP_CMP_LE"}]},
			{"names": ["write"], "action": "SCMP_ACT_LOG",
			 "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_GE"}, {"index": 0, "value": 2, "op": "SCMP_CMP_LE"}]},
			{"names": ["openat"], "action": "SCMP_ACT_TRACE", "errnoRet": 7,
			 "args": [{"index": 2, "value": 3, "valueTwo": 1, "op": "SCMP_CMP_MASKED_EQ"}]},
			{"names": ["close"], "action": "SCMP_ACT_TRAP",
			 "args": [{"index": 0, "value": 18446744073709551615, "op": "SCMP_CMP_NE"}]},
			{"names": ["dup"], "action": "SCMP_ACT_KILL",
			 "args": [{"index": 5, "value": 9223372036854775808, "op": "SCMP_CMP_GT"}]},
			{"names": ["dup"], "action": "SCMP_ACT_NOTIFY",
			 "args": [{"index": 5, "value": 0, "op": "SCMP_CMP_EQ"}]},
			{"names": ["exit_group", "getpid"], "action": "SCMP_ACT_ALLOW"},
			{"names": ["getpid"], "action": "SCMP_ACT_KILL_THREAD", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}]}
		]
	}`,
}

// TestProfileEquivalence proves programs compiled from imported profiles
// right, as TestEquivalence does for the core's own policies: Docker's
// default with no capabilities and with the ones its filters name, and the
// hand-made profiles above, for every arch and layout.
func TestProfileEquivalence(t *testing.T) {
	type source struct {
		name   string
		policy func(profile.Options) (*seccomp.Policy, []string, error)
	}
	sources := []source{
		{"docker", func(o profile.Options) (*seccomp.Policy, []string, error) {
			return profile.FromDocker(profile.DockerDefault(), o)
		}},
		{"docker with CAP_SYS_ADMIN,CAP_SYS_PTRACE", func(o profile.Options) (*seccomp.Policy, []string, error) {
			o.Caps = []string{"CAP_SYS_ADMIN", "CAP_SYS_PTRACE"}
			return profile.FromDocker(profile.DockerDefault(), o)
		}},
		{"docker on kernel 4.4 without ENOSYS", func(o profile.Options) (*seccomp.Policy, []string, error) {
			o.Kernel, o.NoENOSYS = "4.4", true
			return profile.FromDocker(profile.DockerDefault(), o)
		}},
	}
	for name, js := range equivalenceProfiles {
		sources = append(sources, source{name, func(o profile.Options) (*seccomp.Policy, []string, error) {
			return profile.Import([]byte(js), o)
		}})
	}
	for _, src := range sources {
		// The importer targets these three until it learns the rest.
		for _, arch := range []seccomp.Arch{seccomp.ArchX86_64, seccomp.ArchAArch64, seccomp.ArchRISCV64} {
			p, _, err := src.policy(profile.Options{Arch: arch})
			if err != nil {
				t.Fatalf("%s for %s: %v", src.name, arch, err)
			}
			for _, layout := range []seccomp.Layout{seccomp.LayoutTree, seccomp.LayoutBitmap} {
				t.Run(src.name+"/"+arch.String()+"/"+layout.String(), func(t *testing.T) {
					seccomp.CheckEquivalence(t, p, layout)
				})
			}
		}
	}
}

// TestImportedEntryOrder checks that the compiler's fast reading of an
// imported policy of several ABIs (each ABI's entries one run, those of
// every ABI in the first's) makes the program its general reading of the
// same entries in another order does.
func TestImportedEntryOrder(t *testing.T) {
	for _, arch := range []seccomp.Arch{seccomp.ArchX86_64, seccomp.ArchAArch64} {
		p, _, err := profile.FromDocker(profile.DockerDefault(), profile.Options{Arch: arch})
		require.NoError(t, err)
		require.NotEmpty(t, p.Compat)
		every := 0
		for _, sc := range p.Syscalls {
			if sc.Arch == 0 {
				every++
			}
		}
		require.Greater(t, every, 200, "%s: entries of every ABI", arch)
		// Reversed, and under SkipMissing, which the fast reading leaves
		// to the general one; every ABI has each entry of every ABI, so
		// it skips none.
		reversed := *p
		reversed.Syscalls = slices.Clone(p.Syscalls)
		slices.Reverse(reversed.Syscalls)
		reversed.SkipMissing = true
		for _, layout := range []seccomp.Layout{seccomp.LayoutTree, seccomp.LayoutBitmap} {
			want, err := reversed.CompileLayout(layout)
			require.NoError(t, err)
			require.Empty(t, want.Notes)
			got, err := p.CompileLayout(layout)
			require.NoError(t, err)
			require.Equal(t, want.Instructions, got.Instructions, "%s, %s", arch, layout)
		}
	}
}

// TestDerivedX32 checks that x32's plan derived from x86_64's (as the
// importer's profiles let it be) is the plan x32's entries make on their
// own: Docker's and Podman's profiles and the hand-made ones, for x86_64
// with x86 and x32, with and without runc's ENOSYS stub and capabilities.
func TestDerivedX32(t *testing.T) {
	podman, err := os.ReadFile("profile/testdata/podman-seccomp.json")
	require.NoError(t, err)
	profiles := map[string][]byte{"podman": podman}
	for name, js := range equivalenceProfiles {
		profiles[name] = []byte(js)
	}
	derived := 0
	for _, opts := range []profile.Options{{}, {NoENOSYS: true}, {Caps: []string{"CAP_SYS_ADMIN", "CAP_SYS_PTRACE"}, Kernel: "4.4"}} {
		opts.Arch = seccomp.ArchX86_64
		p, _, err := profile.FromDocker(profile.DockerDefault(), opts)
		require.NoError(t, err)
		ok, diff, err := seccomp.DerivedX32(p)
		require.NoError(t, err)
		require.True(t, ok, "docker %+v: x32 planned, not derived", opts)
		require.Empty(t, diff, "docker %+v", opts)
		derived++
		for name, data := range profiles {
			o := opts
			p, _, err := profile.Import(withX86Family(t, data), o)
			require.NoError(t, err, name)
			ok, diff, err := seccomp.DerivedX32(p)
			require.NoError(t, err, name)
			require.Empty(t, diff, "%s %+v", name, opts)
			if ok {
				derived++
			}
		}
	}
	t.Logf("%d policies with x32's plan derived", derived)
}

// withX86Family is a profile's JSON with an archMap entry for x86_64 that
// lists x86 and x32, as Docker's has.
func withX86Family(t testing.TB, data []byte) []byte {
	t.Helper()
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber() // the args' 64-bit values, whole
	require.NoError(t, dec.Decode(&m))
	m["archMap"] = []any{map[string]any{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": []any{"SCMP_ARCH_X86", "SCMP_ARCH_X32"}}}
	out, err := json.Marshal(m)
	require.NoError(t, err)
	return out
}

// FuzzDerivedX32 is TestDerivedX32 on any profile: where x32's plan is
// derived from x86_64's, it is the plan x32's entries make on their own.
func FuzzDerivedX32(f *testing.F) {
	podman, err := os.ReadFile("profile/testdata/podman-seccomp.json")
	require.NoError(f, err)
	docker, err := json.Marshal(profile.DockerDefault())
	require.NoError(f, err)
	f.Add(docker)
	f.Add(podman)
	for _, js := range equivalenceProfiles {
		f.Add(withX86Family(f, []byte(js)))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, _, err := profile.Import(data, profile.Options{Arch: seccomp.ArchX86_64, Caps: []string{"CAP_SYS_PTRACE"}})
		if err != nil || !slices.Contains(p.Compat, seccomp.ArchX32) {
			return
		}
		_, diff, err := seccomp.DerivedX32(p)
		if err != nil {
			return // refused, derived or not: the equivalence tests see to that
		}
		require.Empty(t, diff)
	})
}
