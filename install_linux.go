//go:build linux

package seccomp

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

// InstallWith loads the program into the calling process with
// seccomp(SECCOMP_SET_MODE_FILTER). It returns the user-notification fd if
// opts.NewListener is set, and -1 otherwise. The program must be for the
// host's arch. A filter can never be removed.
//
// Unless opts.KeepPrivileges is set, it first sets no_new_privs, which
// lets a process without CAP_SYS_ADMIN load a filter. prctl sets it on the
// calling thread only, and the kernel checks it on the thread that calls
// seccomp, so both calls are made from one locked OS thread. TSYNC then sets
// no_new_privs on every other thread as it gives them the filter
// (seccomp_sync_threads in kernel/seccomp.c), and a thread created later
// inherits both from its creator. If loading fails, the calling thread may
// keep no_new_privs while the others lack it.
//
// The errors wrap the kernel's errno: EINVAL when the kernel rejects the
// program (or a flag it lacks, which the message names), EACCES without
// no_new_privs or CAP_SYS_ADMIN, ENOMEM past the kernel's limit on the
// instructions of all filters stacked, EBUSY for a second listener (or a
// process in strict mode). A thread that cannot take the filter is a
// *TSyncError, which wraps no errno: the kernel names the thread instead.
func (p Program) InstallWith(opts InstallOptions) (notifyFD int, err error) {
	if err := p.checkInstallable(); err != nil {
		return -1, err
	}
	if opts.WaitKillableRecv && !opts.NewListener {
		return -1, errors.New("seccomp: InstallOptions.WaitKillableRecv needs NewListener")
	}
	flags := opts.flags()

	// The kernel copies the filter in; a copy of our own keeps
	// Program.Instructions out of the unsafe conversion.
	filter := make([]unix.SockFilter, len(p.Instructions))
	for i, ri := range p.Instructions {
		filter[i] = unix.SockFilter{Code: ri.Op, Jt: ri.Jt, Jf: ri.Jf, K: ri.K}
	}
	prog := unix.SockFprog{Len: uint16(len(filter)), Filter: &filter[0]}

	// no_new_privs is per thread and the kernel checks it on the thread that
	// calls seccomp: both calls must run on one thread.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if !opts.KeepPrivileges {
		if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
			return -1, fmt.Errorf("seccomp: prctl(PR_SET_NO_NEW_PRIVS): %w", err)
		}
	}
	if installHook != nil {
		installHook()
	}
	r1, _, errno := unix.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, flags, uintptr(unsafe.Pointer(&prog)))
	runtime.KeepAlive(filter)
	if errno != 0 {
		return -1, installError(errno, flags, len(filter))
	}
	if opts.NewListener {
		return int(r1), nil
	}
	if r1 != 0 {
		// Without TSYNC_ESRCH, a TSYNC failure is the id of the thread
		// that could not be synchronized.
		return -1, &TSyncError{TID: int(r1)}
	}
	return -1, nil
}

// installHook, when a test sets it, runs between prctl and seccomp in
// InstallWith: where a goroutine that moved to another thread would load
// the filter without the no_new_privs it just set.
var installHook func()

// checkInstallable refuses, before any system call, a program the kernel
// could not take or would run for the wrong arch.
func (p Program) checkInstallable() error {
	arch, _, err := p.Arch.lookup()
	if err != nil {
		return fmt.Errorf("seccomp: cannot install: %w", err)
	}
	native, err := NativeArch()
	if err != nil {
		return fmt.Errorf("seccomp: cannot install: %w", err)
	}
	if arch != native {
		return fmt.Errorf("seccomp: cannot install a program for %s on %s", arch, native)
	}
	if n := len(p.Instructions); n == 0 || n > maxInsns {
		return fmt.Errorf("seccomp: cannot install a program of %d instructions: the kernel takes 1 to %d", n, maxInsns)
	}
	return nil
}

// flags returns the SECCOMP_FILTER_FLAG_* bits for the options.
func (o InstallOptions) flags() uintptr {
	var flags uintptr
	if !o.NoTSync {
		flags |= unix.SECCOMP_FILTER_FLAG_TSYNC
		if o.NewListener {
			// A successful NEW_LISTENER returns the fd and a failed TSYNC
			// the id of a thread, so the kernel refuses the pair unless
			// TSYNC reports its failure as ESRCH instead.
			flags |= unix.SECCOMP_FILTER_FLAG_TSYNC_ESRCH
		}
	}
	if o.Log {
		flags |= unix.SECCOMP_FILTER_FLAG_LOG
	}
	if o.SpecAllow {
		flags |= unix.SECCOMP_FILTER_FLAG_SPEC_ALLOW
	}
	if o.NewListener {
		flags |= unix.SECCOMP_FILTER_FLAG_NEW_LISTENER
	}
	if o.WaitKillableRecv {
		flags |= unix.SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
	}
	return flags
}

// filterFlags names each SECCOMP_FILTER_FLAG_* bit, with the first Linux
// release that has it and the flags the kernel requires with it.
var filterFlags = []struct {
	bit   uintptr
	name  string
	since string
	needs uintptr
}{
	{unix.SECCOMP_FILTER_FLAG_TSYNC, "TSYNC", "3.17", 0},
	{unix.SECCOMP_FILTER_FLAG_LOG, "LOG", "4.14", 0},
	{unix.SECCOMP_FILTER_FLAG_SPEC_ALLOW, "SPEC_ALLOW", "4.17", 0},
	{unix.SECCOMP_FILTER_FLAG_NEW_LISTENER, "NEW_LISTENER", "5.0", 0},
	{unix.SECCOMP_FILTER_FLAG_TSYNC_ESRCH, "TSYNC_ESRCH", "5.7", 0},
	{unix.SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, "WAIT_KILLABLE_RECV", "5.19", unix.SECCOMP_FILTER_FLAG_NEW_LISTENER},
}

// installError explains a failed seccomp(SECCOMP_SET_MODE_FILTER).
func installError(errno unix.Errno, flags uintptr, n int) error {
	switch errno {
	case unix.EINVAL:
		return einvalError(flags, n)
	case unix.EACCES:
		return fmt.Errorf("seccomp: not permitted to install a filter: the thread has neither no_new_privs nor CAP_SYS_ADMIN: %w", errno)
	case unix.ENOMEM:
		// MAX_INSNS_PER_PATH: 2^18 bytes of sock_filter.
		return fmt.Errorf("seccomp: the %d-instruction program and the filters already installed exceed the kernel's limit of 32768 instructions (each installed filter counts 4 more): %w", n, errno)
	case unix.EBUSY:
		return fmt.Errorf("seccomp: a filter with a notification listener is already installed, and the kernel allows one (or the process is in strict mode): %w", errno)
	case unix.ESRCH:
		// TSYNC_ESRCH (set with NewListener) reports a thread that cannot
		// take the filter this way, without naming it.
		return &TSyncError{}
	case unix.ENOSYS:
		return fmt.Errorf("seccomp: the kernel has no seccomp system call: %w", errno)
	}
	return fmt.Errorf("seccomp: installing the filter: %w", errno)
}

// einvalError tells apart the causes of EINVAL: no filter support at all,
// a flag the kernel lacks, a combination of flags it refuses, or the
// program itself (the usual one).
func einvalError(flags uintptr, n int) error {
	if err := filtersAvailable(); err != nil {
		return err
	}
	var lacks []string
	for _, f := range filterFlags {
		if flags&f.bit != 0 && !flagsAccepted(f.bit|f.needs) {
			lacks = append(lacks, fmt.Sprintf("SECCOMP_FILTER_FLAG_%s (Linux %s)", f.name, f.since))
		}
	}
	known := uintptr(0)
	for _, f := range filterFlags {
		known |= f.bit
	}
	if unknown := flags &^ known; unknown != 0 && !flagsAccepted(unknown) {
		lacks = append(lacks, fmt.Sprintf("flags %#x", unknown))
	}
	if len(lacks) > 0 {
		return fmt.Errorf("seccomp: this kernel does not support %s: %w", strings.Join(lacks, ", "), unix.EINVAL)
	}
	if !flagsAccepted(flags) {
		return fmt.Errorf("seccomp: the kernel refuses the combination of flags %#x: %w", flags, unix.EINVAL)
	}
	return fmt.Errorf("seccomp: the kernel rejected the %d-instruction program: %w", n, unix.EINVAL)
}

// flagsAccepted reports whether the kernel accepts these filter flags
// together. It asks for a filter at address 0: the kernel checks the flags
// first, then fails to copy the filter with EFAULT, and loads nothing.
// libseccomp probes flags the same way.
func flagsAccepted(flags uintptr) bool {
	_, _, errno := unix.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, flags, 0)
	return errno == unix.EFAULT
}

// filtersAvailable reports whether this kernel loads seccomp filters.
func filtersAvailable() error {
	_, _, errno := unix.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, 0, 0)
	switch errno {
	case unix.EFAULT:
		return nil
	case unix.ENOSYS:
		return fmt.Errorf("seccomp: the kernel has no seccomp system call: %w", errno)
	case unix.EINVAL:
		return fmt.Errorf("seccomp: the kernel does not support seccomp filters (CONFIG_SECCOMP_FILTER): %w", errno)
	}
	return fmt.Errorf("seccomp: probing for seccomp filters: %w", errno)
}

// ActionAvailable reports whether the kernel knows action a, asking it with
// SECCOMP_GET_ACTION_AVAIL (Linux 4.14). Only the kind of action counts,
// not its data: Errno(1) is available if Errno is.
func ActionAvailable(a Action) (bool, error) {
	if err := a.Validate(); err != nil {
		return false, fmt.Errorf("seccomp: %w", err)
	}
	// The kernel matches the whole value against the bare actions, so the
	// data must go.
	ret := a.Ret() & unix.SECCOMP_RET_ACTION_FULL
	_, _, errno := unix.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_GET_ACTION_AVAIL, 0, uintptr(unsafe.Pointer(&ret)))
	switch errno {
	case 0:
		return true, nil
	case unix.EOPNOTSUPP:
		return false, nil
	case unix.ENOSYS:
		return false, fmt.Errorf("seccomp: the kernel has no seccomp system call: %w", errno)
	case unix.EINVAL:
		return false, fmt.Errorf("seccomp: the kernel has no SECCOMP_GET_ACTION_AVAIL (Linux 4.14): %w", errno)
	}
	return false, fmt.Errorf("seccomp: SECCOMP_GET_ACTION_AVAIL for %s: %w", a, errno)
}
