package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"

	"github.com/sandboxkit/seccomp/internal/ptracefilter"
)

// processFilters returns the seccomp filters of pid, in the order they
// were installed: PTRACE_SECCOMP_GET_FILTER's index 0 is the oldest
// (seccomp_get_filter in kernel/seccomp.c counts back from the newest by
// the number of filters less the index). Filters belong to threads, not
// processes: a thread that installed one without TSYNC has a stack its
// siblings lack. So for a process (pid is its thread group's leader) it
// reads every thread and fails unless all have the same filters; a thread
// id names that one thread. It stops each thread while it reads, and
// needs CAP_SYS_ADMIN and no filter on seccompc itself.
func processFilters(pid int) ([][]bpf.RawInstruction, error) {
	tids := []int{pid}
	if tgid, err := threadGroup(pid); err != nil {
		return nil, err
	} else if tgid == pid {
		if tids, err = threads(pid); err != nil {
			return nil, err
		}
	}
	var (
		first  [][]bpf.RawInstruction
		firstT int
	)
	for _, tid := range tids {
		got, err := threadFilters(tid)
		if errors.Is(err, errNoThread) && tid != pid {
			continue // it ended since /proc listed it
		}
		if err != nil {
			if len(tids) > 1 {
				return nil, fmt.Errorf("thread %d: %w", tid, err)
			}
			return nil, err
		}
		if first == nil {
			first, firstT = got, tid
			continue
		}
		if !sameFilters(first, got) {
			return nil, badInputf("its threads have different seccomp filters (thread %d has %d, thread %d has %d, or they differ): give one thread's id (from /proc/%d/task) to -pid",
				firstT, len(first), tid, len(got), pid)
		}
	}
	if first == nil {
		return nil, badInputf("no such process")
	}
	if len(first) == 0 {
		return nil, badInputf("the process has no seccomp filter")
	}
	return first, nil
}

// errNoThread is threadFilters' error for a thread that does not exist.
var errNoThread = errors.New("no such thread")

// threadGroup returns the thread group id of the thread tid.
func threadGroup(tid int) (int, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(tid) + "/status")
	if errors.Is(err, fs.ErrNotExist) {
		return 0, badInputf("no such process")
	} else if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "Tgid:"); ok {
			return strconv.Atoi(strings.TrimSpace(v))
		}
	}
	return 0, fmt.Errorf("/proc/%d/status has no Tgid", tid)
}

// threads returns the ids of the threads of process pid.
func threads(pid int) ([]int, error) {
	entries, err := os.ReadDir("/proc/" + strconv.Itoa(pid) + "/task")
	if err != nil {
		return nil, err
	}
	tids := []int{pid} // the leader first, so that its errors are the process's
	for _, e := range entries {
		if tid, err := strconv.Atoi(e.Name()); err == nil && tid != pid {
			tids = append(tids, tid)
		}
	}
	return tids, nil
}

func sameFilters(a, b [][]bpf.RawInstruction) bool {
	return slices.EqualFunc(a, b, slices.Equal)
}

// threadFilters returns the filters of the thread tid, oldest first; none
// for a thread without a filter.
func threadFilters(tid int) ([][]bpf.RawInstruction, error) {
	got, err := ptracefilter.Read(tid)
	if errors.Is(err, unix.ESRCH) {
		return nil, errNoThread
	}
	return got, err
}
