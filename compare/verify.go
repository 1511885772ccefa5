package main

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/sandboxkit/seccomp"
)

// verdicts is the result of comparing a program with the reference.
type verdicts struct {
	checked  int      // inputs compared in scope (nr 0..600)
	inScope  []string // disagreements on nr 0..600: the comparison is void
	outside  []string // disagreements beyond (x32, -1, big nrs, wrong arch)
	nOutside int
}

const maxListed = 8

func (v *verdicts) add(inScope bool, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if inScope {
		if len(v.inScope) < maxListed {
			v.inScope = append(v.inScope, msg)
		} else if len(v.inScope) == maxListed {
			v.inScope = append(v.inScope, "…")
		}
		return
	}
	v.nOutside++
	if len(v.outside) < maxListed {
		v.outside = append(v.outside, msg)
	}
}

func retString(r uint32) string {
	a, err := seccomp.ActionFromRet(r)
	if err != nil {
		return fmt.Sprintf("%#x", r)
	}
	return a.String()
}

// verdict is what prog returns for d, by the library's interpreter
// (seccomp.Program.Eval), which the library's tests prove against the
// kernel. Callers validate prog first (seccomp.Program.Validate): the
// kernel runs no program it refused to load.
func verdict(prog seccomp.Program, d seccomp.Data) (uint32, error) {
	v, err := prog.Eval(d)
	return v.Ret, err
}

// verify compares got with ref, the reference (our tree program, which the
// library's own tests prove against the policy): for every syscall number
// 0..600 the set of possible actions (Analyze), and the concrete verdict
// (verdict) on zero, all-ones and random args, plus, for each
// syscall with conditions, args built from the constants of its rules.
// It then probes beyond: x32 numbers, -1, numbers up to 4095, a wrong arch.
func verify(p *seccomp.Policy, ref, got seccomp.Program) (verdicts, error) {
	var v verdicts
	if err := ref.Validate(); err != nil {
		return v, fmt.Errorf("reference: %w", err)
	}
	if err := got.Validate(); err != nil {
		return v, err
	}
	rules, _, err := syscallRules(p)
	if err != nil {
		return v, err
	}
	rng := rand.New(rand.NewPCG(1, 2))
	generic := genericArgs(rng)
	compare := func(inScope bool, d seccomp.Data) error {
		r1, err := verdict(ref, d)
		if err != nil {
			return fmt.Errorf("reference: %w", err)
		}
		r2, err := verdict(got, d)
		if err != nil {
			return err
		}
		if inScope {
			v.checked++
		}
		if r1 != r2 {
			what := fmt.Sprintf("nr %d", d.Nr)
			if d.Nr >= 0x40000000 {
				what = fmt.Sprintf("nr %#x", d.Nr)
			}
			if d.Arch != p.Arch {
				what += fmt.Sprintf(" arch %#x", uint32(d.Arch))
			}
			v.add(inScope, "%s args %#x: ours %s, this %s", what, d.Args, retString(r1), retString(r2))
		}
		return nil
	}
	for nr := uint32(0); nr <= 600; nr++ {
		a1, err := ref.Analyze(nr)
		if err != nil {
			return v, err
		}
		a2, err := got.Analyze(nr)
		if err != nil {
			return v, err
		}
		if !slices.Equal(a1.Actions, a2.Actions) {
			v.add(true, "nr %d: ours can return %v, this %v", nr, a1.Actions, a2.Actions)
		}
		for _, args := range generic {
			if err := compare(true, seccomp.Data{Nr: nr, Arch: p.Arch, Args: args}); err != nil {
				return v, err
			}
		}
		for _, args := range argVectors(rules[int(nr)], rng) {
			if err := compare(true, seccomp.Data{Nr: nr, Arch: p.Arch, Args: args}); err != nil {
				return v, err
			}
		}
	}
	// Beyond the comparison's scope: reported, not voiding.
	var beyond []uint32
	for nr := uint32(601); nr < 4096; nr++ {
		beyond = append(beyond, nr)
	}
	beyond = append(beyond, 0x3FFFFFFF, 0x40000000, 0x40000001, 0x40000000+59, 0x40000000+512, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF)
	for _, nr := range beyond {
		if err := compare(false, seccomp.Data{Nr: nr, Arch: p.Arch}); err != nil {
			return v, err
		}
	}
	for _, arch := range []uint32{0x40000003 /* i386 */, uint32(seccomp.ArchAArch64)} {
		for _, nr := range []uint32{0, 1, 59, 0xFFFFFFFF} {
			if err := compare(false, seccomp.Data{Nr: nr, Arch: seccomp.Arch(arch)}); err != nil {
				return v, err
			}
		}
	}
	return v, nil
}

// argVectors builds argument vectors from the constants of a syscall's
// rules: for each argument, k-1, k, k+1 of every constant, the constant
// with garbage in the other half, 0, and all ones; the cross product if it
// is small, else random picks from it.
func argVectors(rules []seccomp.Rule, rng *rand.Rand) [][6]uint64 {
	var cand [6][]uint64
	any := false
	for _, r := range rules {
		for _, c := range r.Conds {
			any = true
			k := c.Value
			lo, hi := k&0xFFFFFFFF, k&^0xFFFFFFFF
			cand[c.Arg] = append(cand[c.Arg], k-1, k, k+1,
				lo|0xDEADBEEF00000000, lo|0xFFFFFFFF00000000, hi, hi|0xFFFFFFFF, k^1)
			if c.Op == seccomp.OpMaskedEqual {
				cand[c.Arg] = append(cand[c.Arg], c.Mask, c.Value|^c.Mask, c.Value&^1, c.Mask^c.Value)
			}
		}
	}
	if !any {
		return nil
	}
	size := 1
	for i := range cand {
		cand[i] = append(cand[i], 0, ^uint64(0), 0xFFFFFFFF)
		slices.Sort(cand[i])
		cand[i] = slices.Compact(cand[i])
		size *= len(cand[i])
	}
	var out [][6]uint64
	if size <= 4096 {
		var rec func(i int, cur [6]uint64)
		rec = func(i int, cur [6]uint64) {
			if i == 6 {
				out = append(out, cur)
				return
			}
			for _, x := range cand[i] {
				cur[i] = x
				rec(i+1, cur)
			}
		}
		rec(0, [6]uint64{})
		return out
	}
	// Each argument alone over its candidates, the others zero, then
	// random combinations.
	for i := range cand {
		for _, x := range cand[i] {
			var a [6]uint64
			a[i] = x
			out = append(out, a)
		}
	}
	for range 2048 {
		var a [6]uint64
		for i := range a {
			a[i] = cand[i][rng.IntN(len(cand[i]))]
		}
		out = append(out, a)
	}
	return out
}

// genericArgs returns argument vectors that no rule constant inspired:
// zeros, all ones, and six random ones.
func genericArgs(rng *rand.Rand) [][6]uint64 {
	generic := [][6]uint64{{}, {^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)}}
	for range 6 {
		var a [6]uint64
		for i := range a {
			a[i] = rng.Uint64()
		}
		generic = append(generic, a)
	}
	return generic
}
