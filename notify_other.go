//go:build !linux

package seccomp

import (
	"context"
	"syscall"
)

// Listener is the supervisor's side of a filter's user notifications. It
// needs Linux: here every method fails with an error that wraps
// errors.ErrUnsupported.
type Listener struct{}

// NewListener needs Linux: here it returns an error that wraps
// errors.ErrUnsupported.
func NewListener(fd int) (*Listener, error) { return nil, errNotLinux }

// Receive needs Linux.
func (l *Listener) Receive(ctx context.Context) (Notification, error) {
	return Notification{}, errNotLinux
}

// Respond needs Linux.
func (l *Listener) Respond(id uint64, val int64) error { return errNotLinux }

// RespondErrno needs Linux.
func (l *Listener) RespondErrno(id uint64, errno syscall.Errno) error { return errNotLinux }

// Continue needs Linux.
func (l *Listener) Continue(id uint64) error { return errNotLinux }

// AddFD needs Linux.
func (l *Listener) AddFD(id uint64, fd int, opts AddFDOptions) (int, error) { return -1, errNotLinux }

// Valid needs Linux.
func (l *Listener) Valid(id uint64) error { return errNotLinux }

// ReadMemory needs Linux.
func (l *Listener) ReadMemory(n Notification, addr uint64, buf []byte) (int, error) {
	return 0, errNotLinux
}

// Close needs Linux.
func (l *Listener) Close() error { return errNotLinux }
