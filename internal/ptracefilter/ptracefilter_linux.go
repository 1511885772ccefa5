// Package ptracefilter reads the seccomp filters a thread holds, with
// PTRACE_SECCOMP_GET_FILTER: for seccompc explain -pid and for compare's
// check against the filter runc loads.
package ptracefilter

import (
	"fmt"
	"runtime"
	"unsafe"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// getFilter is PTRACE_SECCOMP_GET_FILTER (linux/ptrace.h).
const getFilter = 0x420c

// Read attaches to thread tid, reads its filters in the order they were
// installed, and detaches: PTRACE_SECCOMP_GET_FILTER's index 0 is the
// oldest (seccomp_get_filter in kernel/seccomp.c counts back from the
// newest by the number of filters less the index). A thread with no filter
// has none (not an error); a thread that does not exist is an error
// wrapping unix.ESRCH. It needs CAP_SYS_ADMIN and no filter on the caller.
func Read(tid int) ([][]bpf.RawInstruction, error) {
	// Every ptrace request must come from the thread that attached.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := unix.PtraceAttach(tid); err != nil {
		return nil, fmt.Errorf("PTRACE_ATTACH: %w", err)
	}
	defer unix.PtraceDetach(tid)
	var ws unix.WaitStatus
	if _, err := unix.Wait4(tid, &ws, unix.WALL, nil); err != nil {
		return nil, fmt.Errorf("wait4: %w", err)
	}
	if !ws.Stopped() {
		return nil, fmt.Errorf("wait4: the thread did not stop (status %#x)", ws)
	}
	filters := [][]bpf.RawInstruction{}
	for i := 0; ; i++ {
		n, _, errno := unix.Syscall6(unix.SYS_PTRACE, getFilter, uintptr(tid), uintptr(i), 0, 0, 0)
		switch {
		case errno == unix.ENOENT:
			return filters, nil // past the newest
		case errno == unix.EINVAL && i == 0:
			return filters, nil // no filter (or strict mode)
		case errno != 0:
			return nil, fmt.Errorf("PTRACE_SECCOMP_GET_FILTER %d: %w", i, errno)
		case n == 0 || n > 4096:
			return nil, fmt.Errorf("PTRACE_SECCOMP_GET_FILTER %d: %d instructions", i, n)
		}
		buf := make([]unix.SockFilter, n)
		m, _, errno := unix.Syscall6(unix.SYS_PTRACE, getFilter, uintptr(tid), uintptr(i), uintptr(unsafe.Pointer(&buf[0])), 0, 0)
		if errno != 0 {
			return nil, fmt.Errorf("PTRACE_SECCOMP_GET_FILTER %d: %w", i, errno)
		}
		if m != n {
			return nil, fmt.Errorf("PTRACE_SECCOMP_GET_FILTER %d: %d instructions, then %d", i, n, m)
		}
		raw := make([]bpf.RawInstruction, n)
		for j, f := range buf {
			raw[j] = bpf.RawInstruction{Op: f.Code, Jt: f.Jt, Jf: f.Jf, K: f.K}
		}
		filters = append(filters, raw)
	}
}
