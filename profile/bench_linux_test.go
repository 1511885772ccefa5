package profile_test

import (
	"encoding/json"
	"testing"

	"github.com/sandboxkit/seccomp"
	"github.com/sandboxkit/seccomp/profile"
)

// dockerJSON is Docker's default profile as a runtime reads it: JSON, as
// moby's own default.json indents it.
func dockerJSON(tb testing.TB) []byte {
	tb.Helper()
	data, err := json.MarshalIndent(profile.DockerDefault(), "", "\t")
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// BenchmarkImport measures JSON bytes to a policy: Docker's default profile
// for x86_64.
func BenchmarkImport(b *testing.B) {
	data := dockerJSON(b)
	opts := profile.Options{Arch: seccomp.ArchX86_64}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := profile.Import(data, opts); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkImportCompile measures JSON bytes to a program, what a runtime
// waits for at container start: Docker's default profile for x86_64,
// imported and compiled.
func BenchmarkImportCompile(b *testing.B) {
	data := dockerJSON(b)
	opts := profile.Options{Arch: seccomp.ArchX86_64}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var insns int
	for b.Loop() {
		pol, _, err := profile.Import(data, opts)
		if err != nil {
			b.Fatal(err)
		}
		prog, err := pol.Compile()
		if err != nil {
			b.Fatal(err)
		}
		insns = len(prog.Instructions)
	}
	b.ReportMetric(float64(insns), "instructions")
}
