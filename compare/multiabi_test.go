package main

import (
	"os"
	"slices"
	"syscall"
	"testing"

	libseccomp "github.com/seccomp/libseccomp-golang"
	"golang.org/x/sys/unix"

	"github.com/sandboxkit/seccomp"
)

// multiABISetOf returns the set of multiABISets for arch.
func multiABISetOf(t *testing.T, arch seccomp.Arch) multiABISet {
	t.Helper()
	for _, set := range multiABISets {
		if set.arch == arch {
			return set
		}
	}
	t.Fatalf("no multi-ABI set for %s", arch)
	return multiABISet{}
}

// TestLibseccompMultiABIAgrees checks that libseccomp's one filter for
// the ABIs of Docker's archMap (AddArch) decides every ABI as our program
// does, but for x32 inputs whose args differ in their high halves
// (libseccomp reads only the low halves: the deliberate difference) and
// the differences scmpExplain accounts for.
func TestLibseccompMultiABIAgrees(t *testing.T) {
	for _, tc := range []struct {
		name string
		arch seccomp.Arch
		abis []seccomp.Arch // the archMap's, from Docker's profile
	}{
		{"x86_64", seccomp.ArchX86_64, []seccomp.Arch{seccomp.ArchX86_64, seccomp.ArchX86, seccomp.ArchX32}},
		{"aarch64", seccomp.ArchAArch64, []seccomp.Arch{seccomp.ArchAArch64, seccomp.ArchARM}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			multiABIAgrees(t, multiABISetOf(t, tc.arch), tc.abis)
		})
	}
}

func multiABIAgrees(t *testing.T, set multiABISet, abis []seccomp.Arch) {
	p, err := multiABIPolicy(set.arch)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(policyABIs(p), abis) {
		t.Fatalf("ABIs %v, want %v", policyABIs(p), abis)
	}
	ref, err := p.CompileLayout(seccomp.LayoutTree)
	if err != nil {
		t.Fatal(err)
	}
	compilers := []compiler{oursCompiler(seccomp.LayoutBitmap), libseccompMultiCompiler(0)}
	if libseccompHasOptimize() {
		compilers = append(compilers, libseccompMultiCompiler(2))
	}
	for _, c := range compilers {
		prog, err := c.compile(p)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if prog.Arch != set.arch {
			t.Fatalf("%s: program for %s, want %s", c.name, prog.Arch, set.arch)
		}
		// An arch outside the set gets the bad-arch action: libseccomp's
		// filter holds the set's arches alone, not its native x86_64.
		other := seccomp.ArchX86_64
		if slices.Contains(abis, other) {
			other = seccomp.ArchAArch64
		}
		for _, nr := range []uint32{0, 1, 59, 221} {
			r, err := verdict(prog, seccomp.Data{Nr: nr, Arch: other})
			if err != nil {
				t.Fatal(err)
			}
			if r != p.BadArch.Ret() {
				t.Errorf("%s: %s nr %d: %s, want the bad-arch action %s", c.name, other, nr, retString(r), p.BadArch)
			}
		}
		for _, abi := range policyABIs(p) {
			var explain func(seccomp.Arch, uint32, bool, uint32, uint32) string
			if c.name != "ours bitmap" {
				explain = scmpExplain
			}
			v, err := verifyABI(p, abi, ref, prog, explain)
			if err != nil {
				t.Fatalf("%s / %s: %v", c.name, abi, err)
			}
			t.Logf("%s / %s: %d inputs, %d differ by x32 high halves only, explained %v", c.name, abi, v.checked, v.deliberate, v.explained)
			if v.nInScope > 0 {
				t.Errorf("%s / %s decides differently on %d inputs: %v", c.name, abi, v.nInScope, v.inScope)
			}
			if v.deliberate > 0 && abi != seccomp.ArchX32 {
				t.Errorf("%s / %s: high-half differences counted outside x32", c.name, abi)
			}
		}
	}
}

// TestVerifyABICatchesDisagreement checks that verifyABI flags, on the
// ABIs a mutation of the policy changes and on no other, the program
// compiled from the mutated policy: socket(AF_INET6) dropped changes every
// ABI; cacheflush dropped changes only arm, where it is a private call at
// 0x0f0002 (aarch64 lacks it).
func TestVerifyABICatchesDisagreement(t *testing.T) {
	dropSocketINET6 := func(q *seccomp.Policy) bool {
		dropped := false
		for i, sc := range q.Syscalls {
			if sc.Name == "socket" {
				q.Syscalls[i].Rules = slices.DeleteFunc(slices.Clone(sc.Rules), func(r seccomp.Rule) bool {
					del := len(r.Conds) == 1 && r.Conds[0].Op == seccomp.OpEqual && r.Conds[0].Value == syscall.AF_INET6
					dropped = dropped || del
					return del
				})
			}
		}
		return dropped
	}
	dropCacheflush := func(q *seccomp.Policy) bool {
		n := len(q.Syscalls)
		q.Syscalls = slices.DeleteFunc(q.Syscalls, func(sc seccomp.Syscall) bool { return sc.Name == "cacheflush" })
		return len(q.Syscalls) < n
	}
	for _, tc := range []struct {
		name    string
		arch    seccomp.Arch
		mutate  func(*seccomp.Policy) bool // reports whether it changed q
		flagged []seccomp.Arch             // the ABIs it changes
	}{
		{"x86_64 socket(AF_INET6)", seccomp.ArchX86_64, dropSocketINET6, []seccomp.Arch{seccomp.ArchX86_64, seccomp.ArchX86, seccomp.ArchX32}},
		{"aarch64 socket(AF_INET6)", seccomp.ArchAArch64, dropSocketINET6, []seccomp.Arch{seccomp.ArchAArch64, seccomp.ArchARM}},
		{"aarch64 cacheflush", seccomp.ArchAArch64, dropCacheflush, []seccomp.Arch{seccomp.ArchARM}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := multiABIPolicy(tc.arch)
			if err != nil {
				t.Fatal(err)
			}
			ref, err := p.CompileLayout(seccomp.LayoutTree)
			if err != nil {
				t.Fatal(err)
			}
			q, err := multiABIPolicy(tc.arch)
			if err != nil {
				t.Fatal(err)
			}
			if !tc.mutate(q) {
				t.Fatal("the mutation found nothing to change")
			}
			got, err := q.CompileLayout(seccomp.LayoutTree)
			if err != nil {
				t.Fatal(err)
			}
			for _, abi := range policyABIs(p) {
				v, err := verifyABI(p, abi, ref, got, scmpExplain)
				if err != nil {
					t.Fatal(err)
				}
				if want := slices.Contains(tc.flagged, abi); (v.nInScope > 0) != want {
					t.Errorf("%s: %d disagreements %v, want some: %v", abi, v.nInScope, v.inScope, want)
				}
			}
		})
	}
}

// TestLibseccompOneFilterSameAsMerged checks what the aarch64 table's note
// says of runc: one libseccomp filter holding both ABIs, every entry of
// the policy added to it by name with SetOptimize(2), as runc's
// InitSeccomp builds it on an aarch64 host (there NewFilter starts with
// aarch64; here it is AddArch, and the host's x86_64 removed), exports
// the same program as libseccompMultiCompiler(2), which merges a filter
// per ABI.
func TestLibseccompOneFilterSameAsMerged(t *testing.T) {
	if !libseccompHasOptimize() {
		t.Skipf("libseccomp %s has no SetOptimize(2)", libseccompVersion())
	}
	p, err := multiABIPolicy(seccomp.ArchAArch64)
	if err != nil {
		t.Fatal(err)
	}
	fd, err := unix.MemfdCreate("bpf", unix.MFD_CLOEXEC)
	if err != nil {
		t.Fatal(err)
	}
	buf := os.NewFile(uintptr(fd), "memfd:bpf")
	defer buf.Close()
	merged, err := libseccompMultiCompile(p, 2, buf)
	if err != nil {
		t.Fatal(err)
	}
	merged = slices.Clone(merged)

	def, badArch, err := scmpActions(p)
	if err != nil {
		t.Fatal(err)
	}
	f, err := libseccomp.NewFilter(def)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Release()
	for _, a := range []libseccomp.ScmpArch{libseccomp.ArchARM64, libseccomp.ArchARM} {
		if err := f.AddArch(a); err != nil {
			t.Fatal(err)
		}
	}
	native, err := scmpNative()
	if err != nil {
		t.Fatal(err)
	}
	if native != libseccomp.ArchARM64 {
		if err := f.RemoveArch(native); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.SetBadArchAction(badArch); err != nil {
		t.Fatal(err)
	}
	if err := f.SetOptimize(2); err != nil {
		t.Fatal(err)
	}
	for _, sc := range p.Syscalls {
		nr, err := libseccomp.GetSyscallFromName(sc.Name)
		if err != nil {
			continue // runc skips a name libseccomp does not know
		}
		for _, r := range sc.Rules {
			if r.Action == p.Default {
				continue
			}
			if err := addScmpRule(f, nr, r); err != nil {
				t.Fatalf("%s: %v", sc.Name, err)
			}
			if len(r.Conds) == 0 {
				break
			}
		}
	}
	one, err := exportBPF(f, buf)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(one, merged) {
		t.Errorf("one filter: %d instructions, merged: %d, not the same program", len(one)/8, len(merged)/8)
	}
}
