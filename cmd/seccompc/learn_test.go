//go:build linux

package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"testing"

	"github.com/sandboxkit/seccomp"
	"github.com/sandboxkit/seccomp/internal/int80"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLearnRoundTrip is the acceptance test with a file of the
// test's own instead of /etc/hostname: the profile learned from a command
// lets the same command run to success under run, and a variant that
// also makes a directory gets the profile's errno, EPERM, for it.
func TestLearnRoundTrip(t *testing.T) {
	requireKernel(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "hostname")
	require.NoError(t, os.WriteFile(file, []byte("learned-host\n"), 0o644))
	prof := filepath.Join(dir, "p.json")
	script := `ls / >/dev/null; cat "$0"`

	status, stdout, stderr := cli("learn", "-o", prof, "--", "/bin/sh", "-c", script, file)
	require.Equal(t, 0, status, stderr)
	assert.Equal(t, "learned-host\n", stdout)
	assert.Contains(t, stderr, "system calls")

	b, err := os.ReadFile(prof)
	require.NoError(t, err)
	var p learnedProfile
	require.NoError(t, json.Unmarshal(b, &p))
	assert.Equal(t, "SCMP_ACT_ERRNO", p.DefaultAction)
	assert.Equal(t, []string{scmpArch[mustNative(t)]}, p.Architectures)
	require.Len(t, p.Syscalls, 1)
	assert.Equal(t, "SCMP_ACT_ALLOW", p.Syscalls[0].Action)
	names := p.Syscalls[0].Names
	assert.True(t, slices.IsSorted(names), "%v", names)
	assert.Len(t, slices.Compact(slices.Clone(names)), len(names), "duplicates in %v", names)
	for _, name := range []string{"execve", "read", "write", "exit_group", "getdents64"} {
		assert.Contains(t, names, name)
	}
	assert.NotContains(t, names, "mkdir")
	assert.NotContains(t, names, "mkdirat")

	status, stdout, stderr = cli("run", "-profile", prof, "--", "/bin/sh", "-c", script, file)
	assert.Equal(t, 0, status, stderr)
	assert.Equal(t, "learned-host\n", stdout)

	made := filepath.Join(dir, "x")
	status, _, stderr = cli("run", "-profile", prof, "--", "/bin/sh", "-c", `mkdir "$0"`, made)
	assert.Equal(t, 1, status, stderr)
	assert.Contains(t, stderr, "Operation not permitted")
	assert.NoDirExists(t, made)
	// Without the filter the same command works: the test can fail.
	require.NoError(t, exec.Command("/bin/sh", "-c", `mkdir "$0"`, made).Run())
}

// envOtherABI makes the test binary, from its init, make one i386 call
// (int $0x80) and one x32 call, and exit: a command for learn.
const envOtherABI = "SECCOMPC_TEST_OTHER_ABI"

func init() {
	if os.Getenv(envOtherABI) != "1" {
		return
	}
	const i386GetPID, x32GetPID = 20, 39 | 0x40000000
	int80.Syscall(i386GetPID, 0, 0, 0)
	syscall.RawSyscall(x32GetPID, 0, 0, 0) // ENOSYS without CONFIG_X86_X32_ABI: all the same here
	os.Exit(0)
}

// TestLearnOtherABI checks that learn sees, notes, and leaves out of the
// profile the calls of the other ABIs x86_64 runs.
func TestLearnOtherABI(t *testing.T) {
	requireKernel(t)
	if mustNative(t) != seccomp.ArchX86_64 || !int80.Supported {
		t.Skip("i386 and x32 calls need x86_64")
	}
	other := exec.Command(os.Args[0])
	other.Env = append(os.Environ(), envOtherABI+"=1")
	if out, err := other.CombinedOutput(); err != nil {
		skipUnlessRequired(t, fmt.Sprintf("int $0x80 fails here without a filter, so this kernel has no IA32 emulation: %v: %s", err, out))
	}
	prof := filepath.Join(t.TempDir(), "p.json")
	t.Setenv(envOtherABI, "1")
	status, _, stderr := cli("learn", "-o", prof, "--", os.Args[0])
	require.Equal(t, 0, status, stderr)
	assert.Contains(t, stderr, "1 calls of the i386 ABI, not in the profile")
	assert.Contains(t, stderr, "1 calls of the x32 ABI, not in the profile")
	b, err := os.ReadFile(prof)
	require.NoError(t, err)
	var p learnedProfile
	require.NoError(t, json.Unmarshal(b, &p))
	assert.Contains(t, p.Syscalls[0].Names, "execve")
}

// TestLearnExitStatus checks that learn passes on the command's status
// and still writes the profile.
func TestLearnExitStatus(t *testing.T) {
	requireKernel(t)
	prof := filepath.Join(t.TempDir(), "p.json")
	status, _, stderr := cli("learn", "-o", prof, "--", "/bin/sh", "-c", "exit 3")
	assert.Equal(t, 3, status, stderr)
	assert.Contains(t, stderr, "exited with status 3")
	assert.FileExists(t, prof)
}

func TestLearnBadInput(t *testing.T) {
	requireKernel(t)
	prof := filepath.Join(t.TempDir(), "p.json")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no -o", []string{"learn", "--", "/bin/true"}, "-o: missing"},
		{"no command", []string{"learn", "-o", prof}, "no command"},
		{"not found", []string{"learn", "-o", prof, "--", "no-such-command-anywhere"}, "executable file not found"},
		{"bad flag", []string{"learn", "-x"}, "flag provided but not defined"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, _, stderr := cli(tc.args...)
			assert.Equal(t, exitBadInput, status)
			assert.Contains(t, stderr, tc.want)
		})
	}
	assert.NoFileExists(t, prof)
}

// requireKernel skips a test that needs seccomp in this kernel where it
// is missing, or fails it under SECCOMP_REQUIRE_KERNEL=1, as CI sets.
func requireKernel(t *testing.T) {
	t.Helper()
	_, err := seccomp.NativeArch()
	if err == nil {
		var ok bool
		if ok, err = seccomp.ActionAvailable(seccomp.Notify); err == nil && !ok {
			err = errors.New("the kernel has no SECCOMP_RET_USER_NOTIF")
		}
	}
	if err != nil {
		skipUnlessRequired(t, err.Error())
	}
}

func mustNative(t *testing.T) seccomp.Arch {
	t.Helper()
	native, err := seccomp.NativeArch()
	require.NoError(t, err)
	return native
}
