package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/sandboxkit/seccomp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hello386 is an i386 program: it greets, then calls unshare, which
// Docker's profile denies without CAP_SYS_ADMIN, and prints the result.
const hello386 = `package main

import (
	"fmt"
	"syscall"
)

func main() {
	fmt.Println("hello from i386")
	fmt.Println("unshare:", syscall.Unshare(syscall.CLONE_NEWNS))
}
`

// TestRunI386Binary builds a real i386 binary (GOARCH=386) and runs it
// under seccompc run -profile docker on x86_64: the profile's archMap
// compiles x86 with x86_64, so the binary runs, and the call the profile
// denies fails with the profile's errno, EPERM. Without the filter, as
// root, the same call succeeds: the test can fail.
func TestRunI386Binary(t *testing.T) {
	skipUnlessNative(t)
	if native, _ := seccomp.NativeArch(); native != seccomp.ArchX86_64 {
		t.Skipf("i386 binaries run on x86_64; this is %s", native)
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root, for unshare to succeed without the filter")
	}
	gotool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build the i386 binary with")
	}
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "main.go"), []byte(hello386), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module hello386\n\ngo 1.22\n"), 0o644))
	bin := filepath.Join(dir, "hello386")
	build := exec.Command(gotool, "build", "-o", bin, ".")
	build.Dir = dir
	build.Env = append(os.Environ(), "GOARCH=386", "CGO_ENABLED=0", "GOFLAGS=")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "GOARCH=386 go build: %s", out)

	// Without a filter: unshare works (the kernel lets root do it).
	plain, err := exec.Command(bin).Output()
	if err != nil {
		// An i386 binary cannot run here at all: no IA32 emulation.
		skipUnlessRequired(t, "the i386 binary does not run without a filter (no IA32 emulation?): "+err.Error())
	}
	require.Contains(t, string(plain), "unshare: <nil>")

	cmd := seccompcChild(t, "run", "-profile", "docker", "--", bin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Run(), "the i386 binary under Docker's profile: %s", stderr.String())
	assert.Contains(t, stdout.String(), "hello from i386")
	assert.Contains(t, stdout.String(), "unshare: operation not permitted", "the profile's errno")
}
