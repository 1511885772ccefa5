package main

import (
	"errors"
	"fmt"
	"runtime"
	"unsafe"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// ptraceSeccompGetFilter is PTRACE_SECCOMP_GET_FILTER (linux/ptrace.h).
const ptraceSeccompGetFilter = 0x420c

// processFilters returns the seccomp filters of process pid, in the order
// they were installed: PTRACE_SECCOMP_GET_FILTER's index 0 is the oldest
// (seccomp_get_filter in kernel/seccomp.c counts back from the newest by
// the number of filters less the index). It stops the process while it
// reads, and needs CAP_SYS_ADMIN and no filter on seccompc itself.
func processFilters(pid int) ([][]bpf.RawInstruction, error) {
	// Every ptrace request must come from the thread that attached.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := unix.PtraceAttach(pid); errors.Is(err, unix.ESRCH) {
		return nil, badInputf("no such process")
	} else if err != nil {
		return nil, fmt.Errorf("PTRACE_ATTACH: %w", err)
	}
	defer unix.PtraceDetach(pid)
	var ws unix.WaitStatus
	if _, err := unix.Wait4(pid, &ws, unix.WALL, nil); err != nil {
		return nil, fmt.Errorf("wait4: %w", err)
	}
	if !ws.Stopped() {
		return nil, fmt.Errorf("wait4: the process did not stop (status %#x)", ws)
	}
	var filters [][]bpf.RawInstruction
	for i := 0; ; i++ {
		n, _, errno := unix.Syscall6(unix.SYS_PTRACE, ptraceSeccompGetFilter, uintptr(pid), uintptr(i), 0, 0, 0)
		switch {
		case errno == unix.ENOENT:
			return filters, nil // past the newest
		case errno == unix.EINVAL && i == 0:
			return nil, badInputf("the process has no seccomp filter")
		case errno != 0:
			return nil, fmt.Errorf("PTRACE_SECCOMP_GET_FILTER %d: %w", i, errno)
		case n == 0 || n > 4096:
			return nil, fmt.Errorf("PTRACE_SECCOMP_GET_FILTER %d: %d instructions", i, n)
		}
		buf := make([]unix.SockFilter, n)
		m, _, errno := unix.Syscall6(unix.SYS_PTRACE, ptraceSeccompGetFilter, uintptr(pid), uintptr(i), uintptr(unsafe.Pointer(&buf[0])), 0, 0)
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
