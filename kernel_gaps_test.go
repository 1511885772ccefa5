//go:build linux

package seccomp

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// The kernel tests that close the gaps issue 9 lists: refusals tried in a
// child, InstallWith's locked thread, and (kernel_test.go) what the live
// tests assume of the parent.

func init() {
	liveChildren["refuses"] = liveRefusesChild
	liveChildren["lock-thread"] = liveLockThreadChild
}

func liveRefusesChild(t *testing.T, rep liveReporter) {
	native, err := NativeArch()
	require.NoError(t, err)
	for _, tt := range installRefusals(native) {
		fd, err := tt.prog.InstallWith(tt.opts)
		rep.reportErr(tt.name, err)
		rep.report(liveEvent{Kind: "value", Name: tt.name + "/fd", Text: strconv.Itoa(fd)})
	}
	rep.reportStatus("after")
}

// TestInstallRefuses checks the refusals that come before any system
// call. They run in a child all the same: were one to load its program
// after all (each allows everything), the test process would keep it.
func TestInstallRefuses(t *testing.T) {
	requireKernel(t)
	native, err := NativeArch()
	require.NoError(t, err)
	run := runLiveChild(t, "refuses")
	run.requireExit(t)
	for _, tt := range installRefusals(native) {
		t.Run(tt.name, func(t *testing.T) {
			ev := run.event(t, "error", tt.name)
			assert.Contains(t, ev.Text, tt.want)
			assert.Empty(t, ev.Is, "a refusal before any system call wraps no errno: %s", ev.Text)
			assert.Equal(t, "-1", run.event(t, "value", tt.name+"/fd").Text)
		})
	}
	// Nothing loaded, and not even no_new_privs set.
	after := run.event(t, "status", "after").Status
	assert.Zero(t, run.filtersAdded(t, after))
	assert.Equal(t, run.start(t)["NoNewPrivs"], after["NoNewPrivs"])
}

// liveLockThreadChild calls InstallWith from a goroutine that has not
// locked its thread, with an installHook that, between prctl and seccomp,
// yields and sleeps while other goroutines keep every thread busy: an
// unlocked goroutine comes back on another thread within a few rounds.
// It reports the thread ids the hook ran on, and where the filter and
// no_new_privs went.
func liveLockThreadChild(t *testing.T, rep liveReporter) {
	native, err := NativeArch()
	require.NoError(t, err)
	runtime.GOMAXPROCS(4)
	var stop atomic.Bool
	for range 2 {
		go func() {
			for !stop.Load() {
				for i := 0; i < 1000; i++ {
				}
			}
		}()
	}
	var tids []string
	installHook = func() {
		for range 50 {
			tids = append(tids, strconv.Itoa(unix.Gettid()))
			if len(tids) > 1 && tids[len(tids)-1] != tids[0] {
				break // it moved: enough
			}
			time.Sleep(20 * time.Microsecond)
		}
	}
	done := make(chan error)
	go func() { // a goroutine of its own: the child's main one is locked
		_, err := liveAllowAll(native).InstallWith(InstallOptions{NoTSync: true})
		done <- err
	}()
	err = <-done
	installHook = nil
	stop.Store(true)
	rep.reportErr("install", err)
	rep.report(liveEvent{Kind: "value", Name: "tids", Text: strings.Join(tids, " ")})
	// The thread the hook started on is the one prctl ran on.
	if len(tids) > 0 {
		b, err := os.ReadFile(fmt.Sprintf("/proc/self/task/%s/status", tids[0]))
		require.NoError(t, err)
		st := map[string]string{}
		for line := range strings.Lines(string(b)) {
			if k, v, ok := strings.Cut(line, ":"); ok {
				st[k] = strings.TrimSpace(v)
			}
		}
		rep.report(liveEvent{Kind: "status", Name: "prctl thread", Status: st})
	}
}

// TestInstallLocksThread checks that InstallWith makes prctl and seccomp
// from one thread, whatever its caller: the goroutine never leaves its
// thread between them, and the filter lands on the thread that set
// no_new_privs. Without runtime.LockOSThread in InstallWith it fails.
func TestInstallLocksThread(t *testing.T) {
	requireKernel(t)
	run := runLiveChild(t, "lock-thread")
	run.requireExit(t)
	assert.Empty(t, run.event(t, "error", "install").Text)
	tids := strings.Fields(run.event(t, "value", "tids").Text)
	require.NotEmpty(t, tids)
	for _, tid := range tids {
		require.Equal(t, tids[0], tid, "InstallWith moved between threads between prctl and seccomp: %v", tids)
	}
	st := run.event(t, "status", "prctl thread").Status
	assert.Equal(t, "1", st["NoNewPrivs"])
	assert.Equal(t, 1, run.filtersAdded(t, st), "the filter is not on the thread that set no_new_privs")
}

// parentStateEnv names, in a child of TestInheritedParents, the state to
// give the kernel tests it runs.
const parentStateEnv = "SECCOMP_TEST_PARENT_STATE"

// inheritedTests are the tests that load filters in children: the ones
// that must not assume their parent has neither no_new_privs nor a filter.
const inheritedTests = "^(TestLive|TestInstall|TestKernel|TestInterpreterMatchesKernel|TestActionAvailable)"

// TestInheritedParents runs the kernel tests again, as a child that
// already has no_new_privs (as under setpriv --no-new-privs), and as one
// that already has a filter (an allow-all one, loaded with
// KeepPrivileges so that it brings no no_new_privs): they must pass in
// both, as they do in a fresh process.
func TestInheritedParents(t *testing.T) {
	requireKernel(t)
	if os.Getenv(parentStateEnv) != "" {
		return // the child of another TestInheritedParents: runParentChild runs
	}
	for _, state := range []string{"no-new-privs", "filtered"} {
		t.Run(state, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestParentChild$", "-test.count=1")
			cmd.Env = append(os.Environ(), parentStateEnv+"="+state, "GORACE="+os.Getenv("GORACE")+" atexit_sleep_ms=0")
			out, err := cmd.CombinedOutput()
			require.NoError(t, err, "the kernel tests under a parent with %s:\n%s", state, out)
			text := string(out)
			assert.Contains(t, text, "parent state: "+state+" set")
			// They ran: every one of them passed, none was skipped.
			for _, name := range []string{"TestLivePolicies", "TestLiveNoPermission", "TestLiveKeepPrivileges", "TestInstallLocksThread", "TestInstallRefuses", "TestLiveRejectedProgram"} {
				assert.Contains(t, text, "--- PASS: "+name+" ", "%s under %s", name, state)
			}
			assert.NotContains(t, text, "--- SKIP")
		})
	}
}

// TestParentChild sets up the state TestInheritedParents asks for, then
// becomes the test binary running the kernel tests.
func TestParentChild(t *testing.T) {
	state := os.Getenv(parentStateEnv)
	if state == "" {
		return // not a child
	}
	runtime.LockOSThread() // prctl and seccomp act on this thread, which execs
	native, err := NativeArch()
	require.NoError(t, err)
	switch state {
	case "no-new-privs":
		require.NoError(t, unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
	case "filtered":
		_, err := liveAllowAll(native).InstallWith(InstallOptions{KeepPrivileges: true})
		require.NoError(t, err)
	default:
		t.Fatalf("unknown parent state %q", state)
	}
	st, err := liveThreadStatus()
	require.NoError(t, err)
	fmt.Printf("parent state: %s set: %v\n", state, st)
	args := []string{os.Args[0], "-test.run=" + inheritedTests, "-test.count=1", "-test.v"}
	// The state stays set in the tests' process, so that they are its
	// children too; the variable goes, so that they do not recurse.
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, parentStateEnv+"=") })
	t.Fatal(syscall.Exec(os.Args[0], args, env))
}
