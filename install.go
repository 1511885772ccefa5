package seccomp

import "fmt"

// InstallOptions are the choices of InstallWith. The zero value is what
// Install does: set no_new_privs, then load the filter into every thread of
// the process.
type InstallOptions struct {
	// KeepPrivileges skips prctl(PR_SET_NO_NEW_PRIVS), so that execve can
	// still grant privileges (setuid binaries, file capabilities). The
	// kernel then requires CAP_SYS_ADMIN.
	KeepPrivileges bool
	// NoTSync loads the filter into the calling OS thread only
	// (and the threads it creates later), leaving out
	// SECCOMP_FILTER_FLAG_TSYNC. Goroutines move between threads, so this
	// is useful only to a goroutine that has called runtime.LockOSThread,
	// and protects nothing beyond it.
	NoTSync bool
	// Log logs every action but Allow (SECCOMP_FILTER_FLAG_LOG, Linux
	// 4.14).
	Log bool
	// SpecAllow leaves the speculative store bypass mitigation off
	// (SECCOMP_FILTER_FLAG_SPEC_ALLOW, Linux 4.17).
	SpecAllow bool
	// NewListener returns a user-notification fd, on which a supervisor
	// receives the system calls that the program answers with Notify
	// (SECCOMP_FILTER_FLAG_NEW_LISTENER, Linux 5.0; unless NoTSync is set,
	// it also needs SECCOMP_FILTER_FLAG_TSYNC_ESRCH, Linux 5.7). The fd is
	// close-on-exec. A process can have one listener in its filter chain.
	NewListener bool
	// WaitKillableRecv makes a notified thread wait killably, rather than
	// interruptibly, once the supervisor has received its notification
	// (SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, Linux 5.19). It needs
	// NewListener.
	WaitKillableRecv bool
}

// TSyncError reports that the kernel refused to load a filter into every
// thread of the process: a thread already runs a filter that the new one
// would not descend from, typically one loaded into that thread alone. No
// thread got the new filter.
type TSyncError struct {
	// TID is the thread the kernel named, or 0 when it names none: with
	// NewListener the kernel reports only ESRCH.
	TID int
}

// Error describes the failure.
func (e *TSyncError) Error() string {
	if e.TID == 0 {
		return "seccomp: cannot load the filter into every thread: a thread has a filter this one would not descend from"
	}
	return fmt.Sprintf("seccomp: cannot load the filter into thread %d: it has a filter this one would not descend from", e.TID)
}

// Install loads the program into the calling process, as InstallWith with
// zero options does: after prctl(PR_SET_NO_NEW_PRIVS), into every thread.
// A filter can never be removed.
func (p Program) Install() error {
	_, err := p.InstallWith(InstallOptions{})
	return err
}
