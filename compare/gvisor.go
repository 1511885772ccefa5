package main

import (
	"fmt"

	"github.com/sandboxkit/seccomp"
	"golang.org/x/net/bpf"
	gs "gvisor.dev/gvisor/pkg/seccomp"
)

// gvisorCompiler compiles with gVisor's pkg/seccomp (Program.Build, with
// its rule and BPF optimizations on, as gVisor itself builds its filters).
// The translation of the policy into gVisor's rule types is timed with it.
func gvisorCompiler() compiler {
	return compiler{
		name: "gVisor",
		compile: func(p *seccomp.Policy) (seccomp.Program, error) {
			gp, err := gvisorProgram(p)
			if err != nil {
				return seccomp.Program{}, err
			}
			insns, _, err := gp.Build()
			if err != nil {
				return seccomp.Program{}, err
			}
			raw := make([]bpf.RawInstruction, len(insns))
			for i, in := range insns {
				raw[i] = bpf.RawInstruction{Op: in.OpCode, Jt: in.JumpIfTrue, Jf: in.JumpIfFalse, K: in.K}
			}
			return seccomp.Program{Arch: p.Arch, Instructions: raw}, nil
		},
	}
}

func gvisorProgram(p *seccomp.Policy) (*gs.Program, error) {
	if p.Arch != seccomp.ArchX86_64 {
		return nil, fmt.Errorf("gVisor compiles for the host's arch only")
	}
	if p.UnknownENOSYS {
		return nil, fmt.Errorf("gVisor has no ENOSYS stub for unknown syscalls")
	}
	def, err := gvAction(p.Default)
	if err != nil {
		return nil, err
	}
	badArch, err := gvAction(p.BadArch)
	if err != nil {
		return nil, err
	}
	rules, nrs, err := syscallRules(p)
	if err != nil {
		return nil, err
	}
	// gVisor tries its RuleSets in order, each with one action. A
	// syscall's rules, cut into runs of one action, go run k into a
	// RuleSet of position k: first match wins, as in our policy.
	type key struct {
		pos    int
		action gs.Action
	}
	sets := map[key]int{}
	var ruleSets []gs.RuleSet
	var keys []key
	for _, nr := range nrs {
		pos := -1
		var run []gs.SyscallRule
		var runAction gs.Action
		flush := func() {
			if len(run) == 0 {
				return
			}
			pos++
			k := key{pos, runAction}
			i, ok := sets[k]
			if !ok {
				i = len(ruleSets)
				sets[k] = i
				keys = append(keys, k)
				ruleSets = append(ruleSets, gs.RuleSet{Rules: gs.NewSyscallRules(), Action: runAction})
			}
			var r gs.SyscallRule = gs.Or(run)
			if len(run) == 1 {
				r = run[0]
			}
			ruleSets[i].Rules.Set(uintptr(nr), r)
			run = nil
		}
		for _, r := range rules[nr] {
			a, err := gvAction(r.Action)
			if err != nil {
				return nil, err
			}
			if a != runAction {
				flush()
				runAction = a
			}
			gr, err := gvRule(r.Conds)
			if err != nil {
				return nil, fmt.Errorf("syscall %d: %w", nr, err)
			}
			run = append(run, gr)
		}
		flush()
	}
	// Order the RuleSets by position (stable within one position, where
	// no syscall appears twice).
	ordered := make([]gs.RuleSet, 0, len(ruleSets))
	for pos := 0; len(ordered) < len(ruleSets); pos++ {
		for _, k := range keys {
			if k.pos == pos {
				ordered = append(ordered, ruleSets[sets[k]])
			}
		}
	}
	return &gs.Program{
		RuleSets: ordered,
		Options:  gs.ProgramOptions{DefaultAction: def, BadArchAction: badArch},
	}, nil
}

func gvRule(cs []seccomp.Cond) (gs.SyscallRule, error) {
	if len(cs) == 0 {
		return gs.MatchAll{}, nil
	}
	var pas []gs.PerArg
	for _, c := range cs {
		m, err := gvMatcher(c)
		if err != nil {
			return nil, err
		}
		placed := false
		for i := range pas {
			if pas[i][c.Arg] == nil {
				pas[i][c.Arg], placed = m, true
				break
			}
		}
		if !placed {
			var pa gs.PerArg
			pa[c.Arg] = m
			pas = append(pas, pa)
		}
	}
	if len(pas) == 1 {
		return pas[0], nil
	}
	and := make(gs.And, len(pas))
	for i, pa := range pas {
		and[i] = pa
	}
	return and, nil
}

// gvMatcher translates a condition. gVisor's exported matchers are
// 64-bit; a 32-bit == or masked == is exactly a masked == that leaves out
// the high half, and the other 32-bit comparisons cannot be expressed.
func gvMatcher(c seccomp.Cond) (gs.ValueMatcher, error) {
	v := uintptr(c.Value)
	if c.Width == 32 {
		switch c.Op {
		case seccomp.OpEqual:
			return gs.MaskedEqual(0xFFFFFFFF, v), nil
		case seccomp.OpMaskedEqual:
			return gs.MaskedEqual(uintptr(c.Mask&0xFFFFFFFF), v), nil
		}
		return nil, fmt.Errorf("gVisor has no exported 32-bit %v", c.Op)
	}
	switch c.Op {
	case seccomp.OpEqual:
		return gs.EqualTo(v), nil
	case seccomp.OpNotEqual:
		return gs.NotEqual(v), nil
	case seccomp.OpLess:
		return gs.LessThan(v), nil
	case seccomp.OpLessEqual:
		return gs.LessThanOrEqual(v), nil
	case seccomp.OpGreater:
		return gs.GreaterThan(v), nil
	case seccomp.OpGreaterEqual:
		return gs.GreaterThanOrEqual(v), nil
	case seccomp.OpMaskedEqual:
		return gs.MaskedEqual(uintptr(c.Mask), v), nil
	}
	return nil, fmt.Errorf("op %v", c.Op)
}

func gvAction(a seccomp.Action) (gs.Action, error) {
	ret := a.Ret()
	data := uint16(ret & 0xFFFF)
	switch ret & 0xFFFF0000 {
	case 0x80000000:
		return gs.KillProcess, nil
	case 0x00000000:
		return gs.KillThread, nil
	case 0x00030000:
		return gs.Trap.Code(data), nil
	case 0x00050000:
		return gs.ReturnError.Code(data), nil
	case 0x7FC00000:
		return gs.UserNotify, nil
	case 0x7FF00000:
		return gs.Trace.Code(data), nil
	case 0x7FFF0000:
		return gs.Allow, nil
	}
	return "", fmt.Errorf("action %v has no gVisor equivalent", a)
}
