package seccomp

import (
	"errors"
	"syscall"
)

// A Notification is a system call that a filter's Notify action stopped
// in the kernel: struct seccomp_notif. The thread that made it waits until
// a supervisor answers it through the Listener.
type Notification struct {
	// ID names the call in every answer. It is valid until the call is
	// answered, the thread dies, or a signal interrupts the call.
	ID uint64
	// PID is the id of the thread that made the call, in the listener's
	// pid namespace (0 if the thread is not visible there).
	PID int
	// Arch, Nr, InstructionPointer and Args are the call's seccomp_data.
	Arch               Arch
	Nr                 int
	InstructionPointer uint64
	Args               [6]uint64
}

// ErrNotificationGone is what answering a notification returns when its
// call is no longer waiting: the thread that made it died, or a signal
// interrupted the call (the kernel's ENOENT). The call needs no answer
// any more. It wraps syscall.ENOENT.
var ErrNotificationGone = notificationGone{}

type notificationGone struct{}

func (notificationGone) Error() string {
	return "seccomp: the notified call is gone: its thread died or a signal interrupted it"
}

func (notificationGone) Is(target error) bool { return target == syscall.ENOENT }

// AddFDOptions says how Listener.AddFD places a file descriptor in the
// target (struct seccomp_notif_addfd).
type AddFDOptions struct {
	// TargetFD, when SetTargetFD is true, is the number the descriptor gets
	// in the target, replacing whatever that number held, as dup2 does
	// (SECCOMP_ADDFD_FLAG_SETFD). Otherwise the target's lowest free
	// number is used.
	TargetFD    int
	SetTargetFD bool
	// CloseOnExec sets O_CLOEXEC on the target's copy.
	CloseOnExec bool
	// Send also answers the notification, atomically, with the new
	// descriptor's number as the call's return value
	// (SECCOMP_ADDFD_FLAG_SEND, Linux 5.14): the way to implement an
	// openat or accept in the supervisor.
	Send bool
}

// errListenerNil is what the methods of a nil or zero Listener return.
var errListenerNil = errors.New("seccomp: the Listener is nil or was not made by NewListener")
