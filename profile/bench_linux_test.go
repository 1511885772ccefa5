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

// dockerJSONOneABI is dockerJSON without its archMap: for x86_64, a
// policy of that ABI alone.
func dockerJSONOneABI(tb testing.TB) []byte {
	tb.Helper()
	p := profile.DockerDefault()
	p.ArchMap = nil
	data, err := json.MarshalIndent(p, "", "\t")
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// BenchmarkImport measures JSON bytes to a policy: Docker's default profile
// for x86_64, with the x86 and x32 ABIs its archMap adds.
func BenchmarkImport(b *testing.B) {
	benchImport(b, dockerJSON(b), false)
}

// BenchmarkImportCompile measures JSON bytes to a program, what a runtime
// waits for at container start: Docker's default profile for x86_64 (with
// x86 and x32), imported and compiled.
func BenchmarkImportCompile(b *testing.B) {
	benchImport(b, dockerJSON(b), true)
}

// BenchmarkImportOneABI is BenchmarkImport for x86_64 alone: the profile
// without its archMap.
func BenchmarkImportOneABI(b *testing.B) {
	benchImport(b, dockerJSONOneABI(b), false)
}

// BenchmarkImportCompileOneABI is BenchmarkImportCompile for x86_64
// alone: the profile without its archMap.
func BenchmarkImportCompileOneABI(b *testing.B) {
	benchImport(b, dockerJSONOneABI(b), true)
}

// benchImport imports data for x86_64, and compiles the policy if asked,
// reporting the policy's entries and the program's instructions.
func benchImport(b *testing.B, data []byte, compile bool) {
	opts := profile.Options{Arch: seccomp.ArchX86_64}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var entries, insns int
	for b.Loop() {
		pol, _, err := profile.Import(data, opts)
		if err != nil {
			b.Fatal(err)
		}
		entries = len(pol.Syscalls)
		if !compile {
			continue
		}
		prog, err := pol.Compile()
		if err != nil {
			b.Fatal(err)
		}
		insns = len(prog.Instructions)
	}
	b.ReportMetric(float64(entries), "entries")
	if compile {
		b.ReportMetric(float64(insns), "instructions")
	}
}
