package seccomp

// This file is what a rule on a socket or System V IPC call means where
// the kernel also has the multiplexer, socketcall or ipc (x86, ppc64,
// ppc64le, s390x, mips o32): the same call made through the multiplexer.
//
// The rule, as libseccomp 2.5 has it for unconditional rules, but failing
// closed where libseccomp fails open:
//
//   - A direct call X with sub-call number k (SYS_SOCKET = 1, SHMGET = 23,
//     ...) adds, on each ABI with the multiplexer, a rule on the
//     multiplexer whose condition is "sub-call == k", placed before the
//     multiplexer's own rules (it is the more specific, as libseccomp
//     orders them).
//   - Its action is X's outcome when that does not depend on the
//     arguments. When it does, the arguments are behind a pointer the
//     filter cannot read, so the multiplexed form takes the most
//     restrictive action X can have (by the kernel's precedence: kill,
//     trap, errno, notify, trace, log, allow; the earlier rule on a tie),
//     the default included unless a rule of X always holds: it never
//     allows what X would deny for some arguments. libseccomp instead
//     keeps X's other conditions, which then compare the pointer.
//   - The sub-call is read as the kernel reads it: socketcall's is an int
//     (the low 32 bits of the register, net/socket.c), ipc's is
//     call & 0xffff (the high 16 bits are a version, ipc/syscall.c).
//     libseccomp 2.5.4 compares the whole register on 64-bit s390x and
//     ppc64, so socketcall(1<<32 | SYS_SOCKET) gets past its rule.
//   - A rule on the multiplexer itself stays what it says, after the
//     derived ones; an entry by number derives nothing.

import (
	"fmt"
	"slices"
)

// multiplexer is socketcall or ipc: its name, and its sub-calls by
// direct name.
type multiplexer struct {
	name string
	// mask is what the kernel keeps of arg0 to pick the sub-call.
	mask uint32
	sub  map[string]uint32
}

// numMultiplexers is len(multiplexers), for arrays.
const numMultiplexers = 2

// multiplexers are the kernel's, from include/uapi/linux/net.h (SYS_*)
// and include/uapi/linux/ipc.h (SEMOP, ...).
var multiplexers = [numMultiplexers]multiplexer{
	{name: "socketcall", mask: 0xFFFFFFFF, sub: map[string]uint32{
		"socket": 1, "bind": 2, "connect": 3, "listen": 4, "accept": 5,
		"getsockname": 6, "getpeername": 7, "socketpair": 8, "send": 9,
		"recv": 10, "sendto": 11, "recvfrom": 12, "shutdown": 13,
		"setsockopt": 14, "getsockopt": 15, "sendmsg": 16, "recvmsg": 17,
		"accept4": 18, "recvmmsg": 19, "sendmmsg": 20,
	}},
	{name: "ipc", mask: 0xFFFF, sub: map[string]uint32{
		"semop": 1, "semget": 2, "semctl": 3, "semtimedop": 4,
		"msgsnd": 11, "msgrcv": 12, "msgget": 13, "msgctl": 14,
		"shmat": 21, "shmdt": 22, "shmget": 23, "shmctl": 24,
	}},
}

// multiplexed reports whether a name is a sub-call of a multiplexer
// that arch has.
func multiplexed(arch Arch, name string) bool {
	for _, m := range multiplexers {
		if _, ok := m.sub[name]; ok && hasName(arch, m.name) {
			return true
		}
	}
	return false
}

// subCallCond is the condition "the multiplexer's sub-call is k".
func subCallCond(m multiplexer, k uint32) Cond {
	if m.mask == 0xFFFFFFFF {
		return Cond{Arg: 0, Op: OpEqual, Value: uint64(k), Width: 32}
	}
	return Cond{Arg: 0, Op: OpMaskedEqual, Mask: uint64(m.mask), Value: uint64(k), Width: 32}
}

// restrictiveness orders actions as the kernel does when filters
// disagree: the lower, the more restrictive (kill-process first).
func restrictiveness(a Action) int64 {
	ret := a.Ret() & 0xFFFF0000 // SECCOMP_RET_ACTION_FULL
	return int64(int32(ret))
}

// multiplexedOutcome is the action the multiplexed form of a direct call
// with rules gets: the constant outcome, or the most restrictive one the
// call can have. The rules are validated already.
func multiplexedOutcome(rules []Rule, def Action) Action {
	best, always := def, false
	first := true
	for _, r := range rules {
		if first || restrictiveness(r.Action) < restrictiveness(best) {
			best, first = r.Action, false
		}
		if len(r.Conds) == 0 {
			always = true
			break
		}
	}
	if first {
		return def
	}
	if !always && restrictiveness(def) < restrictiveness(best) {
		best = def
	}
	return best
}

// maxSubCall bounds the multiplexers' sub-call numbers (ipc's SHMCTL is
// 24), so that derivedRules can gather them in arrays.
const maxSubCall = 32

// derivedRules returns, for arch, the rules each multiplexer gets from the
// direct calls' entries that apply on it (applies lists them, in policy
// order; planABI passes only those of sub-calls), indexed as multiplexers,
// and validates the rules it reads. The rules and their conditions are cut
// from pl's memory, kept from one compile to the next.
func (p *Policy) derivedRules(pl *plan, arch Arch, applies []uint32) ([numMultiplexers][]Rule, error) {
	var out [numMultiplexers][]Rule
	info := archInfos[arch]
	has := [numMultiplexers]bool{info.muxNr[0] >= 0, info.muxNr[1] >= 0}
	if len(applies) == 0 || !has[0] && !has[1] {
		return out, nil
	}
	// The direct calls' rules, joined per sub-call in policy order: one
	// lookup an entry, for both multiplexers.
	var bySub [numMultiplexers][maxSubCall][]Rule
	var names [numMultiplexers][maxSubCall]string
	for _, i := range applies {
		sc := &p.Syscalls[i]
		s, ok := subCalls[sc.Name]
		if !ok || !has[s.mux] {
			continue
		}
		if names[s.mux][s.k] == "" {
			names[s.mux][s.k] = sc.Name
		}
		if rules := &bySub[s.mux][s.k]; *rules == nil {
			*rules = sc.Rules // reduceRules copies before it changes them
		} else {
			*rules = append(slices.Clip(*rules), sc.Rules...)
		}
	}
	for mi, m := range multiplexers {
		n := 0
		for k := range names[mi] {
			if names[mi][k] != "" {
				n++
			}
		}
		if n == 0 {
			continue
		}
		// One array for the rules and one for their conditions.
		if cap(pl.muxRules[mi]) < n {
			pl.muxRules[mi], pl.muxConds[mi] = make([]Rule, 0, maxSubCall), make([]Cond, maxSubCall)
		}
		out[mi] = pl.muxRules[mi][:0] // room after them for the multiplexer's own rules (planABI)
		conds := pl.muxConds[mi][:n]
		for k := range bySub[mi] {
			if names[mi][k] == "" {
				continue
			}
			rules, err := reduceRules(bySub[mi][k], p.Default, false)
			if err != nil {
				return out, fmt.Errorf("seccomp: syscall %q (through %s) %w", names[mi][k], m.name, err)
			}
			i := len(out[mi])
			conds[i] = subCallCond(m, uint32(k))
			out[mi] = append(out[mi], Rule{Action: multiplexedOutcome(rules, p.Default), Conds: conds[i : i+1 : i+1]})
		}
	}
	return out, nil
}

// subCall is a sub-call's multiplexer (its index in multiplexers) and
// number.
type subCall struct {
	mux int
	k   uint32
}

// subCalls indexes the multiplexers' sub-calls by direct name.
var subCalls = func() map[string]subCall {
	m := map[string]subCall{}
	for mi, mux := range multiplexers {
		for name, k := range mux.sub {
			if k >= maxSubCall {
				panic("seccomp: sub-call number over maxSubCall")
			}
			m[name] = subCall{mux: mi, k: k}
		}
	}
	return m
}()
