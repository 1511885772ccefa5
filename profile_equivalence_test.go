//go:build linux

package seccomp_test

import (
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
