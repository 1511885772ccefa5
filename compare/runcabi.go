package main

// The per-ABI part of the runc check: x86_64, x86 (i386) and x32, each
// judged the same way.

import (
	"fmt"
	"math/rand/v2"
	"slices"

	libseccomp "github.com/seccomp/libseccomp-golang"

	"github.com/sandboxkit/seccomp"
)

// runcABI is one ABI of the filter runc loads on x86_64.
type runcABI struct {
	name string
	abi  seccomp.Arch        // our ABI
	arch seccomp.Arch        // seccomp_data.arch its calls carry
	scmp libseccomp.ScmpArch // libseccomp's
	nrs  []uint32            // numbers probed
}

const x32Bit = 0x40000000 // __X32_SYSCALL_BIT

// runcABIs are the ABIs Docker's archMap gives x86_64, with the numbers
// probed on each: the table's range and some beyond, and -1.
var runcABIs = func() []runcABI {
	span := func(base, n uint32, extra ...uint32) []uint32 {
		var out []uint32
		for i := uint32(0); i < n; i++ {
			out = append(out, base+i)
		}
		return append(out, extra...)
	}
	return []runcABI{
		{"x86_64", seccomp.ArchX86_64, seccomp.ArchX86_64, libseccomp.ArchAMD64,
			span(0, 4096, 0x1000, 0xFFFF, 0x10000, 0x3FFFFFFE, 0x3FFFFFFF, 0x80000000, 0xBFFFFFFF, 0xFFFFFFFF)},
		{"i386", seccomp.ArchX86, seccomp.ArchX86, libseccomp.ArchX86,
			span(0, 4096, 0xFFFF, 0x10000, 0x3FFFFFFF, 0x40000000, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF)},
		{"x32", seccomp.ArchX32, seccomp.ArchX86_64, libseccomp.ArchX32,
			span(x32Bit, 1024, 0x7FFFFFFF, 0xC0000000, 0xFFFFFFFE)},
	}
}()

// knownPart is abiPart without the entries whose name the ABI lacks (the
// importer sets SkipMissing: the compiler skips them too).
func knownPart(p *seccomp.Policy, abi seccomp.Arch) *seccomp.Policy {
	part := abiPart(p, abi)
	part.Syscalls = slices.DeleteFunc(slices.Clone(part.Syscalls), func(sc seccomp.Syscall) bool {
		_, ok := abi.SyscallNumber(sc.Name)
		return sc.Name != "" && !ok
	})
	return part
}

// scmpNumber is libseccomp's number for name on arch, with x32's bit (-1
// for a pseudo-number: a socket or IPC call that libseccomp maps to its
// multiplexer there), or false where its table lacks the name on that
// arch.
func scmpNumber(name string, a runcABI) (int, bool) {
	nr, err := libseccomp.GetSyscallFromNameByArch(name, a.scmp)
	if err != nil {
		return 0, false
	}
	if nr < 0 {
		return -1, multiplexedName(name)
	}
	n := int(nr)
	if a.abi == seccomp.ArchX32 {
		n |= x32Bit
	}
	return n, true
}

// multiplexedName reports whether name is a socketcall or ipc sub-call
// (net/socket.c, ipc/syscall.c).
func multiplexedName(name string) bool {
	switch name {
	case "socket", "bind", "connect", "listen", "accept", "getsockname", "getpeername",
		"socketpair", "send", "recv", "sendto", "recvfrom", "shutdown", "setsockopt",
		"getsockopt", "sendmsg", "recvmsg", "accept4", "recvmmsg", "sendmmsg",
		"semop", "semget", "semctl", "semtimedop", "msgsnd", "msgrcv", "msgget",
		"msgctl", "shmat", "shmdt", "shmget", "shmctl":
		return true
	}
	return false
}

// multiplexProbes are argument vectors for socketcall and ipc: every
// sub-call number, alone and with bits the kernel ignores (socketcall's
// high half, ipc's version) or reads (socketcall's bit 16).
func multiplexProbes() [][6]uint64 {
	var out [][6]uint64
	for k := uint64(0); k <= 24; k++ {
		out = append(out, [6]uint64{k}, [6]uint64{k | 1<<16}, [6]uint64{k | 1<<32}, [6]uint64{k, 0xFFFFFFFF, 0xFFFFFFFF})
	}
	return out
}

// checkABI compares, on every probed number of a, runc's verdicts with our
// program's and our program's with our policy's Decide, and records each
// difference with what explains it, if anything does.
func (res *runcResult) checkABI(a runcABI, pol *seccomp.Policy, ours seccomp.Program, rl *runcLoaded,
	unknown map[string]bool, generic [][6]uint64, rng *rand.Rand) error {
	// The constants to probe each number with: from our policy's rules,
	// and from the OCI object's args (mask and datum of masked compares).
	rules, _, err := syscallRules(knownPart(pol, a.abi))
	if err != nil {
		return err
	}
	for _, sc := range rl.OCI.Syscalls {
		for _, name := range sc.Names {
			nr, ok := a.abi.SyscallNumber(name)
			if !ok {
				continue
			}
			for _, c := range sc.Args {
				if c.Index > 5 {
					continue
				}
				rules[nr] = append(rules[nr],
					seccomp.Rule{Conds: []seccomp.Cond{{Arg: int(c.Index), Op: seccomp.OpEqual, Value: c.Value}}},
					seccomp.Rule{Conds: []seccomp.Cond{{Arg: int(c.Index), Op: seccomp.OpMaskedEqual, Mask: c.Value, Value: c.ValueTwo & c.Value}}},
					seccomp.Rule{Conds: []seccomp.Cond{{Arg: int(c.Index), Op: seccomp.OpEqual, Value: c.ValueTwo}}})
			}
		}
	}

	// runc skips the names its libseccomp does not know natively, its
	// libseccomp skips on this ABI the names its table lacks there, and
	// runc's stub bounds each ABI's numbers by the highest libseccomp
	// knows there (patchbpf's findLastSyscalls); ours by the kernel's
	// table.
	runcBound, oursBound, boundName := -1, -1, ""
	runcLacks := map[string]bool{}
	for _, sc := range rl.OCI.Syscalls {
		for _, name := range sc.Names {
			nr, ok := a.abi.SyscallNumber(name)
			if !ok {
				continue
			}
			oursBound = max(oursBound, nr)
			snr, known := scmpNumber(name, a)
			if unknown[name] || !known {
				runcLacks[name] = true
				continue
			}
			if snr >= 0 && snr > runcBound {
				runcBound, boundName = snr, name
			}
		}
	}
	res.bounds = append(res.bounds, fmt.Sprintf("%s runc %#x, ours %#x", a.name, runcBound, oursBound))
	explain := func(nr uint32, args [6]uint64, r1, r2 uint32) string {
		name, _ := a.abi.SyscallName(int(nr))
		switch {
		case (name == "socketcall" || name == "ipc") && r1 == seccomp.Allow.Ret() && r2 != r1:
			// multiplex.go: the multiplexed form of a conditional
			// rule takes the strictest action the direct call can
			// have; libseccomp keeps the other conditions, which then
			// compare the pointer (flatpak/flatpak#6773).
			return fmt.Sprintf("%s: ours fails closed where the direct call's rule is conditional; libseccomp compares the pointer (deliberate)", name)
		case runcLacks[name]:
			return fmt.Sprintf("libseccomp %s does not know %s on %s: runc has no rule for it", rl.Libseccomp, name, a.name)
		case nr == 0xFFFFFFFF:
			// docs/DESIGN.md, section 1: -1, a call a tracer skipped, gets the default.
			return "-1: runc's stub counts it above every number (ENOSYS); ours gives it the default, by design"
		case int(nr) > runcBound && int(nr) <= oursBound:
			return fmt.Sprintf("above %#x (%s), the highest number libseccomp %s knows on %s in the profile: runc's stub returns ENOSYS", runcBound, boundName, rl.Libseccomp, a.name)
		}
		if a.abi == seccomp.ArchX32 && r1 != 0 {
			// Deliberate: the kernel hands x32 calls full 64-bit
			// registers (syscall_get_arguments on x86_64 reads the
			// whole of pt_regs); libseccomp compares only their low
			// halves, we compare all 64 bits, as on x86_64.
			var low [6]uint64
			for i, x := range args {
				low[i] = x & 0xFFFFFFFF
			}
			if r0, err := verdict(ours, seccomp.Data{Nr: nr, Arch: a.arch, Args: low}); err == nil && r0 == r1 && low != args {
				return "x32 argument high halves: libseccomp reads only the low 32 bits, ours all 64, which the kernel passes (deliberate)"
			}
		}
		return ""
	}

	var abiDiffs int
	for _, nr := range a.nrs {
		ar, err := rl.prog.AnalyzeArch(a.abi, nr)
		if err != nil {
			return fmt.Errorf("runc: analyze %s %d: %w", a.name, nr, err)
		}
		ao, err := ours.AnalyzeArch(a.abi, nr)
		if err != nil {
			return fmt.Errorf("ours: analyze %s %d: %w", a.name, nr, err)
		}
		d := runcDiff{abi: a, nr: nr, runcActs: ar.Actions, oursActs: ao.Actions}
		best := -1
		vecs := generic
		if r, ok := rules[int(nr)]; ok {
			vecs = append(slices.Clone(generic), argVectors(r, rng)...)
		}
		if name, _ := a.abi.SyscallName(int(nr)); name == "socketcall" || name == "ipc" {
			vecs = append(slices.Clone(vecs), multiplexProbes()...)
		}
		for _, args := range vecs {
			if a.abi == seccomp.ArchX86 {
				// An i386 call's arguments are 32-bit registers, zero-
				// extended into seccomp_data (kernel/seccomp.c's
				// populate_seccomp_data on a compat task): a high half
				// is never set.
				for i := range args {
					args[i] &= 0xFFFFFFFF
				}
			}
			in := seccomp.Data{Nr: nr, Arch: a.arch, Args: args}
			r1, err := verdict(rl.prog, in)
			if err != nil {
				return fmt.Errorf("runc: %w", err)
			}
			r2, err := verdict(ours, in)
			if err != nil {
				return fmt.Errorf("ours: %w", err)
			}
			dec, err := pol.Decide(in)
			if err != nil {
				return fmt.Errorf("Decide: %w", err)
			}
			res.checked++
			res.checkedABI[a.name]++
			if r3 := dec.Action.Ret(); r3 != r2 {
				// Our program against our policy: never explained.
				d.decideN++
				d.decideArgs, d.decide = args, r3
			}
			if r1 == r2 {
				continue
			}
			d.n++
			why := explain(nr, args, r1, r2)
			if why == "" {
				d.unexplainedN++
			}
			if w := argWeight(args); best < 0 || w < best || (why == "" && d.why != "") {
				best, d.args, d.runc, d.ours = w, args, r1, r2
				d.why = why
			}
		}
		if d.n == 0 && !slices.Equal(ar.Actions, ao.Actions) {
			d.why = explain(nr, [6]uint64{}, 0, 0)
		}
		if d.unexplainedN > 0 || d.decideN > 0 {
			d.why = ""
		}
		if d.n > 0 || d.decideN > 0 || !slices.Equal(ar.Actions, ao.Actions) {
			res.diffs = append(res.diffs, d)
			abiDiffs++
		}
	}
	res.diffsABI[a.name] = abiDiffs
	return nil
}
