package seccomp

import (
	"fmt"
	"os"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/bpf"
)

// requireKernelEnv names the environment variable that turns a skip for
// want of a kernel into a failure, so that CI on Linux cannot pass by
// skipping every live test.
const requireKernelEnv = "SECCOMP_REQUIRE_KERNEL"

// requireKernel skips the test unless the host loads seccomp filters for
// a supported arch, or fails it if requireKernelEnv is "1".
func requireKernel(tb testing.TB) {
	tb.Helper()
	reason := ""
	if runtime.GOOS != "linux" {
		reason = "seccomp filters need Linux, this is " + runtime.GOOS
	} else if _, err := NativeArch(); err != nil {
		reason = err.Error()
	} else if err := filtersAvailable(); err != nil {
		reason = err.Error()
	}
	if reason != "" {
		skipUnlessRequired(tb, reason)
	}
}

// skipUnlessRequired skips the test for want of something on this machine,
// or fails it if requireKernelEnv is "1": CI must run every kernel test.
func skipUnlessRequired(tb testing.TB, reason string) {
	tb.Helper()
	if os.Getenv(requireKernelEnv) == "1" {
		tb.Fatalf("%s=1, but: %s", requireKernelEnv, reason)
	}
	tb.Skip(reason)
}

// liveAllowAll is a program that allows every system call: harmless should a
// test that expects a refusal load it after all.
func liveAllowAll(arch Arch) Program {
	return Program{Arch: arch, Instructions: []bpf.RawInstruction{{Op: opRetK, K: Allow.Ret()}}}
}

// installRefusal is a program InstallWith must refuse before any system
// call, and what the error says.
type installRefusal struct {
	name string
	prog Program
	opts InstallOptions
	want string
}

// installRefusals are the refusals that come before any system call. Each
// program allows everything, should one be loaded after all; on Linux
// TestInstallRefuses tries them in a child all the same (kernel_test.go).
func installRefusals(native Arch) []installRefusal {
	foreign := ArchAArch64
	if native == ArchAArch64 {
		foreign = ArchX86_64
	}
	long := liveAllowAll(native)
	long.Instructions = make([]bpf.RawInstruction, maxInsns+1)
	for i := range long.Instructions {
		long.Instructions[i] = bpf.RawInstruction{Op: opRetK, K: Allow.Ret()}
	}
	return []installRefusal{
		{"foreign arch", liveAllowAll(foreign), InstallOptions{}, fmt.Sprintf("program for %s on %s", foreign, native)},
		{"unknown arch", liveAllowAll(Arch(0x1234)), InstallOptions{}, "unsupported arch 0x1234"},
		{"empty", Program{Arch: native}, InstallOptions{}, "program of 0 instructions"},
		// SockFprog.Len is 16 bits: a longer program must not be
		// truncated into a shorter one the kernel would take.
		{"over BPF_MAXINSNS", long, InstallOptions{}, "program of 4097 instructions"},
		{"a length a uint16 would wrap to 1", Program{Arch: native, Instructions: make([]bpf.RawInstruction, 1<<16+1)}, InstallOptions{}, "program of 65537 instructions"},
		{"WaitKillableRecv without NewListener", liveAllowAll(native), InstallOptions{WaitKillableRecv: true}, "WaitKillableRecv needs NewListener"},
	}
}

// TestInstallZeroArchIsNative checks that a Program whose Arch is zero is
// taken as the host's, as the zero Arch means everywhere else: it passes the
// arch check and fails on its (empty) length instead.
func TestInstallZeroArchIsNative(t *testing.T) {
	if _, err := NativeArch(); err != nil || runtime.GOOS != "linux" {
		t.Skip("needs Linux on a supported arch")
	}
	err := Program{}.Install()
	assert.ErrorContains(t, err, "program of 0 instructions")
}

func TestActionAvailable(t *testing.T) {
	requireKernel(t)
	// Every action this package knows has been in the kernel since 5.0;
	// those with data must be asked about without it.
	for _, a := range []Action{KillProcess, KillThread, Trap(3), Errno(1), Notify, Trace(7), Log, Allow} {
		t.Run(a.String(), func(t *testing.T) {
			ok, err := ActionAvailable(a)
			require.NoError(t, err)
			assert.True(t, ok)
		})
	}
	t.Run("invalid", func(t *testing.T) {
		_, err := ActionAvailable(Action(numKinds) << 32)
		assert.ErrorContains(t, err, "invalid action")
	})
	t.Run("data out of range", func(t *testing.T) {
		_, err := ActionAvailable(Errno(MaxErrno + 1))
		assert.ErrorContains(t, err, "out of range")
	})
}
