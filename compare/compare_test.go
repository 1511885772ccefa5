package main

import (
	"testing"

	"github.com/sandboxkit/seccomp"
)

// TestForeignProgramsAgree checks that libseccomp and gVisor compile every
// policy of the comparison into programs that decide like ours.
func TestForeignProgramsAgree(t *testing.T) {
	pols, err := policies()
	if err != nil {
		t.Fatal(err)
	}
	compilers := []compiler{oursCompiler(seccomp.LayoutBitmap), libseccompCompiler(0), gvisorCompiler()}
	if libseccompHasOptimize() {
		compilers = append(compilers, libseccompCompiler(2))
	}
	for _, pol := range pols {
		if pol.oursOnly {
			continue
		}
		ref, err := pol.pol.CompileLayout(seccomp.LayoutTree)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range compilers {
			prog, err := c.compile(pol.pol)
			if err != nil {
				t.Errorf("%s / %s: %v", pol.name, c.name, err)
				continue
			}
			v, err := verify(pol.pol, ref, prog)
			if err != nil {
				t.Errorf("%s / %s: %v", pol.name, c.name, err)
				continue
			}
			if len(v.inScope) > 0 {
				t.Errorf("%s / %s decides differently: %v", pol.name, c.name, v.inScope)
			}
		}
	}
}

// TestVerifyCatchesDisagreement checks that verify flags a program that
// decides one argument-checked call differently.
func TestVerifyCatchesDisagreement(t *testing.T) {
	p := denylist()
	ref, err := p.CompileLayout(seccomp.LayoutTree)
	if err != nil {
		t.Fatal(err)
	}
	// The same policy but with AF_INET6 allowed.
	q := denylist()
	q.Syscalls[0].Rules = q.Syscalls[0].Rules[:1]
	got, err := q.CompileLayout(seccomp.LayoutTree)
	if err != nil {
		t.Fatal(err)
	}
	v, err := verify(p, ref, got)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.inScope) == 0 {
		t.Fatal("verify found no disagreement")
	}
}

func TestInterpreterMatchesAnalyze(t *testing.T) {
	pols, err := policies()
	if err != nil {
		t.Fatal(err)
	}
	for _, pol := range pols {
		for _, layout := range []seccomp.Layout{seccomp.LayoutTree, seccomp.LayoutBitmap} {
			prog, err := pol.pol.CompileLayout(layout)
			if err != nil {
				t.Fatal(err)
			}
			for nr := uint32(0); nr <= 600; nr++ {
				an, err := prog.Analyze(nr)
				if err != nil {
					t.Fatal(err)
				}
				r, err := verdict(prog, seccomp.Data{Nr: nr, Arch: prog.Arch})
				if err != nil {
					t.Fatal(err)
				}
				a, err := seccomp.ActionFromRet(r)
				if err != nil {
					t.Fatal(err)
				}
				found := false
				for _, b := range an.Actions {
					found = found || a == b
				}
				if !found {
					t.Errorf("%s %s nr %d: Eval says %v, Analyze %v", pol.name, layout, nr, a, an.Actions)
				}
			}
		}
	}
}
