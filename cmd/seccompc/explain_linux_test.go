package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sandboxkit/seccomp"
)

// envThreadFilter makes the test binary, from its init, install a filter
// that fails mkdirat with EPERM on one thread only (no TSYNC), print
// "pid tid" and wait: a process whose threads have different filters.
const envThreadFilter = "SECCOMPC_TEST_THREAD_FILTER"

func init() {
	if os.Getenv(envThreadFilter) != "1" {
		return
	}
	native, err := seccomp.NativeArch()
	if err != nil {
		fmt.Println(err)
		os.Exit(3)
	}
	pol := seccomp.Policy{Arch: native, Default: seccomp.Allow, Syscalls: []seccomp.Syscall{
		{Name: "mkdirat", Rules: []seccomp.Rule{{Action: seccomp.Errno(syscall.EPERM)}}},
	}}
	prog, err := pol.Compile()
	if err != nil {
		fmt.Println(err)
		os.Exit(3)
	}
	tid := make(chan int)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread stays, filtered
		if _, err := prog.InstallWith(seccomp.InstallOptions{NoTSync: true}); err != nil {
			fmt.Println(err)
			os.Exit(3)
		}
		tid <- syscall.Gettid()
		select {}
	}()
	fmt.Println(os.Getpid(), <-tid)
	select {}
}

// TestExplainPIDThreads checks that explain -pid reads every thread's
// filters: a process whose threads differ is an error (its leader alone
// has none, which is what reading the leader only would report), and a
// thread's id explains that thread.
func TestExplainPIDThreads(t *testing.T) {
	requireKernel(t)
	child := exec.Command(os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), envThreadFilter+"=1")
	out, err := child.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, child.Start())
	t.Cleanup(func() {
		child.Process.Kill()
		child.Wait()
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	require.NoError(t, err)
	var ids []int
	for _, f := range strings.Fields(line) {
		n, err := strconv.Atoi(f)
		require.NoError(t, err, "child said %q", line)
		ids = append(ids, n)
	}
	require.Len(t, ids, 2, "child said %q", line)
	pid, tid := ids[0], ids[1]
	require.NotEqual(t, pid, tid)

	status, stdout, stderr := cli("explain", "-pid", strconv.Itoa(pid), "mkdirat")
	assert.Equal(t, exitBadInput, status, stdout)
	assert.Contains(t, stderr, "different seccomp filters")
	assert.Contains(t, stderr, fmt.Sprintf("thread %d has 1", tid))

	for _, tc := range []struct {
		call, verdict string
	}{
		{"mkdirat", "errno(1)"},
		{"getpid", "allow"},
	} {
		t.Run(tc.call, func(t *testing.T) {
			status, stdout, stderr := cli("explain", "-pid", strconv.Itoa(tid), tc.call)
			require.Equal(t, 0, status, stderr)
			assert.Equal(t, tc.verdict, parseExplained(t, stdout).verdict)
		})
	}
}
