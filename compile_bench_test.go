//go:build linux

package seccomp_test

import (
	"testing"

	"github.com/sandboxkit/seccomp"
	"github.com/sandboxkit/seccomp/profile"
)

// BenchmarkCompileDocker compiles Docker's default profile, imported once
// for x86_64 as compare/ imports it: the program that serves the ABIs of
// the profile's archMap (x86_64, x86, x32), and x86_64's part alone. It
// reports the program's size.
//
//	go test -run '^$' -bench BenchmarkCompileDocker -benchmem .
func BenchmarkCompileDocker(b *testing.B) {
	all, _, err := profile.FromDocker(profile.DockerDefault(), profile.Options{Arch: seccomp.ArchX86_64, NoENOSYS: true})
	if err != nil {
		b.Fatal(err)
	}
	if len(all.Compat) != 2 {
		b.Fatalf("Docker's profile on x86_64 imports with compat ABIs %v, want x86 and x32", all.Compat)
	}
	single := *all
	single.Compat, single.Syscalls = nil, nil
	for _, sc := range all.Syscalls {
		if sc.Arch == 0 || sc.Arch == seccomp.ArchX86_64 {
			single.Syscalls = append(single.Syscalls, sc)
		}
	}
	for _, abis := range []struct {
		name string
		p    *seccomp.Policy
	}{{"abis=1", &single}, {"abis=3", all}} {
		for _, layout := range []seccomp.Layout{seccomp.LayoutTree, seccomp.LayoutBitmap} {
			b.Run(abis.name+"/"+layout.String(), func(b *testing.B) {
				var prog seccomp.Program
				b.ReportAllocs()
				for b.Loop() {
					if prog, err = abis.p.CompileLayout(layout); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(len(prog.Instructions)), "insns")
			})
		}
	}
}
