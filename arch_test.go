package seccomp

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// The syscall tables must be what go generate makes from the
// golang.org/x/sys that go.mod selects, so that they move with it.
func TestSyscallTablesUpToDate(t *testing.T) {
	gotool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to run the generator with")
	}
	out := filepath.Join(t.TempDir(), "zsysnum.go")
	cmd := exec.Command(gotool, "run", "./internal/mksysnum", "-o", out)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Run())
	want, err := os.ReadFile(out)
	require.NoError(t, err)
	got, err := os.ReadFile("zsysnum.go")
	require.NoError(t, err)
	require.Equal(t, string(want), string(got), "zsysnum.go is stale: run go generate")
}
