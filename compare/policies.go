package main

import (
	"fmt"
	"sort"
	"syscall"

	"github.com/sandboxkit/seccomp"
	"github.com/sandboxkit/seccomp/profile"
)

// policy is one input of the comparison.
type policy struct {
	name string
	pol  *seccomp.Policy
	// oursOnly marks a policy that only our compiler can express (runc's
	// ENOSYS stub), shown for reference.
	oursOnly bool
}

func policies() ([]policy, error) {
	var out []policy
	for _, noENOSYS := range []bool{true, false} {
		all, _, err := profile.FromDocker(profile.DockerDefault(), profile.Options{Arch: seccomp.ArchX86_64, NoENOSYS: noENOSYS})
		if err != nil {
			return nil, fmt.Errorf("docker profile: %w", err)
		}
		// The peers build one ABI's filter: x86_64's part of the policy
		// that serves the archMap's ABIs.
		p := abiPart(all, seccomp.ArchX86_64)
		name := "docker"
		if !noENOSYS {
			name = "docker+ENOSYS"
		}
		out = append(out, policy{name: name, pol: p, oursOnly: !noENOSYS})
	}
	out = append(out, policy{name: "denylist", pol: denylist()})
	return out, nil
}

// abiPart returns the part of p that serves arch alone: its entries for
// arch (or for every ABI), without Compat.
func abiPart(p *seccomp.Policy, arch seccomp.Arch) *seccomp.Policy {
	part := *p
	part.Arch, part.Compat, part.Syscalls = arch, nil, nil
	for _, sc := range p.Syscalls {
		if sc.Arch == 0 || sc.Arch == arch {
			if sc.Arch == 0 && arch != p.Arch {
				sc.Nr = 0 // the number on p.Arch (Syscall.Nr): the name counts here
			}
			sc.Arch = 0
			part.Syscalls = append(part.Syscalls, sc)
		}
	}
	return &part
}

// denylist is the agent-sandbox shape: allow everything but IPv4/IPv6
// sockets, connect, bind, ptrace, mount and bpf, which fail with EPERM.
// socket's domain is an int, so its conditions are 32-bit.
func denylist() *seccomp.Policy {
	eperm := seccomp.Errno(syscall.EPERM)
	p := &seccomp.Policy{Arch: seccomp.ArchX86_64, Default: seccomp.Allow, BadArch: seccomp.KillProcess}
	p.Add("socket",
		seccomp.Rule{Action: eperm, Conds: []seccomp.Cond{{Arg: 0, Op: seccomp.OpEqual, Value: syscall.AF_INET, Width: 32}}},
		seccomp.Rule{Action: eperm, Conds: []seccomp.Cond{{Arg: 0, Op: seccomp.OpEqual, Value: syscall.AF_INET6, Width: 32}}},
	)
	for _, name := range []string{"connect", "bind", "ptrace", "mount", "bpf"} {
		p.Add(name, seccomp.Rule{Action: eperm})
	}
	return p
}

// syscallRules resolves a policy into each number's rules, in order, with
// the rules after the first unconditional one dropped (they can never
// match), and the numbers sorted.
func syscallRules(p *seccomp.Policy) (map[int][]seccomp.Rule, []int, error) {
	m := map[int][]seccomp.Rule{}
	for _, s := range p.Syscalls {
		nr := s.Nr
		if s.Name != "" {
			n, ok := p.Arch.SyscallNumber(s.Name)
			if !ok {
				return nil, nil, fmt.Errorf("syscall %q unknown on %s", s.Name, p.Arch)
			}
			nr = n
		}
		m[nr] = append(m[nr], s.Rules...)
	}
	nrs := make([]int, 0, len(m))
	for nr, rules := range m {
		for i, r := range rules {
			if len(r.Conds) == 0 {
				m[nr] = rules[:i+1]
				break
			}
		}
		nrs = append(nrs, nr)
	}
	sort.Ints(nrs)
	return m, nrs, nil
}
