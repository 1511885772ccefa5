package seccomp

import (
	"fmt"
	"math"
	"syscall"
)

// Action is what the kernel does with a system call: one of the eight
// SECCOMP_RET_* actions, with its data for Errno, Trap and Trace.
//
// The zero Action is KillProcess, so a policy that leaves an action unset
// fails closed.
type Action uint64

// The actions without data. Use Errno, Trap and Trace for the others.
const (
	KillProcess Action = Action(kindKillProcess) << 32 // SECCOMP_RET_KILL_PROCESS
	KillThread  Action = Action(kindKillThread) << 32  // SECCOMP_RET_KILL_THREAD
	Notify      Action = Action(kindNotify) << 32      // SECCOMP_RET_USER_NOTIF
	Log         Action = Action(kindLog) << 32         // SECCOMP_RET_LOG
	Allow       Action = Action(kindAllow) << 32       // SECCOMP_RET_ALLOW
)

// MaxErrno is the largest errno the kernel passes back (MAX_ERRNO); Errno
// actions above it are invalid rather than truncated.
const MaxErrno = 4095

type actionKind uint8

const (
	kindKillProcess actionKind = iota
	kindKillThread
	kindTrap
	kindErrno
	kindNotify
	kindTrace
	kindLog
	kindAllow
	numKinds
)

// kinds holds, per kind, its SECCOMP_RET_* value, its name, and the largest
// data it takes.
var kinds = [numKinds]struct {
	ret     uint32
	name    string
	maxData uint32
}{
	kindKillProcess: {0x80000000, "kill-process", 0},
	kindKillThread:  {0x00000000, "kill-thread", 0},
	kindTrap:        {0x00030000, "trap", 0xFFFF},
	kindErrno:       {0x00050000, "errno", MaxErrno},
	kindNotify:      {0x7FC00000, "notify", 0},
	kindTrace:       {0x7FF00000, "trace", 0xFFFF},
	kindLog:         {0x7FFC0000, "log", 0},
	kindAllow:       {0x7FFF0000, "allow", 0},
}

// Errno returns the action that fails the system call with errno, which must
// be at most MaxErrno. It is a Linux errno number, the same on every
// supported arch; syscall's constants have those values only when built for
// Linux.
func Errno(errno syscall.Errno) Action { return withData(kindErrno, uint64(errno)) }

// Trap returns the action that sends SIGSYS with data (at most 0xFFFF) in
// si_errno.
func Trap(data uint32) Action { return withData(kindTrap, uint64(data)) }

// Trace returns the action that notifies a ptrace tracer, passing data (at
// most 0xFFFF).
func Trace(data uint32) Action { return withData(kindTrace, uint64(data)) }

func withData(k actionKind, data uint64) Action {
	// Out-of-range data stays out of range, so validation reports it.
	return Action(k)<<32 | Action(min(data, math.MaxUint32))
}

func (a Action) kind() actionKind { return actionKind(a >> 32) }
func (a Action) data() uint32     { return uint32(a) }

// Validate reports whether the action is one the kernel knows, with data in
// range.
func (a Action) Validate() error {
	if a.valid() {
		return nil
	}
	k := a.kind()
	if k >= numKinds {
		return fmt.Errorf("invalid action %#x", uint64(a))
	}
	if a.data() > kinds[k].maxData {
		if kinds[k].maxData == 0 {
			return fmt.Errorf("action %s takes no data, got %d", kinds[k].name, a.data())
		}
		return fmt.Errorf("action %s: data %d out of range 0..%d", kinds[k].name, a.data(), kinds[k].maxData)
	}
	return nil
}

// valid is Validate's test without its error, small enough to inline.
func (a Action) valid() bool {
	k := a.kind()
	return k < numKinds && a.data() <= kinds[k].maxData
}

// Ret returns the action's SECCOMP_RET_* value: what a seccomp program
// returns for it. It is meaningful only for a valid action.
func (a Action) Ret() uint32 {
	k := a.kind()
	if k >= numKinds {
		return kinds[kindKillProcess].ret
	}
	return kinds[k].ret | a.data()&0xFFFF
}

// ActionFromRet returns the Action for a seccomp return value, the inverse of
// Ret.
func ActionFromRet(ret uint32) (Action, error) {
	for k := range numKinds {
		info := kinds[k]
		if ret&^info.maxData == info.ret {
			return Action(k)<<32 | Action(ret&info.maxData), nil
		}
	}
	return 0, fmt.Errorf("return value %#x is not a seccomp action", ret)
}

// String returns the action's name, with its data: "allow", "errno(1)".
func (a Action) String() string {
	k := a.kind()
	if k >= numKinds {
		return fmt.Sprintf("action(%#x)", uint64(a))
	}
	if kinds[k].maxData == 0 && a.data() == 0 {
		return kinds[k].name
	}
	return fmt.Sprintf("%s(%d)", kinds[k].name, a.data())
}
