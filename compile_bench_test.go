package seccomp_test

import (
	"testing"

	"github.com/sandboxkit/seccomp"
	"github.com/sandboxkit/seccomp/profile"
)

// BenchmarkCompileDocker compiles Docker's default profile, imported once
// for x86_64 as compare/ imports it, and reports the program's size.
func BenchmarkCompileDocker(b *testing.B) {
	for _, layout := range []seccomp.Layout{seccomp.LayoutTree, seccomp.LayoutBitmap} {
		b.Run(layout.String(), func(b *testing.B) {
			p, _, err := profile.FromDocker(profile.DockerDefault(), profile.Options{Arch: seccomp.ArchX86_64, NoENOSYS: true})
			if err != nil {
				b.Fatal(err)
			}
			var prog seccomp.Program
			b.ReportAllocs()
			for b.Loop() {
				if prog, err = p.CompileLayout(layout); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(prog.Instructions)), "insns")
		})
	}
}
