//go:build linux

package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/sandboxkit/seccomp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// The test binary doubles as seccompc, and as a loader of raw programs, in
// child processes: a filter can never be removed from the process that
// loads it.
const (
	envMain = "SECCOMPC_TEST_MAIN"     // run main with the arguments after "--"
	envLoad = "SECCOMPC_TEST_LOAD_RAW" // load this raw program, then probe
)

func TestMain(m *testing.M) {
	if os.Getenv(envMain) == "1" {
		i := slicesIndex(os.Args, "--")
		os.Args = append([]string{"seccompc"}, os.Args[i+1:]...)
		main()
	}
	if path := os.Getenv(envLoad); path != "" {
		if err := loadAndProbe(path); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func slicesIndex(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}

// seccompcChild runs the test binary as seccompc with args.
func seccompcChild(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^$", "--"}, args...)...)
	cmd.Env = append(os.Environ(), envMain+"=1")
	return cmd
}

// cli runs seccompc in process.
func cli(args ...string) (status int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	status = seccompc(args, &out, &errOut)
	return status, out.String(), errOut.String()
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to create it")
	assert.Equal(t, string(want), got, "%s differs: run go test -update and review the diff", path)
}

func TestGolden(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"docker-x86_64-tree.disasm", []string{"compile", "-profile", "docker", "-arch", "x86_64", "-format", "disasm"}},
		{"docker-x86_64-bitmap.disasm", []string{"compile", "-profile", "docker", "-arch", "x86_64", "-layout", "bitmap", "-format", "disasm"}},
		{"docker-x86_64-tree.stats", []string{"stats", "-profile", "docker", "-arch", "x86_64"}},
		{"docker-x86_64-bitmap.stats", []string{"stats", "-profile", "docker", "-arch", "x86_64", "-layout", "bitmap"}},
		{"docker-aarch64-tree-sys_admin.stats", []string{"stats", "-profile", "docker", "-arch", "aarch64", "-caps", "CAP_SYS_ADMIN"}},
		{"docker-riscv64-tree.stats", []string{"stats", "-profile", "docker", "-arch", "riscv64"}},
		{"denylist-aarch64-tree.disasm", []string{"compile", "-profile", "testdata/denylist.json", "-arch", "aarch64", "-format", "disasm"}},
		{"denylist-riscv64-bitmap.stats", []string{"stats", "-profile", "testdata/denylist.json", "-arch", "riscv64", "-layout", "bitmap"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, stdout, stderr := cli(tt.args...)
			require.Equal(t, 0, status, stderr)
			golden(t, tt.name, stdout)
		})
	}
}

// TestCompileRaw checks that raw output is the program, 8 bytes an
// instruction, on stdout and with -o, and that notes go to stderr.
func TestCompileRaw(t *testing.T) {
	for _, arch := range seccomp.Arches() {
		for _, layout := range []string{"tree", "bitmap"} {
			t.Run(arch.String()+"/"+layout, func(t *testing.T) {
				status, raw, stderr := cli("compile", "-profile", "docker", "-arch", arch.String(), "-layout", layout)
				require.Equal(t, 0, status, stderr)
				assert.Contains(t, stderr, "seccompc: note: syscalls[0] (\"accept\" and ")

				prog, err := seccomp.UnmarshalProgram(arch, []byte(raw))
				require.NoError(t, err)
				_, disasm, _ := cli("compile", "-profile", "docker", "-arch", arch.String(), "-layout", layout, "-format", "disasm")
				assert.Equal(t, disasm, prog.Disassemble())
				first := []byte{0x20, 0, 0, 0, 4, 0, 0, 0} // the arch's byte order
				if arch == seccomp.ArchPPC64 || arch == seccomp.ArchS390X || arch == seccomp.ArchMIPS || arch == seccomp.ArchMIPS64 {
					first = []byte{0, 0x20, 0, 0, 0, 0, 0, 4}
				}
				assert.Equal(t, first, []byte(raw[:8]))

				out := filepath.Join(t.TempDir(), "filter.bpf")
				status, stdout, stderr := cli("compile", "-profile", "docker", "-arch", arch.String(), "-layout", layout, "-o", out)
				require.Equal(t, 0, status, stderr)
				assert.Empty(t, stdout)
				file, err := os.ReadFile(out)
				require.NoError(t, err)
				assert.Equal(t, raw, string(file))
			})
		}
	}
}

// TestBadInput checks that each kind of bad input gets exit status 2 and
// one line on stderr that names the entry and the field.
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
		return path
	}
	profileFile := func(syscalls string) string {
		return write(fmt.Sprintf("p%d.json", len(syscalls)), `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[`+syscalls+`]}`)
	}
	ok := profileFile(`{"names":["read"],"action":"SCMP_ACT_ALLOW"}`)
	tests := []struct {
		name string
		args []string
		want []string // substrings of the line
	}{
		{"no command", nil, []string{"usage"}},
		{"unknown command", []string{"build"}, []string{`unknown command "build"`}},
		{"unknown flag", []string{"compile", "-profile", ok, "-verbose"}, []string{"compile: flag provided but not defined: -verbose"}},
		{"missing profile", []string{"stats"}, []string{"-profile: missing"}},
		{"no such file", []string{"compile", "-profile", filepath.Join(dir, "none.json")}, []string{"none.json", "no such file"}},
		{"unknown arch flag", []string{"compile", "-profile", ok, "-arch", "sparc"}, []string{`-arch: unknown arch "sparc"`}},
		{"unknown layout", []string{"compile", "-profile", ok, "-layout", "list"}, []string{`-layout: unknown layout "list"`}},
		{"unknown format", []string{"compile", "-profile", ok, "-format", "hex"}, []string{`-format: unknown format "hex"`}},
		{"bad caps", []string{"stats", "-profile", ok, "-caps", "CAP_SYS_ADMIN,cap-net-raw"}, []string{`-caps: "cap-net-raw" is not a capability name`}},
		{"stray argument", []string{"compile", "-profile", ok, "extra"}, []string{`compile: unexpected argument "extra"`}},
		{"malformed JSON", []string{"compile", "-profile", write("bad.json", "{\n\"defaultAction\": SCMP_ACT_ERRNO}")},
			[]string{"bad.json: profile: invalid JSON at line 2, column 18"}},
		{"unknown action", []string{"compile", "-profile", profileFile(`{"names":["read"],"action":"SCMP_ACT_ALLOW"},{"names":["kill"],"action":"SCMP_ACT_KILL_IT"}`)},
			[]string{`syscalls[1] ("kill"): action: unknown action "SCMP_ACT_KILL_IT"`}},
		{"unknown op", []string{"stats", "-profile", profileFile(`{"names":["socket"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":2,"op":"SCMP_CMP_IN"}]}`)},
			[]string{`syscalls[0] ("socket"): args[0]: unknown op "SCMP_CMP_IN"`}},
		{"arg index above 5", []string{"compile", "-profile", profileFile(`{"names":["socket","socketpair"],"action":"SCMP_ACT_ALLOW","args":[{"index":7,"value":2,"op":"SCMP_CMP_EQ"}]}`)},
			[]string{`syscalls[0] ("socket" and 1 more): args[0]: index 7 out of range 0..5`}},
		{"unknown arch", []string{"compile", "-profile", write("arch.json", `{"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_SPARC"]}`)},
			[]string{`architectures[1]: unknown arch "SCMP_ARCH_SPARC"`}},
		{"name and names", []string{"compile", "-profile", profileFile(`{"name":"open","names":["openat"],"action":"SCMP_ACT_ALLOW"}`)},
			[]string{`syscalls[0] ("open"): name and names are both set`}},
		{"architectures and archMap", []string{"compile", "-profile", write("both.json", `{"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_X86_64"],"archMap":[{"architecture":"SCMP_ARCH_X86_64"}]}`)},
			[]string{"architectures and archMap are both set"}},
		{"errno out of range", []string{"compile", "-profile", profileFile(`{"names":["read"],"action":"SCMP_ACT_ALLOW"},{"names":["write"],"action":"SCMP_ACT_ERRNO","errnoRet":5000}`)},
			[]string{`syscalls[1] ("write"): action: errnoRet 5000 out of range 0..4095`}},
		{"run without a command", []string{"run", "-profile", ok, "--"}, []string{"run: no command"}},
		{"run for another arch", []string{"run", "-profile", ok, "-arch", "riscv64", "--", "/bin/true"}, []string{"-arch: run needs the host's arch"}},
		{"run a command not found", []string{"run", "-profile", ok, "--", "no-such-command-here"}, []string{"no-such-command-here", "not found"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, stdout, stderr := cli(tt.args...)
			assert.Equal(t, exitBadInput, status)
			assert.Empty(t, stdout)
			if tt.args != nil {
				assert.Equal(t, 1, strings.Count(stderr, "\n"), "one line: %q", stderr)
				assert.True(t, strings.HasPrefix(stderr, "seccompc: "), stderr)
			}
			for _, want := range tt.want {
				assert.Contains(t, stderr, want)
			}
		})
	}
}

func TestHelp(t *testing.T) {
	status, stdout, _ := cli("help")
	assert.Equal(t, 0, status)
	assert.Contains(t, stdout, "seccompc compile -profile PATH|docker")

	for _, cmd := range []string{"compile", "stats", "run"} {
		status, stdout, stderr := cli(cmd, "-h")
		assert.Equal(t, 0, status, cmd)
		assert.Empty(t, stderr, cmd)
		assert.Contains(t, stdout, "flags of "+cmd+":")
		assert.Contains(t, stdout, "-profile PATH")
		for _, a := range seccomp.Arches() {
			assert.Contains(t, stdout, a.String(), "%s -h names every arch", cmd)
		}
	}
}

// A failure to write is no fault of the input: status 1, not 2.
func TestWriteFailure(t *testing.T) {
	status, _, stderr := cli("stats", "-profile", "docker", "-o", filepath.Join(t.TempDir(), "no", "such", "dir"))
	assert.Equal(t, exitFailure, status)
	assert.Contains(t, stderr, "seccompc: -o: open ")
}

func skipUnlessNative(t *testing.T) {
	t.Helper()
	if _, err := seccomp.NativeArch(); err != nil {
		t.Skip(err)
	}
}

// TestRunDeniesMkdir runs mkdir under a profile that denies it: mkdir
// must see EPERM and fail, and the directory must not exist.
func TestRunDeniesMkdir(t *testing.T) {
	skipUnlessNative(t)
	mkdir, err := exec.LookPath("mkdir")
	if err != nil {
		t.Skip(err)
	}
	dir := filepath.Join(t.TempDir(), "made")
	cmd := seccompcChild(t, "run", "-profile", "testdata/deny-mkdir.json", "--", mkdir, dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err = cmd.Run()
	var exit *exec.ExitError
	require.True(t, errors.As(err, &exit), "mkdir succeeded under the filter: %v", err)
	assert.Equal(t, 1, exit.ExitCode(), stderr.String())
	assert.Contains(t, stderr.String(), "Operation not permitted")
	assert.NoDirExists(t, dir)

	// Without the filter the same command works: the test can fail.
	require.NoError(t, exec.Command(mkdir, dir).Run())
	assert.DirExists(t, dir)
}

// TestRunExitStatus runs commands under Docker's default profile: their
// exit status is seccompc's.
func TestRunExitStatus(t *testing.T) {
	skipUnlessNative(t)
	tests := []struct {
		name string
		argv []string
		want int
	}{
		{"true", []string{"/bin/true"}, 0},
		{"false", []string{"false"}, 1},
		{"exit 7", []string{"sh", "-c", "exit 7"}, 7},
		{"denied unshare", []string{"unshare", "--uts", "true"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := exec.LookPath(tt.argv[0]); err != nil {
				t.Skip(err)
			}
			cmd := seccompcChild(t, append([]string{"run", "-profile", "docker", "--"}, tt.argv...)...)
			out, err := cmd.CombinedOutput()
			status := 0
			var exit *exec.ExitError
			if errors.As(err, &exit) {
				status = exit.ExitCode()
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, tt.want, status, "%s", out)
		})
	}
}

// TestRawLoads loads compile's raw output into the kernel in a child
// process, which then checks that the filter decides as Docker's profile
// says.
func TestRawLoads(t *testing.T) {
	native, err := seccomp.NativeArch()
	if err != nil {
		t.Skip(err)
	}
	for _, layout := range []string{"tree", "bitmap"} {
		t.Run(layout, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "docker.bpf")
			status, _, stderr := cli("compile", "-profile", "docker", "-arch", native.String(), "-layout", layout, "-o", path)
			require.Equal(t, 0, status, stderr)
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), envLoad+"="+path)
			out, err := cmd.CombinedOutput()
			require.NoError(t, err, "%s", out)
		})
	}
}

// loadAndProbe loads a raw program of Docker's default profile into this
// process and checks a few verdicts with real system calls.
func loadAndProbe(path string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	native, err := seccomp.NativeArch()
	if err != nil {
		return err
	}
	prog, err := seccomp.UnmarshalProgram(native, raw)
	if err != nil {
		return err
	}
	if err := prog.Install(); err != nil {
		return err
	}
	if _, err := os.Getwd(); err != nil {
		return fmt.Errorf("getcwd under the filter: %w", err)
	}
	probes := []struct {
		name string
		nr   uintptr
		args [3]uintptr
		want syscall.Errno
	}{
		{"clone3", unix.SYS_CLONE3, [3]uintptr{}, syscall.ENOSYS},
		{"unshare", unix.SYS_UNSHARE, [3]uintptr{unix.CLONE_NEWUTS}, syscall.EPERM},
		{"syscall 1000", 1000, [3]uintptr{}, syscall.ENOSYS},
		{"socket(AF_VSOCK)", unix.SYS_SOCKET, [3]uintptr{unix.AF_VSOCK, unix.SOCK_STREAM}, syscall.EPERM},
	}
	for _, p := range probes {
		_, _, errno := syscall.RawSyscall(p.nr, p.args[0], p.args[1], p.args[2])
		if errno != p.want {
			return fmt.Errorf("%s under the filter: errno %d (%v), want %d (%v)", p.name, errno, errno, p.want, p.want)
		}
	}
	return nil
}

func TestParseCaps(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"empty", "", nil},
		{"Docker's spelling", "CAP_SYS_ADMIN,CAP_SYS_PTRACE", []string{"CAP_SYS_ADMIN", "CAP_SYS_PTRACE"}},
		{"short and lower case", " sys_admin , cap_bpf,", []string{"CAP_SYS_ADMIN", "CAP_BPF"}},
		{"duplicates", "SYS_ADMIN,CAP_SYS_ADMIN", []string{"CAP_SYS_ADMIN"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseCaps(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
	// -caps reaches the profile's includes: bpf is allowed with CAP_BPF.
	_, without, _ := cli("compile", "-profile", "docker", "-arch", "x86_64", "-format", "disasm")
	_, with, _ := cli("compile", "-profile", "docker", "-arch", "x86_64", "-format", "disasm", "-caps", "bpf")
	// x86_64's bpf (321) bounds a run of its own only when allowed; the
	// program's x86 section has its own bpf, 357.
	bpf := regexp.MustCompile(`j(eq|ge) #321, .*; bpf\n`)
	assert.NotRegexp(t, bpf, without)
	assert.Regexp(t, bpf, with)
}

// Profiles with the typos of issue 9, each of which weakens a filter.
const (
	typoArgs     = `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["socket"],"action":"SCMP_ACT_ALLOW","arg":[{"index":0,"value":2,"op":"SCMP_CMP_EQ"}]}]}`
	typoErrnoRet = `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["ptrace"],"action":"SCMP_ACT_ERRNO","erronRet":13}]}`
	typoName     = `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdri"],"action":"SCMP_ACT_ERRNO"}]}`
)

// TestNotesAndStrict checks that compile and stats print the importer's
// notes on stderr and succeed, and that under -strict the same profile is
// bad input: status 2, one line naming the entry and the field.
func TestNotesAndStrict(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name    string
		profile string
		note    []string // substrings of the note and of the -strict error
	}{
		{"arg for args", typoArgs, []string{`syscalls[0] ("socket")`, `unknown field "arg"`}},
		{"erronRet for errnoRet", typoErrnoRet, []string{`syscalls[0] ("ptrace")`, `unknown field "erronRet"`}},
		{"mkdri for mkdir", typoName, []string{`syscalls[0] ("mkdri")`, `"mkdri" unknown to every arch`}},
	}
	for i, tt := range tests {
		path := filepath.Join(dir, fmt.Sprintf("typo%d.json", i))
		require.NoError(t, os.WriteFile(path, []byte(tt.profile), 0o644))
		for _, cmd := range []string{"compile", "stats"} {
			t.Run(tt.name+"/"+cmd, func(t *testing.T) {
				status, stdout, stderr := cli(cmd, "-profile", path, "-arch", "x86_64")
				require.Equal(t, 0, status, stderr)
				assert.NotEmpty(t, stdout)
				assert.Equal(t, 1, strings.Count(stderr, "\n"), "one note: %q", stderr)
				assert.True(t, strings.HasPrefix(stderr, "seccompc: note: "), stderr)
				for _, want := range tt.note {
					assert.Contains(t, stderr, want)
				}

				status, stdout, stderr = cli(cmd, "-profile", path, "-arch", "x86_64", "-strict")
				assert.Equal(t, exitBadInput, status)
				assert.Empty(t, stdout)
				assert.Equal(t, 1, strings.Count(stderr, "\n"), "one line: %q", stderr)
				assert.True(t, strings.HasPrefix(stderr, "seccompc: "+path+": profile: strict: "), stderr)
				for _, want := range tt.note {
					assert.Contains(t, stderr, want)
				}
			})
		}
	}
	// Docker's default has no note -strict refuses.
	status, _, stderr := cli("compile", "-profile", "docker", "-arch", "x86_64", "-strict")
	assert.Equal(t, 0, status, stderr)
}

// TestRunPrintsNotes runs a command under a denylist whose one name is a
// typo: run prints the note before the command starts (and mkdir, which
// the author meant to deny, works: the note is the only sign); under
// -strict the command does not start.
func TestRunPrintsNotes(t *testing.T) {
	skipUnlessNative(t)
	mkdir, err := exec.LookPath("mkdir")
	if err != nil {
		t.Skip(err)
	}
	path := filepath.Join(t.TempDir(), "typo.json")
	require.NoError(t, os.WriteFile(path, []byte(typoName), 0o644))

	made := filepath.Join(t.TempDir(), "made")
	cmd := seccompcChild(t, "run", "-profile", path, "--", mkdir, made)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Run(), stderr.String())
	assert.Equal(t, 1, strings.Count(stderr.String(), `seccompc: note: syscalls[0] ("mkdri"): "mkdri" unknown to every arch: skipped`),
		"the note, once: %q", stderr.String())
	assert.DirExists(t, made)

	made = filepath.Join(t.TempDir(), "made")
	cmd = seccompcChild(t, "run", "-profile", path, "-strict", "--", mkdir, made)
	stderr.Reset()
	cmd.Stderr = &stderr
	err = cmd.Run()
	var exit *exec.ExitError
	require.True(t, errors.As(err, &exit), "run -strict: %v", err)
	assert.Equal(t, exitBadInput, exit.ExitCode())
	assert.Equal(t, 1, strings.Count(stderr.String(), "\n"), "one line: %q", stderr.String())
	assert.Contains(t, stderr.String(), `profile: strict: syscalls[0] ("mkdri"): "mkdri" unknown to every arch`)
	assert.NoDirExists(t, made, "the command ran")
}
