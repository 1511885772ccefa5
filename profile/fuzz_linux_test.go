package profile_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	mobyseccomp "github.com/moby/profiles/seccomp"
	"github.com/stretchr/testify/require"

	"github.com/sandboxkit/seccomp"
	"github.com/sandboxkit/seccomp/profile"
)

// oracle reads a profile as the importer did before it had a decoder of
// its own, and as runc and Docker read it: encoding/json into Docker's
// types, taking an OCI config.json's linux.seccomp.
func oracle(data []byte) (*mobyseccomp.Seccomp, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, err
	}
	if _, ok := top["linux"]; ok && top["defaultAction"] == nil && top["syscalls"] == nil {
		var cfg struct {
			Linux struct {
				Seccomp json.RawMessage `json:"seccomp"`
			} `json:"linux"`
		}
		if err := json.Unmarshal(data, &cfg); err != nil {
			return nil, err
		}
		data = cfg.Linux.Seccomp
	}
	var p mobyseccomp.Seccomp
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// fuzzSeeds are the profiles the tests know: Docker's default as JSON,
// the testdata profiles, and hand-made ones.
func fuzzSeeds(tb testing.TB) [][]byte {
	seeds := [][]byte{dockerJSON(tb)}
	files, err := filepath.Glob("testdata/*.json")
	require.NoError(tb, err)
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(tb, err)
		seeds = append(seeds, data)
	}
	for _, s := range []string{
		`{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["socket"],"action":"SCMP_ACT_ALLOW","arg":[{"index":0,"value":2,"op":"SCMP_CMP_EQ"}]}]}`,
		`{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdri"],"action":"SCMP_ACT_ERRNO","erronRet":13}]}`,
		`{"defaultAction":"SCMP_ACT_ERRNO","archMap":[{"architecture":"SCMP_ARCH_X86_64","subArchitectures":["SCMP_ARCH_X86"]}],"syscalls":[{"names":["clone"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":2114060288,"valueTwo":0,"op":"SCMP_CMP_MASKED_EQ"}],"includes":{"minKernel":"4.8","caps":["CAP_SYS_ADMIN"]},"excludes":{"arches":["arm64"]}}]}`,
		`{"ociVersion":"1.2.0","linux":{"seccomp":{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"Names":["read"],"action":"SCMP_ACT_ALLOW","errno":"EPERM"}]}}}`,
		`{"defaultAction":"SCMP_ACT_KILL","syscalls":[{"names":["kill"],"action":"SCMP_ACT_ERRNO","errnoRet":1,"args":[{"index":0,"value":1,"op":"SCMP_CMP_GE"},{"index":0,"value":5,"op":"SCMP_CMP_LE"}]},{"name":"kill","action":"SCMP_ACT_TRACE","errnoRet":3}]}`,
	} {
		seeds = append(seeds, []byte(s))
	}
	return seeds
}

// FuzzImport feeds the importer any bytes. It must not panic; it returns
// an error, or a policy that compiles or is refused only for its size.
// Where encoding/json into Docker's types (runc's reading) refuses the
// input, so must Import; where both read it, they must mean the same.
func FuzzImport(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s, uint8(0))
	}
	f.Fuzz(func(t *testing.T, data []byte, archIdx uint8) {
		arches := seccomp.Arches()
		opts := profile.Options{Arch: arches[int(archIdx)%len(arches)], Caps: []string{"CAP_SYS_ADMIN"}}
		pol, notes, err := profile.Import(data, opts)
		ref, refErr := oracle(data)
		if err != nil {
			if pol != nil || notes != nil {
				t.Fatalf("error %v with a policy or notes", err)
			}
			if !strings.HasPrefix(err.Error(), "profile: ") || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %q: want one line starting with profile:", err)
			}
			return
		}
		if refErr != nil {
			t.Fatalf("Import read what encoding/json refuses (%v): %+v", refErr, pol)
		}
		for _, layout := range []seccomp.Layout{seccomp.LayoutTree, seccomp.LayoutBitmap} {
			if _, err := pol.CompileLayout(layout); err != nil && !strings.Contains(err.Error(), "limit of 4096") {
				t.Fatalf("%s layout: %v", layout, err)
			}
		}
		if profile.UsesErrnoNames(data) {
			return // encoding/json into Docker's types ignores them
		}
		want, _, wantErr := profile.FromDocker(ref, opts)
		if wantErr != nil {
			t.Fatalf("Import read what FromDocker refuses (%v)", wantErr)
		}
		require.Equal(t, want, pol, "Import and encoding/json+FromDocker differ")

		strict := opts
		strict.Strict = true
		if _, _, err := profile.Import(data, strict); err != nil && !strings.HasPrefix(err.Error(), "profile: strict: ") {
			t.Fatalf("Strict: %v", err)
		}
	})
}
