package profile_test

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"syscall"
	"testing"

	mobyseccomp "github.com/moby/profiles/seccomp"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sandboxkit/seccomp"
	"github.com/sandboxkit/seccomp/profile"
)

// eq, masked and allowIf shorten expected policies.
func eq(arg int, v uint64) seccomp.Cond {
	return seccomp.Cond{Arg: arg, Op: seccomp.OpEqual, Value: v, Width: 64}
}

func allowIf(conds ...seccomp.Cond) seccomp.Rule {
	return seccomp.Rule{Action: seccomp.Allow, Conds: conds}
}

var (
	eperm = seccomp.Errno(syscall.EPERM)
	allow = seccomp.Rule{Action: seccomp.Allow}
)

// x86 is a policy for x86_64 with Docker's usual frame: default EPERM,
// bad arch kill-thread, runc's ENOSYS patch.
func x86(calls ...seccomp.Syscall) *seccomp.Policy {
	return &seccomp.Policy{Arch: seccomp.ArchX86_64, Default: eperm, BadArch: seccomp.KillThread, UnknownENOSYS: true, Syscalls: calls}
}

// noStub drops runc's ENOSYS patch from p: runc adds it only when the
// highest number a profile names is above 0, and read is 0 on x86_64.
func noStub(p *seccomp.Policy) *seccomp.Policy {
	p.UnknownENOSYS = false
	return p
}

func call(name string, rules ...seccomp.Rule) seccomp.Syscall {
	return seccomp.Syscall{Name: name, Rules: rules}
}

// onABI is sc for one ABI of a policy of several: Import sets the number
// beside the name.
// numbered is p as Import writes it, a copy: every named entry with its
// number beside its name, on the entry's Arch or else the policy's
// (Syscall.Nr).
func numbered(p *seccomp.Policy) *seccomp.Policy {
	if p == nil {
		return nil
	}
	q := *p
	q.Syscalls = slices.Clone(p.Syscalls)
	for i := range q.Syscalls {
		sc := &q.Syscalls[i]
		on := sc.Arch
		if on == 0 {
			on = p.Arch
		}
		if nr, ok := on.SyscallNumber(sc.Name); ok && sc.Name != "" {
			sc.Nr = nr
		}
	}
	return &q
}

func onABI(a seccomp.Arch, sc seccomp.Syscall) seccomp.Syscall {
	sc.Arch = a
	if nr, ok := a.SyscallNumber(sc.Name); ok {
		sc.Nr = nr
	}
	return sc
}

// TestImport pins what each rule of the package doc makes of a profile:
// the policy, and the notes.
func TestImport(t *testing.T) {
	tests := []struct {
		name    string
		json    string
		opts    profile.Options // Arch defaults to x86_64
		want    *seccomp.Policy
		notes   []string // substrings, one per note, in order
		noNotes bool
	}{
		{
			name:    "names and name",
			json:    `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read","write"],"action":"SCMP_ACT_ALLOW"},{"name":"close","action":"SCMP_ACT_ALLOW"}]}`,
			want:    x86(call("read", allow), call("write", allow), call("close", allow)),
			noNotes: true,
		},
		{
			name: "actions",
			json: `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
				{"names":["read"],"action":"SCMP_ACT_KILL"},
				{"names":["write"],"action":"SCMP_ACT_KILL_THREAD"},
				{"names":["close"],"action":"SCMP_ACT_KILL_PROCESS"},
				{"names":["open"],"action":"SCMP_ACT_TRAP"},
				{"names":["stat"],"action":"SCMP_ACT_ERRNO"},
				{"names":["fstat"],"action":"SCMP_ACT_ERRNO","errnoRet":22},
				{"names":["lstat"],"action":"SCMP_ACT_TRACE"},
				{"names":["poll"],"action":"SCMP_ACT_TRACE","errnoRet":300},
				{"names":["lseek"],"action":"SCMP_ACT_LOG"},
				{"names":["mmap"],"action":"SCMP_ACT_NOTIFY"}]}`,
			want: &seccomp.Policy{Arch: seccomp.ArchX86_64, Default: seccomp.Allow, BadArch: seccomp.KillThread, Syscalls: []seccomp.Syscall{
				call("read", seccomp.Rule{Action: seccomp.KillThread}),
				call("write", seccomp.Rule{Action: seccomp.KillThread}),
				call("close", seccomp.Rule{Action: seccomp.KillProcess}),
				call("open", seccomp.Rule{Action: seccomp.Trap(0)}),
				call("stat", seccomp.Rule{Action: eperm}),
				call("fstat", seccomp.Rule{Action: seccomp.Errno(22)}),
				call("lstat", seccomp.Rule{Action: seccomp.Trace(1)}),
				call("poll", seccomp.Rule{Action: seccomp.Trace(300)}),
				call("lseek", seccomp.Rule{Action: seccomp.Log}),
				call("mmap", seccomp.Rule{Action: seccomp.Notify}),
			}},
		},
		{
			name: "defaultErrnoRet",
			json: `{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":38,"syscalls":[{"names":["read"],"action":"SCMP_ACT_ERRNO"}]}`,
			want: &seccomp.Policy{Arch: seccomp.ArchX86_64, Default: seccomp.Errno(38), BadArch: seccomp.KillThread,
				Syscalls: []seccomp.Syscall{call("read", seccomp.Rule{Action: eperm})}},
		},
		{
			name: "ops, 64-bit",
			json: `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
				{"names":["read"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,"op":"SCMP_CMP_NE"}]},
				{"names":["read"],"action":"SCMP_ACT_ALLOW","args":[{"index":1,"value":4294967296,"op":"SCMP_CMP_LT"}]},
				{"names":["read"],"action":"SCMP_ACT_ALLOW","args":[{"index":2,"value":3,"op":"SCMP_CMP_LE"}]},
				{"names":["read"],"action":"SCMP_ACT_ALLOW","args":[{"index":3,"value":4,"op":"SCMP_CMP_EQ"}]},
				{"names":["read"],"action":"SCMP_ACT_ALLOW","args":[{"index":4,"value":5,"op":"SCMP_CMP_GE"}]},
				{"names":["read"],"action":"SCMP_ACT_ALLOW","args":[{"index":5,"value":18446744073709551614,"op":"SCMP_CMP_GT"}]}]}`,
			want: noStub(x86(call("read",
				allowIf(seccomp.Cond{Arg: 0, Op: seccomp.OpNotEqual, Value: 1, Width: 64}),
				allowIf(seccomp.Cond{Arg: 1, Op: seccomp.OpLess, Value: 1 << 32, Width: 64}),
				allowIf(seccomp.Cond{Arg: 2, Op: seccomp.OpLessEqual, Value: 3, Width: 64}),
				allowIf(eq(3, 4)),
				allowIf(seccomp.Cond{Arg: 4, Op: seccomp.OpGreaterEqual, Value: 5, Width: 64}),
				allowIf(seccomp.Cond{Arg: 5, Op: seccomp.OpGreater, Value: 1<<64 - 2, Width: 64})))),
		},
		{
			name: "masked equal takes the mask in value, the datum in valueTwo",
			json: `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["clone"],"action":"SCMP_ACT_ALLOW",
				"args":[{"index":0,"value":2114060288,"valueTwo":0,"op":"SCMP_CMP_MASKED_EQ"},{"index":1,"value":255,"valueTwo":17,"op":"SCMP_CMP_MASKED_EQ"}]}]}`,
			want: x86(call("clone", allowIf(
				seccomp.Cond{Arg: 0, Op: seccomp.OpMaskedEqual, Mask: 0x7E020000, Value: 0, Width: 64},
				seccomp.Cond{Arg: 1, Op: seccomp.OpMaskedEqual, Mask: 0xFF, Value: 17, Width: 64}))),
		},
		{
			name: "masked equal masks the datum too, as libseccomp does",
			json: `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["personality"],"action":"SCMP_ACT_ALLOW",
				"args":[{"index":0,"value":255,"valueTwo":264,"op":"SCMP_CMP_MASKED_EQ"}]}]}`,
			want: x86(call("personality", allowIf(seccomp.Cond{Arg: 0, Op: seccomp.OpMaskedEqual, Mask: 0xFF, Value: 8, Width: 64}))),
		},
		{
			name: "masked equal with mask 0 always holds: the rule is unconditional",
			json: `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
				{"names":["kill"],"action":"SCMP_ACT_ERRNO","errnoRet":5,"args":[{"index":1,"value":9,"op":"SCMP_CMP_EQ"}]},
				{"names":["kill"],"action":"SCMP_ACT_ERRNO","errnoRet":7,"args":[{"index":0,"value":0,"valueTwo":5,"op":"SCMP_CMP_MASKED_EQ"}]},
				{"names":["socket"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":0,"op":"SCMP_CMP_MASKED_EQ"},{"index":1,"value":3,"op":"SCMP_CMP_EQ"}]},
				{"names":["dup"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":0,"op":"SCMP_CMP_MASKED_EQ"},{"index":0,"value":3,"op":"SCMP_CMP_EQ"}]}]}`,
			want: x86(
				call("kill", seccomp.Rule{Action: seccomp.Errno(7)}),
				call("socket", allowIf(eq(1, 3))),
				call("dup", allow)),
			notes: []string{`syscalls[0] ("kill"): "kill" rule (errno(5)) dropped: syscalls[1] ("kill") decides errno(7) unconditionally`},
		},
		{
			name: "no ENOSYS patch when the highest number named is 0",
			json: `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"}]}`,
			want: noStub(x86(call("read", allow))),
		},
		{
			name: "args on distinct indexes are one rule (AND)",
			json: `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["socket"],"action":"SCMP_ACT_ALLOW",
				"args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"},{"index":2,"value":0,"op":"SCMP_CMP_EQ"}]}]}`,
			want:    x86(call("socket", allowIf(eq(0, 1), eq(2, 0)))),
			noNotes: true,
		},
		{
			name: "two args on one index make every arg a rule (OR), as runc does",
			json: `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["socket"],"action":"SCMP_ACT_ALLOW",
				"args":[{"index":0,"value":1,"op":"SCMP_CMP_GE"},{"index":0,"value":5,"op":"SCMP_CMP_LE"},{"index":1,"value":7,"op":"SCMP_CMP_EQ"}]}]}`,
			want: x86(call("socket",
				allowIf(seccomp.Cond{Arg: 0, Op: seccomp.OpGreaterEqual, Value: 1, Width: 64}),
				allowIf(seccomp.Cond{Arg: 0, Op: seccomp.OpLessEqual, Value: 5, Width: 64}),
				allowIf(eq(1, 7)))),
			notes: []string{`syscalls[0] ("socket"): several args on one index: each arg is a rule of its own (OR)`},
		},
		{
			name:  "a name the arch lacks is skipped with a note",
			json:  `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read","chown32","mmap2"],"action":"SCMP_ACT_ALLOW"}]}`,
			want:  noStub(x86(call("read", allow))),
			notes: []string{`syscalls[0] ("read" and 2 more): "chown32", "mmap2" unknown on x86_64: skipped`},
		},
		{
			name: "a name the arch lacks is no note on the arch that has it",
			json: `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["renameat"],"action":"SCMP_ACT_ALLOW"}]}`,
			opts: profile.Options{Arch: seccomp.ArchAArch64},
			want: &seccomp.Policy{Arch: seccomp.ArchAArch64, Default: eperm, BadArch: seccomp.KillThread, UnknownENOSYS: true,
				Syscalls: []seccomp.Syscall{call("renameat", allow)}},
			noNotes: true,
		},
		{
			name: "a rule with the default action is dropped",
			json: `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
				{"names":["write"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":0,"op":"SCMP_CMP_EQ"}]},
				{"names":["write"],"action":"SCMP_ACT_ALLOW","args":[{"index":1,"value":1,"op":"SCMP_CMP_EQ"}]},
				{"names":["read"],"action":"SCMP_ACT_ERRNO","errnoRet":1}]}`,
			want:    x86(call("write", allowIf(eq(1, 1)))),
			noNotes: true,
		},
		{
			name: "an unconditional rule overrides the conditional rules before it",
			json: `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
				{"names":["ioctl"],"action":"SCMP_ACT_ERRNO","errnoRet":25,"args":[{"index":1,"value":21522,"op":"SCMP_CMP_EQ"}]},
				{"names":["ioctl","read"],"action":"SCMP_ACT_ALLOW"}]}`,
			want:  x86(call("ioctl", allow), call("read", allow)),
			notes: []string{`syscalls[0] ("ioctl"): "ioctl" rule (errno(25)) dropped: syscalls[1] ("ioctl" and 1 more) decides allow unconditionally`},
		},
		{
			name: "the first unconditional rule wins over later rules",
			json: `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
				{"names":["kill"],"action":"SCMP_ACT_ALLOW"},
				{"names":["kill"],"action":"SCMP_ACT_KILL_PROCESS"},
				{"names":["kill"],"action":"SCMP_ACT_TRAP","args":[{"index":1,"value":9,"op":"SCMP_CMP_EQ"}]},
				{"names":["kill"],"action":"SCMP_ACT_ALLOW"}]}`,
			want: x86(call("kill", allow)),
			notes: []string{
				`syscalls[1] ("kill"): "kill" rule (kill-process) dropped: syscalls[0] ("kill") decides allow unconditionally`,
				`syscalls[2] ("kill"): "kill" rule (trap(0)) dropped`,
			},
		},
		{
			name: "a conditional rule an unconditional one makes redundant goes without a note",
			json: `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
				{"names":["clone"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":2114060288,"op":"SCMP_CMP_MASKED_EQ"}]},
				{"names":["clone"],"action":"SCMP_ACT_ALLOW"}]}`,
			want:    x86(call("clone", allow)),
			noNotes: true,
		},
		{
			name: "overlapping conditional rules keep profile order, with a note",
			json: `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
				{"names":["socket"],"action":"SCMP_ACT_ERRNO","errnoRet":97,"args":[{"index":0,"value":2,"op":"SCMP_CMP_EQ"}]},
				{"names":["socket"],"action":"SCMP_ACT_KILL","args":[{"index":1,"value":3,"op":"SCMP_CMP_EQ"}]}]}`,
			want: &seccomp.Policy{Arch: seccomp.ArchX86_64, Default: seccomp.Allow, BadArch: seccomp.KillThread, Syscalls: []seccomp.Syscall{
				call("socket",
					seccomp.Rule{Action: seccomp.Errno(97), Conds: []seccomp.Cond{eq(0, 2)}},
					seccomp.Rule{Action: seccomp.KillThread, Conds: []seccomp.Cond{eq(1, 3)}})}},
			notes: []string{`syscalls[0] ("socket") and syscalls[1] ("socket"): "socket" rules (errno(97), kill-thread) may both hold: tried in profile order`},
		},
		{
			name: "conditional rules that cannot both hold get no note",
			json: `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
				{"names":["socket"],"action":"SCMP_ACT_ERRNO","errnoRet":97,"args":[{"index":0,"value":2,"op":"SCMP_CMP_EQ"}]},
				{"names":["socket"],"action":"SCMP_ACT_KILL","args":[{"index":0,"value":10,"op":"SCMP_CMP_EQ"},{"index":1,"value":3,"op":"SCMP_CMP_EQ"}]}]}`,
			want: &seccomp.Policy{Arch: seccomp.ArchX86_64, Default: seccomp.Allow, BadArch: seccomp.KillThread, Syscalls: []seccomp.Syscall{
				call("socket",
					seccomp.Rule{Action: seccomp.Errno(97), Conds: []seccomp.Cond{eq(0, 2)}},
					seccomp.Rule{Action: seccomp.KillThread, Conds: []seccomp.Cond{eq(0, 10), eq(1, 3)}})}},
			noNotes: true,
		},
		{
			name: "no ENOSYS patch under a permissive default",
			json: `{"defaultAction":"SCMP_ACT_LOG","syscalls":[{"names":["read"],"action":"SCMP_ACT_ERRNO"}]}`,
			want: &seccomp.Policy{Arch: seccomp.ArchX86_64, Default: seccomp.Log, BadArch: seccomp.KillThread,
				Syscalls: []seccomp.Syscall{call("read", seccomp.Rule{Action: eperm})}},
		},
		{
			name: "no ENOSYS patch under a trace default",
			json: `{"defaultAction":"SCMP_ACT_TRACE","errnoRet":5,"syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"}]}`,
			want: &seccomp.Policy{Arch: seccomp.ArchX86_64, Default: seccomp.Trace(1), BadArch: seccomp.KillThread,
				Syscalls: []seccomp.Syscall{call("read", allow)}},
		},
		{
			name: "NoENOSYS leaves the patch out",
			json: `{"defaultAction":"SCMP_ACT_KILL_PROCESS","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"}]}`,
			opts: profile.Options{NoENOSYS: true},
			want: &seccomp.Policy{Arch: seccomp.ArchX86_64, Default: seccomp.KillProcess, BadArch: seccomp.KillThread,
				Syscalls: []seccomp.Syscall{call("read", allow)}},
		},
		{
			name: "the ENOSYS range starts above a name whose rule runc drops",
			json: `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"},{"names":["openat2"],"action":"SCMP_ACT_ERRNO"}]}`,
			want: x86(call("read", allow), call("openat2", seccomp.Rule{Action: eperm})),
		},
		{
			name: "includes: arches name the target",
			json: `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
				{"names":["arch_prctl"],"action":"SCMP_ACT_ALLOW","includes":{"arches":["amd64","x32"]}},
				{"names":["riscv_flush_icache"],"action":"SCMP_ACT_ALLOW","includes":{"arches":["riscv64"]}},
				{"names":["read"],"action":"SCMP_ACT_ALLOW","excludes":{"arches":["amd64"]}},
				{"names":["write"],"action":"SCMP_ACT_ALLOW","excludes":{"arches":["arm64"]}}]}`,
			want: x86(call("arch_prctl", allow), call("write", allow)),
		},
		{
			name: "includes need every cap, excludes drop on any",
			json: `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
				{"names":["mount"],"action":"SCMP_ACT_ALLOW","includes":{"caps":["CAP_SYS_ADMIN"]}},
				{"names":["reboot"],"action":"SCMP_ACT_ALLOW","includes":{"caps":["CAP_SYS_ADMIN","CAP_SYS_BOOT"]}},
				{"names":["clone3"],"action":"SCMP_ACT_ERRNO","errnoRet":38,"excludes":{"caps":["CAP_SYS_BOOT","CAP_SYS_ADMIN"]}},
				{"names":["acct"],"action":"SCMP_ACT_ALLOW","excludes":{"caps":["CAP_SYS_PACCT"]}}]}`,
			opts: profile.Options{Caps: []string{"CAP_SYS_ADMIN"}},
			want: x86(call("mount", allow), call("acct", allow)),
		},
		{
			name: "an empty Kernel meets every minKernel",
			json: `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
				{"names":["ptrace"],"action":"SCMP_ACT_ALLOW","includes":{"minKernel":"4.8"}},
				{"names":["read"],"action":"SCMP_ACT_ALLOW","excludes":{"minKernel":"4.8"}}]}`,
			want: x86(call("ptrace", allow)),
		},
		{
			name: "Kernel below minKernel",
			json: `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
				{"names":["ptrace"],"action":"SCMP_ACT_ALLOW","includes":{"minKernel":"4.8"}},
				{"names":["read"],"action":"SCMP_ACT_ALLOW","excludes":{"minKernel":"4.10"}}]}`,
			opts: profile.Options{Kernel: "4.7.10-1-amd64"},
			want: noStub(x86(call("read", allow))),
		},
		{
			name: "Kernel at minKernel",
			json: `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
				{"names":["ptrace"],"action":"SCMP_ACT_ALLOW","includes":{"minKernel":"4.8"}},
				{"names":["read"],"action":"SCMP_ACT_ALLOW","excludes":{"minKernel":"4.8"}}]}`,
			opts: profile.Options{Kernel: "4.8"},
			want: x86(call("ptrace", allow)),
		},
		{
			name: "includes hold only when all their conditions do",
			json: `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
				{"names":["read"],"action":"SCMP_ACT_ALLOW","includes":{"arches":["amd64"],"caps":["CAP_BPF"]}},
				{"names":["write"],"action":"SCMP_ACT_ALLOW","includes":{"arches":["amd64"],"minKernel":"5.0"}}]}`,
			opts: profile.Options{Kernel: "6.1"},
			want: x86(call("write", allow)),
		},
		{
			name: "archMap: the target's entry lists the arches",
			json: `{"defaultAction":"SCMP_ACT_ERRNO","archMap":[
				{"architecture":"SCMP_ARCH_AARCH64","subArchitectures":["SCMP_ARCH_ARM"]},
				{"architecture":"SCMP_ARCH_X86_64","subArchitectures":["SCMP_ARCH_X86","SCMP_ARCH_X32"]}],
				"syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"}]}`,
			want: &seccomp.Policy{Arch: seccomp.ArchX86_64, Compat: []seccomp.Arch{seccomp.ArchX86, seccomp.ArchX32}, Default: eperm, BadArch: seccomp.KillThread,
				Syscalls: []seccomp.Syscall{call("read", allow)}}, // one entry of every ABI
			noNotes: true,
		},
		{
			name: "archMap: an arch without a syscall table is named",
			json: `{"defaultAction":"SCMP_ACT_ERRNO","archMap":[{"architecture":"SCMP_ARCH_S390X","subArchitectures":["SCMP_ARCH_S390"]}],
				"syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"}]}`,
			opts: profile.Options{Arch: seccomp.ArchS390X},
			want: &seccomp.Policy{Arch: seccomp.ArchS390X, Default: eperm, BadArch: seccomp.KillThread, UnknownENOSYS: true,
				Syscalls: []seccomp.Syscall{call("read", allow)}},
			notes: []string{"architectures: SCMP_ARCH_S390 not compiled (known, but no syscall table here): their system calls get the bad-arch action, kill-thread"},
		},
		{
			name: "archMap without the target",
			json: `{"defaultAction":"SCMP_ACT_ERRNO","archMap":[{"architecture":"SCMP_ARCH_AARCH64","subArchitectures":["SCMP_ARCH_ARM"]}],
				"syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"}]}`,
			opts: profile.Options{Arch: seccomp.ArchRISCV64},
			want: &seccomp.Policy{Arch: seccomp.ArchRISCV64, Default: eperm, BadArch: seccomp.KillThread, UnknownENOSYS: true,
				Syscalls: []seccomp.Syscall{call("read", allow)}},
			noNotes: true,
		},
		{
			name: "architectures beside the target",
			json: `{"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_AARCH64","SCMP_ARCH_ARM"],"flags":["SECCOMP_FILTER_FLAG_LOG"],
				"syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"}]}`,
			opts: profile.Options{Arch: seccomp.ArchAArch64},
			want: &seccomp.Policy{Arch: seccomp.ArchAArch64, Compat: []seccomp.Arch{seccomp.ArchARM}, Default: eperm, BadArch: seccomp.KillThread, UnknownENOSYS: true,
				Syscalls: []seccomp.Syscall{call("read", allow)}},
			notes: []string{"flags [SECCOMP_FILTER_FLAG_LOG]: load-time flags"},
		},
		{
			name: "an OCI config.json",
			json: `{"ociVersion":"1.2.0","process":{"args":["sh"]},"linux":{"seccomp":{"defaultAction":"SCMP_ACT_ERRNO",
				"syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"}]}}}`,
			want: noStub(x86(call("read", allow))),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := tt.opts
			if opts.Arch == 0 {
				opts.Arch = seccomp.ArchX86_64
			}
			got, notes, err := profile.Import([]byte(tt.json), opts)
			require.NoError(t, err)
			assert.Equal(t, numbered(tt.want), got)
			if tt.noNotes {
				assert.Empty(t, notes)
			}
			require.GreaterOrEqual(t, len(notes), len(tt.notes), "notes: %q", notes)
			for i, want := range tt.notes {
				assert.Contains(t, notes[i], want)
			}
			for _, l := range []seccomp.Layout{seccomp.LayoutTree, seccomp.LayoutBitmap} {
				_, err := got.CompileLayout(l)
				assert.NoError(t, err, "compiling with the %s layout", l)
			}
		})
	}
}

// TestImportErrors checks that bad input is an error that names the entry
// and the field.
func TestImportErrors(t *testing.T) {
	tests := []struct {
		name string
		json string
		opts profile.Options
		want []string // substrings of the error
	}{
		{"malformed JSON", "{\n  \"defaultAction\": \"SCMP_ACT_ERRNO\",\n  \"syscalls\": [}", profile.Options{},
			[]string{"invalid JSON at line 3, column 16"}},
		{"truncated JSON", `{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [`, profile.Options{},
			[]string{"invalid JSON at line 1", "unexpected end"}},
		{"not an object", `[1, 2]`, profile.Options{}, []string{"profile: JSON array where an object belongs"}},
		{"wrong type in an entry", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"},
			{"names":["kill"],"action":"SCMP_ACT_ALLOW","args":[{"index":"one","value":1,"op":"SCMP_CMP_EQ"}]}]}`, profile.Options{},
			[]string{`syscalls[1] ("kill"): args.index: JSON string where a 64-bit unsigned integer belongs`}},
		{"notify as the default", `{"defaultAction":"SCMP_ACT_NOTIFY","syscalls":[]}`, profile.Options{},
			[]string{"profile: defaultAction: SCMP_ACT_NOTIFY cannot be the default (runc refuses it)"}},
		{"negative errnoRet", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ERRNO","errnoRet":-1}]}`, profile.Options{},
			[]string{`syscalls[0] ("read")`, "errnoRet: JSON number -1 where a 64-bit unsigned integer belongs"}},
		{"bad minKernel", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","includes":{"minKernel":"4"}}]}`, profile.Options{},
			[]string{`syscalls[0] ("read")`, "invalid kernel version"}},
		{"syscalls not an array", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":{"names":["read"]}}`, profile.Options{},
			[]string{"syscalls: JSON object where an array belongs"}},
		{"missing defaultAction", `{"syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"}]}`, profile.Options{},
			[]string{"defaultAction: missing"}},
		{"unknown default action", `{"defaultAction":"SCMP_ACT_DENY"}`, profile.Options{},
			[]string{`defaultAction: unknown action "SCMP_ACT_DENY"`}},
		{"unknown action", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"},{"names":["write","close"],"action":"ALLOW"}]}`, profile.Options{},
			[]string{`syscalls[1] ("write" and 1 more): action: unknown action "ALLOW"`}},
		{"missing action", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"]}]}`, profile.Options{},
			[]string{`syscalls[0] ("read"): action: missing`}},
		{"unknown op", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["socket"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"},{"index":1,"value":1,"op":"SCMP_CMP_BETWEEN"}]}]}`, profile.Options{},
			[]string{`syscalls[0] ("socket"): args[1]: unknown op "SCMP_CMP_BETWEEN"`}},
		{"missing op", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["socket"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1}]}]}`, profile.Options{},
			[]string{`syscalls[0] ("socket"): args[0]: op missing`}},
		{"arg index above 5", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["socket"],"action":"SCMP_ACT_ALLOW","args":[{"index":6,"value":1,"op":"SCMP_CMP_EQ"}]}]}`, profile.Options{},
			[]string{`syscalls[0] ("socket"): args[0]: index 6 out of range 0..5`}},
		{"unknown arch", `{"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_AMD64"]}`, profile.Options{},
			[]string{`architectures[1]: unknown arch "SCMP_ARCH_AMD64"`}},
		{"unknown arch in archMap", `{"defaultAction":"SCMP_ACT_ERRNO","archMap":[{"architecture":"SCMP_ARCH_X86_64","subArchitectures":["SCMP_ARCH_I386"]}]}`, profile.Options{},
			[]string{`archMap[0].subArchitectures[0]: unknown arch "SCMP_ARCH_I386"`}},
		{"unknown arch in archMap architecture", `{"defaultAction":"SCMP_ACT_ERRNO","archMap":[{"architecture":"x86_64"}]}`, profile.Options{},
			[]string{`archMap[0].architecture: unknown arch "x86_64"`}},
		{"unknown arch in includes", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["arch_prctl"],"action":"SCMP_ACT_ALLOW","includes":{"arches":["x86_64"]}}]}`, profile.Options{},
			[]string{`syscalls[0] ("arch_prctl"): includes: arches[0]: unknown arch "x86_64"`}},
		{"unknown arch in excludes", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","excludes":{"arches":["ARM64"]}}]}`, profile.Options{},
			[]string{`syscalls[0] ("read"): excludes: arches[0]: unknown arch "ARM64"`}},
		{"name and names", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"name":"read","names":["write"],"action":"SCMP_ACT_ALLOW"}]}`, profile.Options{},
			[]string{`syscalls[0] ("read"): name and names are both set`}},
		{"no name", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"action":"SCMP_ACT_ALLOW"}]}`, profile.Options{},
			[]string{`syscalls[0]: no name or names`}},
		{"empty name", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read",""],"action":"SCMP_ACT_ALLOW"}]}`, profile.Options{},
			[]string{`syscalls[0] ("read" and 1 more): names[1]: empty name`}},
		{"null entry", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[null]}`, profile.Options{},
			[]string{`syscalls[0]: null entry`}},
		{"architectures and archMap", `{"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_X86_64"],"archMap":[{"architecture":"SCMP_ARCH_X86_64"}]}`, profile.Options{},
			[]string{"architectures and archMap are both set"}},
		{"errno out of range", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"},{"names":["write"],"action":"SCMP_ACT_ERRNO","errnoRet":4096}]}`, profile.Options{},
			[]string{`syscalls[1] ("write"): action: errnoRet 4096 out of range 0..4095`}},
		{"default errno out of range", `{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":65536}`, profile.Options{},
			[]string{"defaultAction: errnoRet 65536 out of range 0..4095"}},
		{"trace data out of range", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_TRACE","errnoRet":65536}]}`, profile.Options{},
			[]string{`syscalls[0] ("read"): action: errnoRet 65536 out of range 0..65535`}},
		{"errnoRet on an action without one", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","errnoRet":1}]}`, profile.Options{},
			[]string{`syscalls[0] ("read"): action: SCMP_ACT_ALLOW takes no errnoRet`}},
		{"config.json without seccomp", `{"ociVersion":"1.2.0","linux":{}}`, profile.Options{},
			[]string{"linux.seccomp: missing"}},
		{"bad Kernel option", `{"defaultAction":"SCMP_ACT_ERRNO"}`, profile.Options{Kernel: "latest"},
			[]string{`kernel version "latest"`}},
		{"a bad entry is an error even where filters drop it", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_NOPE","includes":{"arches":["s390x"]}}]}`, profile.Options{},
			[]string{`syscalls[0] ("read"): action: unknown action "SCMP_ACT_NOPE"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := tt.opts
			opts.Arch = seccomp.ArchX86_64
			p, notes, err := profile.Import([]byte(tt.json), opts)
			require.Error(t, err, "policy %+v, notes %q", p, notes)
			assert.True(t, strings.HasPrefix(err.Error(), "profile: "), "error %q lacks the package prefix", err)
			assert.NotContains(t, err.Error(), "\n")
			for _, want := range tt.want {
				assert.Contains(t, err.Error(), want)
			}
		})
	}
}

// TestFromOCI checks the runtime-spec's own type, which has no Docker
// extensions.
func TestFromOCI(t *testing.T) {
	errno := uint(13)
	s := &specs.LinuxSeccomp{
		DefaultAction: specs.ActAllow,
		Architectures: []specs.Arch{specs.ArchX86_64, specs.ArchX32},
		Syscalls: []specs.LinuxSyscall{
			{Names: []string{"ptrace", "bpf"}, Action: specs.ActErrno, ErrnoRet: &errno},
			{Names: []string{"socket"}, Action: specs.ActErrno, Args: []specs.LinuxSeccompArg{{Index: 0, Value: 2, Op: specs.OpEqualTo}}},
		},
	}
	got, notes, err := profile.FromOCI(s, profile.Options{Arch: seccomp.ArchX86_64})
	require.NoError(t, err)
	// x32 is compiled with the target, as runc does.
	// Both ABIs have the three: one entry of every ABI each.
	calls := []seccomp.Syscall{
		call("ptrace", seccomp.Rule{Action: seccomp.Errno(13)}),
		call("bpf", seccomp.Rule{Action: seccomp.Errno(13)}),
		call("socket", seccomp.Rule{Action: eperm, Conds: []seccomp.Cond{eq(0, 2)}}),
	}
	want := &seccomp.Policy{Arch: seccomp.ArchX86_64, Compat: []seccomp.Arch{seccomp.ArchX32}, Default: seccomp.Allow, BadArch: seccomp.KillThread, Syscalls: calls}
	assert.Equal(t, numbered(want), got)
	assert.Empty(t, notes)
	assert.Len(t, s.Syscalls, 2, "FromOCI must not change its argument")

	_, _, err = profile.FromOCI(&specs.LinuxSeccomp{DefaultAction: "SCMP_ACT_NONE"}, profile.Options{Arch: seccomp.ArchX86_64})
	assert.ErrorContains(t, err, `defaultAction: unknown action "SCMP_ACT_NONE"`)
}

// TestDecodeErrors checks that the decoder is strict JSON, bounded, and
// says where: line and column.
func TestDecodeErrors(t *testing.T) {
	big := `{"defaultAction":"SCMP_ACT_ERRNO","comment":"` + strings.Repeat("x", 16<<20) + `"}`
	deep := `{"defaultAction":"SCMP_ACT_ERRNO","x":` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `}`
	tests := []struct {
		name string
		json string
		want string
	}{
		{"trailing garbage", `{"defaultAction":"SCMP_ACT_ERRNO"} x`, `invalid JSON at line 1, column 36: unexpected 'x' after the top-level value`},
		{"two values", `{"defaultAction":"SCMP_ACT_ERRNO"}{}`, `column 35: unexpected '{' after the top-level value`},
		{"trailing comma in an object", `{"defaultAction":"SCMP_ACT_ERRNO",}`, `column 35: unexpected '}', want a field name`},
		{"trailing comma in an array", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read",],"action":"SCMP_ACT_ALLOW"}]}`, `column 64: unexpected ']'`},
		{"missing comma in an array", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read" "write"],"action":"SCMP_ACT_ALLOW"}]}`, `column 64: unexpected '"', want ',' or ']'`},
		{"unterminated array", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read",`, `unexpected end of JSON input`},
		{"bad escape", `{"defaultAction":"SCMP_ACT_\x"}`, `column 28: invalid escape "\\x" in a string`},
		{"lone surrogate", `{"defaultAction":"\ud800"}`, `lone surrogate \ud800`},
		{"short unicode escape", `{"defaultAction":"\u12"}`, `invalid \u escape`},
		{"control character", "{\"defaultAction\":\"SCMP\tACT\"}", `column 23: control character 0x09 in a string`},
		{"invalid UTF-8", "{\"defaultAction\":\"SCMP\xff\"}", `column 23: invalid UTF-8 in a string`},
		{"leading zero", `{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":01}`, `column 54: unexpected '1', want ',' or '}'`},
		{"bad number", `{"defaultAction":"SCMP_ACT_ERRNO","x":1.e5}`, `column 41: unexpected 'e' in a number`},
		{"a comment", "{\"defaultAction\":\"SCMP_ACT_ERRNO\" // deny\n}", `column 35: unexpected '/', want ',' or '}'`},
		{"a bare word", `{"defaultAction":SCMP_ACT_ERRNO}`, `column 18: unexpected 'S', want a value`},
		{"unterminated string", `{"defaultAction":"SCMP`, `unexpected end of JSON input in a string`},
		{"empty input", ``, `line 1, column 1: unexpected end of JSON input`},
		{"too deep", deep, `nested deeper than 32 arrays and objects`},
		{"too big", big, `over the limit of 16777216`},
		{"a number too big", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":18446744073709551616,"op":"SCMP_CMP_EQ"}]}]}`,
			`syscalls[0] ("read"): args.value: JSON number 18446744073709551616 where a 64-bit unsigned integer belongs (line 1, column 118)`},
		{"a fraction", `{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":1.5}`, `defaultErrnoRet: JSON number 1.5 where a 64-bit unsigned integer belongs`},
		{"args given twice", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["socket"],"args":[],"action":"SCMP_ACT_ALLOW","args":[]}]}`,
			`syscalls[0] ("socket"): args: given twice: encoding/json, as runc reads it, merges the two; give it once (line 1, column 103)`},
		{"includes given twice", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["mount"],"includes":{},"Includes":{}}]}`, `syscalls[0] ("mount"): includes: given twice`},
		{"syscalls given twice", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[],"syscalls":[]}`, `syscalls: given twice`},
		{"an entry not an object", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":["read"]}`, `syscalls: JSON string where an object belongs (line 1, column 47)`},
		{"names with a number", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"action":"SCMP_ACT_ALLOW","names":["read",0]}]}`, `syscalls[0] ("read"): names: JSON number 0 where a string belongs`},
		{"a type error names the entry by names after it", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"action":true,"names":["read"]}]}`, `syscalls[0] ("read"): action: JSON boolean where a string belongs`},
		{"bad minKernel", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","excludes":{"minKernel":"4.256"}}]}`,
			`syscalls[0] ("read"): excludes.minKernel: invalid kernel version "4.256"`},
		{"minKernel 0.0", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","includes":{"minKernel":"0.0"}}]}`, `version cannot be 0.0`},
		{"unknown errno", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ERRNO","errno":"EPREM"}]}`, `syscalls[0] ("read"): errno: unknown errno "EPREM"`},
		{"unknown default errno", `{"defaultAction":"SCMP_ACT_ERRNO","defaultErrno":"NOSYS"}`, `defaultErrno: unknown errno "NOSYS"`},
		{"config.json with a bad linux", `{"ociVersion":"1.2.0","linux":[]}`, `config.json: linux: JSON array where an object belongs`},
		{"config.json with a null seccomp", `{"ociVersion":"1.2.0","linux":{"seccomp":null}}`, `config.json: linux.seccomp: missing`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, notes, err := profile.Import([]byte(tt.json), profile.Options{Arch: seccomp.ArchX86_64})
			require.Error(t, err, "policy %+v, notes %q", p, notes)
			msg := err.Error()
			assert.True(t, strings.HasPrefix(msg, "profile: "), msg)
			assert.NotContains(t, msg, "\n")
			assert.Contains(t, msg, tt.want)
		})
	}
}

// TestDecodeReadsAsEncodingJSON pins the corners where the decoder follows
// encoding/json: nulls are absent fields, escapes decode, and a config's
// last linux.seccomp counts.
func TestDecodeReadsAsEncodingJSON(t *testing.T) {
	tests := []struct {
		name string
		json string
		want *seccomp.Policy
	}{
		{"nulls", `{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":null,"archMap":null,"syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","errnoRet":null,"args":null,"includes":null,"excludes":{"minKernel":null}}]}`,
			noStub(x86(call("read", allow)))},
		{"escapes", `{"defaultAction":"SCMP_ACT_\u0045RRNO","syscalls":[{"n\u0061mes":["re\u0061d","\u00e9"],"action":"SCMP_ACT_ALLOW","comment":"\"\\\/\b\f\n\r\t\ud83d\ude00"}]}`,
			noStub(x86(call("read", allow)))},
		{"names spaced, and escaped past the first", "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\": [ \"read\" ,\n\t\"wr\\u0069te\" , \"close\"\t],\"action\":\"SCMP_ACT_ALLOW\"}]}",
			x86(call("read", allow), call("write", allow), call("close", allow))},
		{"minKernel empty is met by every kernel", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["ptrace"],"action":"SCMP_ACT_ALLOW","includes":{"minKernel":""}}]}`,
			x86(call("ptrace", allow))},
		{"the last seccomp of a config", `{"linux":{"seccomp":{"defaultAction":"SCMP_ACT_KILL"}},"ociVersion":"1","linux":{"seccomp":{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"}]}}}`,
			noStub(x86(call("read", allow)))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, err := profile.Import([]byte(tt.json), profile.Options{Arch: seccomp.ArchX86_64, Kernel: "3.10"})
			require.NoError(t, err)
			assert.Equal(t, numbered(tt.want), got)
		})
	}
}

// TestSchemaFieldsAreFormats pins the fields the importer takes to the Go
// types of the formats: every JSON name of the runtime spec's LinuxSeccomp,
// LinuxSyscall and LinuxSeccompArg and of Docker's Seccomp, Architecture,
// Syscall and Filter is read, and no field is noted as unknown.
func TestSchemaFieldsAreFormats(t *testing.T) {
	// Every field the formats define, set once each, in one profile.
	js := `{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":1,"defaultErrno":"EPERM","architectures":[],"flags":[],
		"listenerPath":"","listenerMetadata":"","archMap":[{"architecture":"SCMP_ARCH_X86_64","subArchitectures":[]}],
		"syscalls":[{"names":["read"],"action":"SCMP_ACT_ERRNO","errnoRet":1,"errno":"EPERM","comment":"",
			"args":[{"index":0,"value":1,"valueTwo":0,"op":"SCMP_CMP_EQ"}],
			"includes":{"caps":[],"arches":[],"minKernel":"4.8"},"excludes":{"caps":[],"arches":[],"minKernel":"9.9"}},
			{"name":"write","action":"SCMP_ACT_ALLOW"}]}`
	_, notes, err := profile.Import([]byte(js), profile.Options{Arch: seccomp.ArchX86_64, Strict: true})
	require.NoError(t, err)
	assert.Empty(t, notes)
	for _, typ := range []reflect.Type{
		reflect.TypeFor[specs.LinuxSeccomp](), reflect.TypeFor[specs.LinuxSyscall](), reflect.TypeFor[specs.LinuxSeccompArg](),
		reflect.TypeFor[mobyseccomp.Seccomp](), reflect.TypeFor[mobyseccomp.Architecture](), reflect.TypeFor[mobyseccomp.Syscall](), reflect.TypeFor[mobyseccomp.Filter](),
	} {
		for f := range typ.Fields() {
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "" {
				continue // embedded
			}
			assert.Contains(t, js, `"`+name+`":`, "%s.%s (%q) is not in the test profile", typ, f.Name, name)
		}
	}
}

// TestQuoteListAsFmt checks the note's fast quoting against %q.
func TestQuoteListAsFmt(t *testing.T) {
	_, notes, err := profile.Import([]byte(`{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read","chown32","mkdri\u00e9\"x","_llseek"],"action":"SCMP_ACT_ALLOW"}]}`),
		profile.Options{Arch: seccomp.ArchX86_64})
	require.NoError(t, err)
	assert.Contains(t, notes, fmt.Sprintf("syscalls[0] (\"read\" and 3 more): %q unknown to every arch: skipped", "mkdri\u00e9\"x"))
	assert.Contains(t, notes, fmt.Sprintf("syscalls[0] (\"read\" and 3 more): %q, %q unknown on x86_64: skipped", "chown32", "_llseek"))
}
