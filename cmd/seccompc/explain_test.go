//go:build linux

package main

import (
	"encoding/binary"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/sandboxkit/seccomp"
)

// explained is what explain printed, by line label.
type explained struct {
	verdict, decidedBy, cached string
	pathLen                    int      // the count on the path line
	path                       []string // the disassembled lines after it
}

func parseExplained(t *testing.T, out string) explained {
	t.Helper()
	var e explained
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	for i, line := range lines {
		label, value, _ := strings.Cut(line, ":")
		value = strings.TrimSpace(value)
		switch label {
		case "verdict":
			e.verdict = value
		case "decided by":
			e.decidedBy = value
		case "cached":
			e.cached = value
		case "path":
			n, err := strconv.Atoi(strings.TrimSuffix(value, " instructions"))
			require.NoError(t, err, line)
			e.pathLen, e.path = n, lines[i+1:]
		}
	}
	return e
}

// TestExplainProfile checks explain against what Docker's default profile
// says of each call: the verdicts and the deciding rules below are read
// from the profile (moby/profiles/seccomp default.json), not from output.
func TestExplainProfile(t *testing.T) {
	tests := []struct {
		name      string
		call      []string
		nr        uint32
		verdict   string
		decidedBy string // a part of the line
		cached    bool
	}{
		// socket is allowed for every family but AF_VSOCK (40); the
		// profile's default is ERRNO(EPERM).
		{"socket(AF_VSOCK)", []string{"socket", "40", "1", "0"}, unix.SYS_SOCKET, "errno(1)", "the default action", false},
		{"socket(AF_INET)", []string{"socket", "2", "1", "0"}, unix.SYS_SOCKET, "allow", "of the socket entry", false},
		{"by number, hex", []string{"41", "0x28"}, unix.SYS_SOCKET, "errno(1)", "the default action", false},
		// read is allowed whatever its arguments: the kernel caches it.
		{"read", []string{"read"}, unix.SYS_READ, "allow", "rule 0 of the read entry", true},
		// clone3 fails with ENOSYS, so that libc falls back to clone.
		{"clone3", []string{"clone3"}, unix.SYS_CLONE3, "errno(38)", "rule 0 of the clone3 entry", false},
		// x32 numbers on x86_64: the profile's archMap compiles x32 with
		// x86_64, and x32's read (bit 30 set) is allowed; x32 numbers are
		// beyond the kernel's cache.
		{"x32 read", []string{"0x40000000"}, 0x40000000, "allow", "rule 0 of the read entry", false},
		// Bit 31 too: no ABI's number.
		{"bits 31 and 30", []string{"0xC0000000"}, 0xC0000000, "errno(38)", "", false},
	}
	prog, err := mustCompileDocker(t)
	require.NoError(t, err)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, stdout, stderr := cli(append([]string{"explain", "-profile", "docker", "-arch", "x86_64"}, tt.call...)...)
			require.Equal(t, 0, status, stderr)
			e := parseExplained(t, stdout)
			assert.Equal(t, tt.verdict, e.verdict)
			assert.Contains(t, e.decidedBy, tt.decidedBy)
			assert.Equal(t, tt.cached, strings.HasPrefix(e.cached, "yes"), e.cached)
			// The path is the filter's own: as long as Analyze bounds it,
			// one line an instruction, ending in a return of the verdict.
			an, err := prog.Analyze(tt.nr)
			require.NoError(t, err)
			assert.GreaterOrEqual(t, e.pathLen, an.MinExecuted)
			assert.LessOrEqual(t, e.pathLen, an.MaxExecuted)
			require.Len(t, e.path, e.pathLen)
			assert.Contains(t, e.path[0], "0: ld [4]")
			last := e.path[len(e.path)-1]
			assert.Contains(t, last, ": ret #")
			assert.True(t, strings.HasSuffix(last, "; "+tt.verdict), last)
		})
	}
}

func mustCompileDocker(t *testing.T) (seccomp.Program, error) {
	t.Helper()
	in := input{profile: "docker", arch: "x86_64", layout: "tree"}
	c, err := in.load(io.Discard)
	if err != nil {
		return seccomp.Program{}, err
	}
	return c.prog, nil
}

// TestExplainProgram checks -program on a file seccompc did not write: a
// sock_filter[] made here by hand, as any tool would write it.
func TestExplainProgram(t *testing.T) {
	// ld [4]; jeq #x86_64, 0, 3; ld [0]; jeq #getpid, 0, 1; ret ERRNO(7); ret ALLOW
	insns := [][4]uint32{
		{0x20, 0, 0, 4},
		{0x15, 0, 3, uint32(seccomp.ArchX86_64)},
		{0x20, 0, 0, 0},
		{0x15, 0, 1, unix.SYS_GETPID},
		{0x06, 0, 0, 0x00050007},
		{0x06, 0, 0, 0x7FFF0000},
	}
	var raw []byte
	for _, in := range insns {
		raw = binary.LittleEndian.AppendUint16(raw, uint16(in[0]))
		raw = append(raw, byte(in[1]), byte(in[2]))
		raw = binary.LittleEndian.AppendUint32(raw, in[3])
	}
	path := filepath.Join(t.TempDir(), "hand.bpf")
	require.NoError(t, os.WriteFile(path, raw, 0o600))
	tests := []struct {
		call    string
		verdict string
		n       int
		cached  bool
	}{
		{"getpid", "errno(7)", 5, false},
		{"read", "allow", 5, true},
	}
	for _, tt := range tests {
		t.Run(tt.call, func(t *testing.T) {
			status, stdout, stderr := cli("explain", "-program", path, "-arch", "x86_64", tt.call)
			require.Equal(t, 0, status, stderr)
			e := parseExplained(t, stdout)
			assert.Equal(t, tt.verdict, e.verdict)
			assert.Equal(t, "filter 0 of 1", e.decidedBy[:len("filter 0 of 1")])
			assert.Equal(t, tt.cached, strings.HasPrefix(e.cached, "yes"), e.cached)
			assert.Equal(t, tt.n, e.pathLen)
		})
	}
}

// TestExplainBadInput checks that each mistake gets one line naming it
// and exit status 2.
func TestExplainBadInput(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "odd.bpf")
	require.NoError(t, os.WriteFile(bin, []byte{1, 2, 3}, 0o600))
	unfiltered := exec.Command("sleep", "10")
	require.NoError(t, unfiltered.Start())
	t.Cleanup(func() {
		unfiltered.Process.Kill()
		unfiltered.Wait()
	})
	invalid := filepath.Join(t.TempDir(), "invalid.bpf")
	require.NoError(t, os.WriteFile(invalid, []byte{0x20, 0, 0, 0, 0, 0, 0, 0}, 0o600)) // ld [0], no return
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no source", []string{"read"}, "want exactly one of -profile, -program and -pid"},
		{"two sources", []string{"-profile", "docker", "-program", bin, "read"}, "want exactly one of"},
		{"no call", []string{"-profile", "docker"}, "no system call"},
		{"unknown call", []string{"-profile", "docker", "-arch", "x86_64", "nosuchcall"}, `"nosuchcall" is no system call on x86_64`},
		{"bad argument", []string{"-profile", "docker", "read", "12z"}, `argument 0: "12z" is not a number`},
		{"seven arguments", []string{"-profile", "docker", "read", "1", "2", "3", "4", "5", "6", "7"}, "7 arguments"},
		{"number too big", []string{"-profile", "docker", "0x100000000"}, "does not fit 32 bits"},
		{"bad arch", []string{"-profile", "docker", "-arch", "vax", "read"}, `-arch: unknown arch "vax"`},
		{"caps without a profile", []string{"-program", bin, "-caps", "SYS_ADMIN", "read"}, "-caps applies only to -profile"},
		{"missing program", []string{"-program", "/nonexistent.bpf", "read"}, "-program: open /nonexistent.bpf"},
		{"odd length", []string{"-program", bin, "read"}, "3 bytes"},
		{"invalid program", []string{"-program", invalid, "read"}, "filter 0: seccomp: invalid program"},
		{"bad pid", []string{"-pid", "-3", "read"}, "-pid: -3 is no process id"},
		{"pid with arch", []string{"-pid", "1", "-arch", "x86_64", "read"}, "-arch does not apply"},
		{"no such process", []string{"-pid", "2147483647", "read"}, "-pid 2147483647: no such process"},
		{"a process without a filter", []string{"-pid", strconv.Itoa(unfiltered.Process.Pid), "read"}, "the process has no seccomp filter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, stdout, stderr := cli(append([]string{"explain"}, tt.args...)...)
			assert.Equal(t, exitBadInput, status)
			assert.Empty(t, stdout)
			assert.Equal(t, 1, strings.Count(stderr, "\n"), stderr)
			assert.Contains(t, stderr, tt.want)
		})
	}
}

// TestExplainPID is the acceptance test of explain -pid: a command run
// under Docker's profile by seccompc run, read back from outside, gives
// the verdicts the profile gives.
func TestExplainPID(t *testing.T) {
	native, err := seccomp.NativeArch()
	if err != nil || native != seccomp.ArchX86_64 {
		skipUnlessRequired(t, "the calls below are x86_64's")
	}
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		skipUnlessRequired(t, err.Error())
	}
	cmd := seccompcChild(t, "run", "-profile", "docker", "--", sleep, "30")
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	pid := filteredSleep(t, cmd.Process.Pid)
	t.Cleanup(func() { unix.Kill(pid, unix.SIGKILL) }) // should run have forked it

	for _, call := range [][]string{{"socket", "40", "1", "0"}, {"socket", "2", "1", "0"}, {"read"}, {"clone3"}, {"unshare", "0x10000000"}} {
		t.Run(strings.Join(call, " "), func(t *testing.T) {
			status, fromProfile, stderr := cli(append([]string{"explain", "-profile", "docker", "-arch", "x86_64"}, call...)...)
			require.Equal(t, 0, status, stderr)
			status, fromPID, stderr := cli(append([]string{"explain", "-pid", strconv.Itoa(pid)}, call...)...)
			require.Equal(t, 0, status, stderr)
			want, got := parseExplained(t, fromProfile), parseExplained(t, fromPID)
			assert.Equal(t, want.verdict, got.verdict)
			assert.Equal(t, want.cached, got.cached)
			assert.True(t, strings.HasPrefix(got.decidedBy, "filter "), got.decidedBy)
		})
	}
}

// filteredSleep returns the process, pid or a descendant of it, that runs
// sleep under a seccomp filter (Seccomp: 2), waiting for it to get there:
// seccompc run may re-exec itself, or fork, before it executes the command.
func filteredSleep(t *testing.T, pid int) int {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		for _, p := range append([]int{pid}, descendants(pid)...) {
			comm, _ := os.ReadFile("/proc/" + strconv.Itoa(p) + "/comm")
			status, _ := os.ReadFile("/proc/" + strconv.Itoa(p) + "/status")
			if strings.TrimSpace(string(comm)) == "sleep" && strings.Contains(string(status), "\nSeccomp:\t2\n") {
				return p
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no filtered sleep under process %d after 10s", pid)
	return 0
}

// descendants returns the processes below pid, from /proc/*/stat.
func descendants(pid int) []int {
	entries, _ := os.ReadDir("/proc")
	parent := map[int]int{}
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// "pid (comm) state ppid ...": comm may hold spaces.
		fields := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
		if len(fields) > 1 {
			parent[p], _ = strconv.Atoi(fields[1])
		}
	}
	var out []int
	for p := range parent {
		for q := parent[p]; q > 1; q = parent[q] {
			if q == pid {
				out = append(out, p)
				break
			}
		}
	}
	return out
}

// skipUnlessRequired skips the test, or fails it under
// SECCOMP_REQUIRE_KERNEL=1, where every kernel test must run.
func skipUnlessRequired(t *testing.T, reason string) {
	t.Helper()
	if os.Getenv("SECCOMP_REQUIRE_KERNEL") == "1" {
		t.Fatalf("SECCOMP_REQUIRE_KERNEL=1, but: %s", reason)
	}
	t.Skip(reason)
}
