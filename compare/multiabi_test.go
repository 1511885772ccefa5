package main

import (
	"slices"
	"syscall"
	"testing"

	"github.com/sandboxkit/seccomp"
)

// TestLibseccompMultiABIAgrees checks that libseccomp's one filter for
// x86_64, x86 and x32 (AddArch) decides every ABI as our program does, but
// for x32 inputs whose args differ in their high halves (libseccomp reads
// only the low halves: the deliberate difference).
func TestLibseccompMultiABIAgrees(t *testing.T) {
	p, err := multiABIPolicy()
	if err != nil {
		t.Fatal(err)
	}
	if want := []seccomp.Arch{seccomp.ArchX86_64, seccomp.ArchX86, seccomp.ArchX32}; !slices.Equal(policyABIs(p), want) {
		t.Fatalf("ABIs %v, want %v", policyABIs(p), want)
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

// TestVerifyABICatchesDisagreement checks that verifyABI flags, on each
// ABI, a program without the rule allowing socket(AF_INET6).
func TestVerifyABICatchesDisagreement(t *testing.T) {
	p, err := multiABIPolicy()
	if err != nil {
		t.Fatal(err)
	}
	ref, err := p.CompileLayout(seccomp.LayoutTree)
	if err != nil {
		t.Fatal(err)
	}
	q, err := multiABIPolicy()
	if err != nil {
		t.Fatal(err)
	}
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
	if !dropped {
		t.Fatal("no socket(AF_INET6) rule to drop")
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
		if v.nInScope == 0 {
			t.Errorf("%s: no disagreement found", abi)
		}
	}
}
