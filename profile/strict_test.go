package profile_test

import (
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sandboxkit/seccomp"
	"github.com/sandboxkit/seccomp/profile"
)

// TestNotesAndStrict checks each note the importer takes: its text (the
// entry, the field, where), what the policy makes of the profile without
// Strict, and whether Strict makes the note an error.
func TestNotesAndStrict(t *testing.T) {
	tests := []struct {
		name   string
		json   string
		want   *seccomp.Policy // without Strict
		note   string          // substring of one note
		strict bool            // Strict refuses the profile
	}{
		{
			name:   "a typo in args allows unconditionally",
			json:   `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["socket"],"action":"SCMP_ACT_ALLOW","arg":[{"index":0,"value":2,"op":"SCMP_CMP_EQ"}]}]}`,
			want:   x86(call("socket", allow)),
			note:   `syscalls[0] ("socket"): unknown field "arg" (line 1, column 93): ignored`,
			strict: true,
		},
		{
			name:   "a typo in errnoRet gives EPERM",
			json:   `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["ptrace"],"action":"SCMP_ACT_ERRNO","erronRet":13}]}`,
			want:   &seccomp.Policy{Arch: seccomp.ArchX86_64, Default: seccomp.Allow, BadArch: seccomp.KillThread, Syscalls: []seccomp.Syscall{call("ptrace", seccomp.Rule{Action: eperm})}},
			note:   `syscalls[0] ("ptrace"): unknown field "erronRet" (line 1, column 93): ignored`,
			strict: true,
		},
		{
			name:   "an unknown field at the top",
			json:   "{\n\"defaultAction\":\"SCMP_ACT_ERRNO\",\n  \"defaultErrnoRett\": 38,\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"}]}",
			want:   noStub(x86(call("read", allow))),
			note:   `unknown field "defaultErrnoRett" (line 3, column 3): ignored`,
			strict: true,
		},
		{
			name: "an unknown field in an arg",
			json: `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"},
				{"names":["socket"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"},{"index":1,"valeu":2,"op":"SCMP_CMP_EQ"}]}]}`,
			want:   x86(call("read", allow), call("socket", allowIf(eq(0, 1), eq(1, 0)))),
			note:   `syscalls[1] ("socket"): args[1]: unknown field "valeu"`,
			strict: true,
		},
		{
			name:   "an unknown field in includes",
			json:   `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["mount"],"action":"SCMP_ACT_ALLOW","includes":{"cap":["CAP_SYS_ADMIN"]}}]}`,
			want:   x86(call("mount", allow)),
			note:   `syscalls[0] ("mount"): includes: unknown field "cap"`,
			strict: true,
		},
		{
			name:   "an unknown field in archMap",
			json:   `{"defaultAction":"SCMP_ACT_ERRNO","archMap":[{"architecture":"SCMP_ARCH_X86_64","subArches":["SCMP_ARCH_X86"]}],"syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"}]}`,
			want:   noStub(x86(call("read", allow))),
			note:   `archMap[0]: unknown field "subArches"`,
			strict: true,
		},
		{
			name:   "an unknown field deep in an unknown field is one note",
			json:   `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","extra":{"args":[{"index":9}]}}]}`,
			want:   noStub(x86(call("read", allow))),
			note:   `syscalls[0] ("read"): unknown field "extra"`,
			strict: true,
		},
		{
			name:   "a field in another case reads as encoding/json reads it",
			json:   `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"Names":["read"],"action":"SCMP_ACT_ALLOW"}]}`,
			want:   noStub(x86(call("read", allow))),
			note:   `syscalls[0] ("read"): field "Names" (line 1, column 48) read as "names"`,
			strict: true,
		},
		{
			name:   "a field given twice: the last counts",
			json:   `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_KILL","action":"SCMP_ACT_ALLOW"}]}`,
			want:   noStub(x86(call("read", allow))),
			note:   `syscalls[0] ("read"): field "action" given twice (line 1, column 90): the last counts`,
			strict: true,
		},
		{
			name:   "a name no arch knows",
			json:   `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdri","rmdir"],"action":"SCMP_ACT_ERRNO"}]}`,
			want:   &seccomp.Policy{Arch: seccomp.ArchX86_64, Default: seccomp.Allow, BadArch: seccomp.KillThread, Syscalls: []seccomp.Syscall{call("rmdir", seccomp.Rule{Action: eperm})}},
			note:   `syscalls[0] ("mkdri" and 1 more): "mkdri" unknown to every arch: skipped`,
			strict: true,
		},
		{
			name:   "a name no arch knows, in an entry the filters drop",
			json:   `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"},{"names":["s390_sthyi","s390_sthy"],"action":"SCMP_ACT_ALLOW","includes":{"arches":["s390x"]}}]}`,
			want:   noStub(x86(call("read", allow))),
			note:   `syscalls[1] ("s390_sthyi" and 1 more): "s390_sthy" unknown to every arch: skipped`,
			strict: true,
		},
		{
			name: "a name the target lacks is no error",
			json: `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read","chown32","breakpoint"],"action":"SCMP_ACT_ALLOW"}]}`,
			want: noStub(x86(call("read", allow))),
			note: `syscalls[0] ("read" and 2 more): "chown32", "breakpoint" unknown on x86_64: skipped`,
		},
		{
			name:   "a capability Linux lacks",
			json:   `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"},{"names":["mount"],"action":"SCMP_ACT_ALLOW","includes":{"caps":["CAP_SYS_ADMNI"]}}]}`,
			want:   noStub(x86(call("read", allow))),
			note:   `syscalls[1] ("mount"): includes: caps[0]: unknown capability "CAP_SYS_ADMNI"`,
			strict: true,
		},
		{
			name: "containers/common's errno names",
			json: `{"defaultAction":"SCMP_ACT_ERRNO","defaultErrno":"ENOSYS","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"},
				{"names":["write"],"action":"SCMP_ACT_ERRNO","errno":"EACCES"},{"names":["close"],"action":"SCMP_ACT_ERRNO","errno":"7","errnoRet":7}]}`,
			want: &seccomp.Policy{Arch: seccomp.ArchX86_64, Default: seccomp.Errno(syscall.ENOSYS), BadArch: seccomp.KillThread, UnknownENOSYS: true,
				Syscalls: []seccomp.Syscall{call("read", allow), call("write", seccomp.Rule{Action: seccomp.Errno(13)}), call("close", seccomp.Rule{Action: seccomp.Errno(7)})}},
		},
		{
			name:   "errno and errnoRet disagree: errno counts",
			json:   `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["ptrace"],"action":"SCMP_ACT_ERRNO","errno":"EPERM","errnoRet":13}]}`,
			want:   &seccomp.Policy{Arch: seccomp.ArchX86_64, Default: seccomp.Allow, BadArch: seccomp.KillThread, Syscalls: []seccomp.Syscall{call("ptrace", seccomp.Rule{Action: eperm})}},
			note:   `syscalls[0] ("ptrace"): errno "EPERM" (1) and errnoRet 13 differ`,
			strict: true,
		},
		{
			name: "args on one index",
			json: `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["socket"],"action":"SCMP_ACT_ALLOW",
				"args":[{"index":0,"value":1,"op":"SCMP_CMP_GE"},{"index":0,"value":5,"op":"SCMP_CMP_LE"}]}]}`,
			want: x86(call("socket",
				allowIf(seccomp.Cond{Arg: 0, Op: seccomp.OpGreaterEqual, Value: 1, Width: 64}),
				allowIf(seccomp.Cond{Arg: 0, Op: seccomp.OpLessEqual, Value: 5, Width: 64}))),
			note:   `syscalls[0] ("socket"): several args on one index`,
			strict: true,
		},
		{
			name: "rules that may both hold",
			json: `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
				{"names":["socket"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":2,"op":"SCMP_CMP_EQ"}]},
				{"names":["socket"],"action":"SCMP_ACT_KILL","args":[{"index":1,"value":3,"op":"SCMP_CMP_EQ"}]}]}`,
			want: &seccomp.Policy{Arch: seccomp.ArchX86_64, Default: seccomp.Allow, BadArch: seccomp.KillThread, Syscalls: []seccomp.Syscall{
				call("socket", seccomp.Rule{Action: eperm, Conds: []seccomp.Cond{eq(0, 2)}}, seccomp.Rule{Action: seccomp.KillThread, Conds: []seccomp.Cond{eq(1, 3)}})}},
			note:   `may both hold`,
			strict: true,
		},
		{
			name: "rules an equality and its negation keep apart get no note",
			json: `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
				{"names":["socket"],"action":"SCMP_ACT_ERRNO","errnoRet":22,"args":[{"index":0,"value":16,"op":"SCMP_CMP_EQ"},{"index":2,"value":9,"op":"SCMP_CMP_EQ"}]},
				{"names":["socket"],"action":"SCMP_ACT_ALLOW","args":[{"index":2,"value":9,"op":"SCMP_CMP_NE"}]}]}`,
			want: x86(call("socket", seccomp.Rule{Action: seccomp.Errno(22), Conds: []seccomp.Cond{eq(0, 16), eq(2, 9)}},
				allowIf(seccomp.Cond{Arg: 2, Op: seccomp.OpNotEqual, Value: 9, Width: 64}))),
		},
		{
			name: "a rule with a condition that never holds never applies",
			json: `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["ptrace"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":0,"op":"SCMP_CMP_LT"},{"index":1,"value":1,"op":"SCMP_CMP_EQ"}]},
				{"names":["bpf"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":18446744073709551615,"op":"SCMP_CMP_GT"}]}]}`,
			want:   &seccomp.Policy{Arch: seccomp.ArchX86_64, Default: seccomp.Allow, BadArch: seccomp.KillThread},
			note:   `syscalls[0] ("ptrace"): args[0] (arg0 < 0x0) can never hold (comparisons are unsigned): its rule never applies`,
			strict: true,
		},
		{
			name: "an ORed rule that never holds is left out",
			json: `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["socket"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":0,"op":"SCMP_CMP_LT"},{"index":0,"value":10,"op":"SCMP_CMP_EQ"}]}]}`,
			want: &seccomp.Policy{Arch: seccomp.ArchX86_64, Default: seccomp.Allow, BadArch: seccomp.KillThread, Syscalls: []seccomp.Syscall{
				call("socket", seccomp.Rule{Action: eperm, Conds: []seccomp.Cond{eq(0, 10)}})}},
			note:   `syscalls[0] ("socket"): args[0] (arg0 < 0x0) can never hold`,
			strict: true,
		},
		{
			name: "a rule an unconditional one drops is a skip",
			json: `{"defaultAction":"SCMP_ACT_KILL_PROCESS","syscalls":[{"names":["setns"],"action":"SCMP_ACT_ALLOW"},{"names":["setns"],"action":"SCMP_ACT_ERRNO","errnoRet":1,"args":[{"index":1,"value":0,"op":"SCMP_CMP_EQ"}]}]}`,
			want: &seccomp.Policy{Arch: seccomp.ArchX86_64, Default: seccomp.KillProcess, BadArch: seccomp.KillThread, UnknownENOSYS: true, Syscalls: []seccomp.Syscall{call("setns", allow)}},
			note: `syscalls[1] ("setns"): "setns" rule (errno(1)) dropped`,
		},
		{
			name: "arches beside the target and flags are no error",
			json: `{"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_X86"],"flags":["SECCOMP_FILTER_FLAG_LOG"],"listenerPath":"/run/l.sock","listenerMetadata":"m","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","comment":"c"}]}`,
			want: &seccomp.Policy{Arch: seccomp.ArchX86_64, Compat: []seccomp.Arch{seccomp.ArchX86}, Default: eperm, BadArch: seccomp.KillThread,
				Syscalls: []seccomp.Syscall{call("read", allow)}},
			note: `flags [SECCOMP_FILTER_FLAG_LOG]: load-time flags`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := profile.Options{Arch: seccomp.ArchX86_64}
			got, notes, err := profile.Import([]byte(tt.json), opts)
			require.NoError(t, err)
			assert.Equal(t, numbered(tt.want), got)
			if tt.note == "" {
				assert.Empty(t, notes)
			} else {
				assert.True(t, slices.ContainsFunc(notes, func(n string) bool { return strings.Contains(n, tt.note) }), "no note %q in %q", tt.note, notes)
			}

			opts.Strict = true
			got, notes, err = profile.Import([]byte(tt.json), opts)
			if !tt.strict {
				require.NoError(t, err)
				assert.Equal(t, numbered(tt.want), got)
				return
			}
			require.Error(t, err, "notes %q", notes)
			assert.Nil(t, got)
			assert.Nil(t, notes)
			assert.Contains(t, err.Error(), "profile: strict: ")
			assert.Contains(t, err.Error(), tt.note)
			assert.NotContains(t, err.Error(), "\n")
		})
	}
}

// TestStrictCountsTheRest checks that a strict error names the first note
// and counts the others.
func TestStrictCountsTheRest(t *testing.T) {
	_, _, err := profile.Import([]byte(`{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["mkdri"],"action":"SCMP_ACT_ALLOW","arg":[],"erronRet":1}]}`),
		profile.Options{Arch: seccomp.ArchX86_64, Strict: true})
	require.Error(t, err)
	assert.Equal(t, `profile: strict: syscalls[0] ("mkdri"): unknown field "arg" (line 1, column 92): ignored (and 2 more)`, err.Error())
}

// TestPodmanDefault imports Podman's default profile: under Strict, for
// every arch, with no note but what runc skips too, and with the errno
// names it spells.
func TestPodmanDefault(t *testing.T) {
	data, err := os.ReadFile("testdata/podman-seccomp.json")
	require.NoError(t, err)
	for _, arch := range profile.Targets() {
		t.Run(arch.String(), func(t *testing.T) {
			p, notes, err := profile.Import(data, profile.Options{Arch: arch, Strict: true})
			require.NoError(t, err)
			for _, n := range notes {
				assert.True(t, isSkip(n), "note %q", n)
			}
			enosys := syscall.Errno(38) // defaultErrno "ENOSYS", as numbered on the target
			if strings.HasPrefix(arch.String(), "mips") {
				enosys = 89 // arch/mips/include/uapi/asm/errno.h
			}
			assert.Equal(t, seccomp.Errno(enosys), p.Default, "defaultErrno ENOSYS")
			// Parse turns the errno names into errnoRet, as containers/common
			// does before a runtime sees the profile: with no target, in the
			// generic numbers, which MIPS does not share.
			if enosys == 38 {
				parsed, err := profile.Parse(data)
				require.NoError(t, err)
				fromParse, _, err := profile.FromDocker(parsed, profile.Options{Arch: arch})
				require.NoError(t, err)
				assert.Equal(t, p, fromParse)
			}
			prog, err := p.Compile()
			require.NoError(t, err)
			for name, want := range map[string][]seccomp.Action{
				"read":            {seccomp.Allow},
				"perf_event_open": {eperm},                            // errno "EPERM" without CAP_SYS_ADMIN
				"socket":          {seccomp.Errno(22), seccomp.Allow}, // errno "EINVAL" for NETLINK_AUDIT
			} {
				nr, ok := arch.SyscallNumber(name)
				require.True(t, ok, name)
				an, err := prog.Analyze(uint32(nr))
				require.NoError(t, err)
				assert.Subset(t, an.Actions, want, name)
			}
		})
	}
}

// isSkip reports whether a note is one Strict leaves a note: what runc
// skips too, or what is not part of the program.
func isSkip(note string) bool {
	for _, s := range []string{" unknown on ", " not compiled ", " dropped: ", "load-time flags"} {
		if strings.Contains(note, s) {
			return true
		}
	}
	return false
}

// TestImportRefusesHugeProfiles checks that a profile with more entries
// than seccomp.MaxRules, or more args than seccomp.MaxConds, is refused
// while it is read, with seccomp.ErrTooLarge, rather than decoded whole
// for the core to refuse.
func TestImportRefusesHugeProfiles(t *testing.T) {
	build := func(n int, entry string) []byte {
		var b strings.Builder
		b.WriteString(`{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[`)
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(entry)
		}
		b.WriteString(`]}`)
		return []byte(b.String())
	}
	tests := []struct {
		name, entry, want string
		n                 int
	}{
		{"entries", `{"names":["read"],"action":"SCMP_ACT_ALLOW"}`, "syscalls: over 65536 entries (seccomp.MaxRules)", seccomp.MaxRules + 1},
		{"args", `{"names":["read"],"action":"SCMP_ACT_ALLOW","args":[` + strings.Repeat(`{"index":0,"value":1,"op":"SCMP_CMP_EQ"},`, 99) + `{"index":0,"value":1,"op":"SCMP_CMP_EQ"}]}`, "args: over 65536 in all the entries (seccomp.MaxConds)", seccomp.MaxConds/100 + 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := profile.Import(build(tt.n, tt.entry), profile.Options{Arch: seccomp.ArchX86_64})
			require.ErrorIs(t, err, seccomp.ErrTooLarge)
			assert.ErrorContains(t, err, tt.want)
		})
	}
	// One under each limit is read, and left to the core to judge.
	_, _, err := profile.Import(build(1000, `{"names":["read"],"action":"SCMP_ACT_ALLOW"}`), profile.Options{Arch: seccomp.ArchX86_64})
	require.NoError(t, err)
}
