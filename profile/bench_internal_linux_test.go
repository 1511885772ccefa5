package profile

import (
	"encoding/json"
	"testing"

	"github.com/sandboxkit/seccomp"
)

// dockerSource is Docker's default profile as moby's default.json indents
// it.
func dockerSource(tb testing.TB) string {
	data, err := json.MarshalIndent(DockerDefault(), "", "\t")
	if err != nil {
		tb.Fatal(err)
	}
	return string(data)
}

// BenchmarkDecode measures Import's first stage alone: JSON bytes to a
// document, Docker's default profile.
func BenchmarkDecode(b *testing.B) {
	src := dockerSource(b)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decode(src); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkResolve measures Import's second stage alone: a decoded
// document to a policy, Docker's default profile for x86_64 (with x86 and
// x32, from its archMap).
func BenchmarkResolve(b *testing.B) {
	data, err := json.MarshalIndent(DockerDefault(), "", "\t")
	if err != nil {
		b.Fatal(err)
	}
	doc, err := decode(string(data))
	if err != nil {
		b.Fatal(err)
	}
	opts := Options{Arch: seccomp.ArchX86_64}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := resolveDocument(doc, opts); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodePooled measures decoding as Import does it: Docker's
// default profile, its arenas lent from a pooled scratch, so that the
// figure is the decoder's and not the garbage collector's.
func BenchmarkDecodePooled(b *testing.B) {
	src := dockerSource(b)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		mem := scratches.Get().(*scratch)
		if _, err := decodeIn(src, mem); err != nil {
			b.Fatal(err)
		}
		mem.release()
	}
}
