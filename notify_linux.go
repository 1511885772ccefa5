package seccomp

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Listener is the supervisor's side of a filter's user notifications: the
// fd that InstallWith returns with NewListener, or that Cmd.Supervise gets.
//
// Receive waits on Go's network poller, so a Listener parks no OS thread
// while it waits; the other methods do not block. All methods may be
// called from any goroutine; concurrent Receives take turns.
//
// Continue is no security boundary for pointer arguments: a supervisor
// that reads a path through a pointer and continues the call lets the
// kernel read that memory again, after the target (another of its threads,
// or a process sharing the memory) may have changed it. Decide on pointer
// arguments only by answering the call yourself (Respond, AddFD with
// Send), never by continuing it.
//
// Close closes the listener. Once no descriptor refers to it any more
// (the supervisor's is usually the last: the target's copy is
// close-on-exec), the kernel fails every pending notified call and every
// later one with ENOSYS.
type Listener struct {
	f *os.File
	// turn serializes Receive: the kernel's RECV blocks when another
	// receiver took the call that made the fd readable.
	turn chan struct{}
	// Buffer sizes, as SECCOMP_GET_NOTIF_SIZES reports them.
	notifSize, respSize int

	closeOnce sync.Once
	closeErr  error
	closed    atomic.Bool
}

// errClosed is what a Listener's methods return after Close.
var errClosed = fmt.Errorf("seccomp: the listener is closed: %w", os.ErrClosed)

// The kernel's structs, as include/uapi/linux/seccomp.h has them. Their
// sizes are fixed by the ioctl numbers; NewListener checks them against
// SECCOMP_GET_NOTIF_SIZES.
type notifReq struct {
	ID    uint64
	PID   uint32
	Flags uint32
	Nr    int32
	Arch  uint32
	IP    uint64
	Args  [6]uint64
}

type notifResp struct {
	ID    uint64
	Val   int64
	Error int32
	Flags uint32
}

type notifAddFD struct {
	ID         uint64
	Flags      uint32
	SrcFD      uint32
	NewFD      uint32
	NewFDFlags uint32
}

// NewListener takes ownership of fd, a user-notification listener, and
// returns the Listener over it. It sets the fd non-blocking, for Go's
// poller. It fails if the kernel's structs are not the sizes this package
// knows (SECCOMP_GET_NOTIF_SIZES).
func NewListener(fd int) (*Listener, error) {
	var sizes struct{ notif, resp, data uint16 }
	if _, _, errno := unix.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_GET_NOTIF_SIZES, 0, uintptr(unsafe.Pointer(&sizes))); errno != 0 {
		return nil, fmt.Errorf("seccomp: SECCOMP_GET_NOTIF_SIZES (Linux 5.0): %w", errno)
	}
	if int(sizes.notif) < int(unsafe.Sizeof(notifReq{})) || int(sizes.resp) < int(unsafe.Sizeof(notifResp{})) || sizes.data != 64 {
		return nil, fmt.Errorf("seccomp: the kernel's notification structs (seccomp_notif %d bytes, seccomp_notif_resp %d, seccomp_data %d) are not the %d, %d and 64 this package knows",
			sizes.notif, sizes.resp, sizes.data, unsafe.Sizeof(notifReq{}), unsafe.Sizeof(notifResp{}))
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		return nil, fmt.Errorf("seccomp: listener fd %d: %w", fd, err)
	}
	f := os.NewFile(uintptr(fd), "seccomp-notify")
	if f == nil {
		return nil, fmt.Errorf("seccomp: listener fd %d is not a file descriptor", fd)
	}
	return &Listener{f: f, turn: make(chan struct{}, 1), notifSize: int(sizes.notif), respSize: int(sizes.resp)}, nil
}

// Receive waits for the next notified call and returns it. It returns
// ctx's error when ctx is done first, io.EOF once no process uses the
// filter any more (the kernel reports POLLHUP), and an error wrapping
// os.ErrClosed after Close.
func (l *Listener) Receive(ctx context.Context) (Notification, error) {
	if l == nil || l.f == nil {
		return Notification{}, errListenerNil
	}
	select {
	case l.turn <- struct{}{}:
	case <-ctx.Done():
		return Notification{}, ctx.Err()
	}
	defer func() { <-l.turn }()
	rc, err := l.f.SyscallConn()
	if err != nil {
		return Notification{}, fmt.Errorf("seccomp: listener: %w", err)
	}
	// A done context sets a deadline in the past, which wakes the
	// poller's wait; the turn keeps deadlines from crossing receives.
	if ctx.Done() != nil {
		fired := make(chan struct{})
		stop := context.AfterFunc(ctx, func() {
			l.f.SetReadDeadline(time.Unix(1, 0))
			close(fired)
		})
		defer func() {
			if !stop() {
				<-fired
				l.f.SetReadDeadline(time.Time{})
			}
		}()
	}

	buf := make([]byte, l.notifSize)
	var n Notification
	var recvErr error
	err = rc.Read(func(fd uintptr) bool {
		for {
			// RECV blocks until a call comes, whatever O_NONBLOCK says
			// (seccomp_notify_recv), so ask poll first: the kernel's
			// seccomp_notify_poll reports POLLIN for a call nobody has
			// received, POLLHUP when the filter has no users left.
			pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
			if _, err := unix.Poll(pfd, 0); err != nil {
				if err == unix.EINTR {
					continue
				}
				recvErr = fmt.Errorf("seccomp: polling the listener: %w", err)
				return true
			}
			switch {
			case pfd[0].Revents&unix.POLLIN != 0:
			case pfd[0].Revents&(unix.POLLHUP|unix.POLLERR) != 0:
				recvErr = io.EOF
				return true
			default:
				return false // wait for the poller
			}
			clear(buf) // the kernel wants a zeroed struct
			_, _, errno := unix.Syscall(unix.SYS_IOCTL, fd, unix.SECCOMP_IOCTL_NOTIF_RECV, uintptr(unsafe.Pointer(&buf[0])))
			switch errno {
			case 0:
				n = decodeNotif(buf)
				return true
			case unix.EINTR, unix.ENOENT:
				// ENOENT: the call went away (its thread was killed)
				// between poll and RECV. Look again.
				continue
			}
			recvErr = fmt.Errorf("seccomp: SECCOMP_IOCTL_NOTIF_RECV: %w", errno)
			return true
		}
	})
	if err != nil {
		if l.closed.Load() {
			return Notification{}, errClosed
		}
		if errors.Is(err, os.ErrDeadlineExceeded) && ctx.Err() != nil {
			return Notification{}, ctx.Err()
		}
		return Notification{}, fmt.Errorf("seccomp: receiving a notification: %w", err)
	}
	return n, recvErr
}

func decodeNotif(b []byte) Notification {
	le := binary.NativeEndian
	n := Notification{
		ID:                 le.Uint64(b[0:]),
		PID:                int(le.Uint32(b[8:])),
		Nr:                 int(int32(le.Uint32(b[16:]))),
		Arch:               Arch(le.Uint32(b[20:])),
		InstructionPointer: le.Uint64(b[24:]),
	}
	for i := range n.Args {
		n.Args[i] = le.Uint64(b[32+8*i:])
	}
	return n
}

// Respond answers notification id: the call returns val, without running.
//
// An answer to a call that is gone is ErrNotificationGone. A second answer
// to a call fails with EINPROGRESS until the target has taken the first,
// and with ErrNotificationGone after. A call that a signal interrupts is
// gone, and once the handler returns the kernel restarts it as a new
// notification with a new ID; WaitKillableRecv (Linux 5.19) lets only a
// fatal signal interrupt a call once it has been received.
func (l *Listener) Respond(id uint64, val int64) error {
	return l.send("respond", notifResp{ID: id, Val: val})
}

// RespondErrno answers notification id: the call fails with errno, which
// must be 1 to MaxErrno, without running.
func (l *Listener) RespondErrno(id uint64, errno syscall.Errno) error {
	if errno <= 0 || errno > MaxErrno {
		return fmt.Errorf("seccomp: respond to notification %#x: errno %d is not 1 to %d", id, errno, MaxErrno)
	}
	return l.send("respond", notifResp{ID: id, Error: -int32(errno)})
}

// Continue lets the kernel run notification id's call as if the filter
// had allowed it (SECCOMP_USER_NOTIF_FLAG_CONTINUE, Linux 5.5). See the
// Listener's doc: this is no security boundary for pointer arguments.
func (l *Listener) Continue(id uint64) error {
	return l.send("continue", notifResp{ID: id, Flags: unix.SECCOMP_USER_NOTIF_FLAG_CONTINUE})
}

func (l *Listener) send(what string, resp notifResp) error {
	buf := make([]byte, l.respSizeOr())
	le := binary.NativeEndian
	le.PutUint64(buf[0:], resp.ID)
	le.PutUint64(buf[8:], uint64(resp.Val))
	le.PutUint32(buf[16:], uint32(resp.Error))
	le.PutUint32(buf[20:], resp.Flags)
	err := l.ioctl(unix.SECCOMP_IOCTL_NOTIF_SEND, unsafe.Pointer(&buf[0]), nil)
	if err != nil {
		return fmt.Errorf("seccomp: %s to notification %#x: %w", what, resp.ID, err)
	}
	return nil
}

func (l *Listener) respSizeOr() int {
	if l == nil || l.respSize == 0 {
		return int(unsafe.Sizeof(notifResp{}))
	}
	return l.respSize
}

// AddFD copies fd, one of the supervisor's descriptors, into the process
// that made notification id (SECCOMP_IOCTL_NOTIF_ADDFD, Linux 5.9), and
// returns its number there. With opts.Send it also answers the call with
// that number.
func (l *Listener) AddFD(id uint64, fd int, opts AddFDOptions) (int, error) {
	if fd < 0 {
		return -1, fmt.Errorf("seccomp: add fd to notification %#x: fd %d is negative", id, fd)
	}
	req := notifAddFD{ID: id, SrcFD: uint32(fd)}
	if opts.SetTargetFD {
		if opts.TargetFD < 0 {
			return -1, fmt.Errorf("seccomp: add fd to notification %#x: target fd %d is negative", id, opts.TargetFD)
		}
		req.Flags |= unix.SECCOMP_ADDFD_FLAG_SETFD
		req.NewFD = uint32(opts.TargetFD)
	}
	if opts.Send {
		req.Flags |= unix.SECCOMP_ADDFD_FLAG_SEND
	}
	if opts.CloseOnExec {
		req.NewFDFlags = unix.O_CLOEXEC
	}
	var r1 uintptr
	if err := l.ioctl(unix.SECCOMP_IOCTL_NOTIF_ADDFD, unsafe.Pointer(&req), &r1); err != nil {
		return -1, fmt.Errorf("seccomp: add fd %d to notification %#x: %w", fd, id, err)
	}
	return int(r1), nil
}

// Valid reports whether notification id still waits for an answer: nil
// if it does, ErrNotificationGone if not (SECCOMP_IOCTL_NOTIF_ID_VALID).
// Check it after reading the target's memory, since the thread may have
// died and its pid been reused in between: ReadMemory does.
func (l *Listener) Valid(id uint64) error {
	if err := l.ioctl(unix.SECCOMP_IOCTL_NOTIF_ID_VALID, unsafe.Pointer(&id), nil); err != nil {
		return fmt.Errorf("seccomp: notification %#x: %w", id, err)
	}
	return nil
}

// ReadMemory reads len(buf) bytes at addr in the memory of the process
// that made notification n (process_vm_readv), then checks with Valid that
// n still waits, so that what it read came from that process and not from
// one that took its pid. It returns the bytes read, which may be fewer
// than len(buf) at the end of a mapping. The target may change the memory
// right after: see the Listener's doc.
func (l *Listener) ReadMemory(n Notification, addr uint64, buf []byte) (int, error) {
	if l == nil || l.f == nil {
		return 0, errListenerNil
	}
	if len(buf) == 0 {
		return 0, l.Valid(n.ID)
	}
	local := []unix.Iovec{{Base: &buf[0]}}
	local[0].SetLen(len(buf))
	remote := []unix.RemoteIovec{{Base: uintptr(addr), Len: len(buf)}}
	got, err := unix.ProcessVMReadv(n.PID, local, remote, 0)
	if verr := l.Valid(n.ID); verr != nil {
		return 0, verr
	}
	if err != nil {
		return 0, fmt.Errorf("seccomp: reading %d bytes at %#x in thread %d: %w", len(buf), addr, n.PID, err)
	}
	return got, nil
}

// ioctl makes a non-blocking listener ioctl, keeping the fd open while it
// runs, and turns ENOENT into ErrNotificationGone.
func (l *Listener) ioctl(req uint, arg unsafe.Pointer, r1 *uintptr) error {
	if l == nil || l.f == nil {
		return errListenerNil
	}
	rc, err := l.f.SyscallConn()
	if err != nil {
		return err
	}
	if l.closed.Load() {
		return errClosed
	}
	var errno unix.Errno
	if err := rc.Control(func(fd uintptr) {
		var r uintptr
		for {
			r, _, errno = unix.Syscall(unix.SYS_IOCTL, fd, uintptr(req), uintptr(arg))
			if errno != unix.EINTR {
				break
			}
		}
		if r1 != nil {
			*r1 = r
		}
	}); err != nil {
		if l.closed.Load() {
			return errClosed
		}
		return err
	}
	switch errno {
	case 0:
		return nil
	case unix.ENOENT:
		return ErrNotificationGone
	}
	return errno
}

// Close closes the listener; a Receive waiting on it returns an error
// wrapping os.ErrClosed. See the Listener's doc for what the kernel does
// with the calls still waiting.
func (l *Listener) Close() error {
	if l == nil || l.f == nil {
		return errListenerNil
	}
	l.closeOnce.Do(func() {
		l.closed.Store(true)
		l.closeErr = l.f.Close()
	})
	return l.closeErr
}
