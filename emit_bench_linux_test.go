//go:build linux

package seccomp_test

import (
	"testing"

	"github.com/sandboxkit/seccomp"
	"github.com/sandboxkit/seccomp/profile"
)

// BenchmarkEmitDocker times the emission alone (seccomp.TimeEmission:
// what a compile does once its plans are made) of BenchmarkCompileDocker's
// policies: Docker's profile for x86_64 with x86 and x32, and x86_64 alone.
//
//	go test -run '^$' -bench BenchmarkEmitDocker -benchmem .
func BenchmarkEmitDocker(b *testing.B) {
	all, _, err := profile.FromDocker(profile.DockerDefault(), profile.Options{Arch: seccomp.ArchX86_64, NoENOSYS: true})
	if err != nil {
		b.Fatal(err)
	}
	for _, abis := range []struct {
		name string
		p    *seccomp.Policy
	}{{"abis=1", nativeOnly(all)}, {"abis=3", all}} {
		for _, layout := range []seccomp.Layout{seccomp.LayoutTree, seccomp.LayoutBitmap} {
			b.Run(abis.name+"/"+layout.String(), func(b *testing.B) {
				seccomp.TimeEmission(b, abis.p, layout)
			})
		}
	}
}
