package seccomp

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
)

// Cmd is a command to run under a Program, with os/exec's conventions:
// set Path, Args, Env, Dir, Stdin, Stdout, Stderr, ExtraFiles and the rest
// on the embedded exec.Cmd, call Start, Run, Output or CombinedOutput on
// the Cmd, and read the exit status from Wait as os/exec reports it. The
// filter is in force from the command's first instruction, binds
// everything the command forks, and never applies to the calling
// process: a Cmd works from any Go program, with any number of threads,
// a go test binary included.
//
// # How it works
//
// os/exec has no hook between fork and exec, so Start runs this program
// itself again (/proc/self/exe) with a marker in the environment, and this
// package's init in that child, the trampoline, installs the filter on its
// one locked thread, without TSYNC, and at once calls execve on the
// command: execve ends the trampoline's other threads (which never had the
// filter) and the command keeps the filter of the thread that exec'd. The
// filter arrives on an inherited socket, and errors before the execve go
// back on it, so that Start reports them, as os/exec's Start reports a
// failed exec. Before installing, the trampoline sets every signal to the
// disposition execve would give it (ignored stays ignored, caught becomes
// default), so that no Go signal handler runs under the filter: after
// installing it makes no system call but execve (and, with a listener,
// not even one while it waits for the parent to take the listener).
//
// The other mechanism, a locked thread of the caller that installs without
// TSYNC and forks, was rejected: the caller's filtered thread would go on
// running Go runtime code (reading the exec status, signal handlers, stack
// growth) under the command's filter, and a filter that kills on such a
// call would kill the caller.
//
// The price of the trampoline: the program's package initialization runs
// in the child up to this package's init (packages this one does not
// import may come first), and the Go runtime starts there once more
// (a few milliseconds). Go raises its own soft RLIMIT_NOFILE at start, and
// the trampoline cannot tell what it was before: the command starts with
// the raised limit where os/exec would have restored the original.
//
// # What Start checks
//
// The program must be for the host's arch. It must be able to allow
// execve (Allow or Log, or Notify with Supervise), which the trampoline
// makes under it: a program that cannot is an error from Start, not a
// command killed by SIGSYS. A program with Notify actions needs Supervise.
//
// # Listener
//
// With Supervise set, the filter is installed with NewListener, and Start
// takes the listener from the trampoline (pidfd_getfd, Linux 5.6) and
// calls Supervise with it before the command's execve, which the filter
// may notify: Supervise must start serving the listener (in a goroutine)
// and return. The listener belongs to the caller, who closes it: see
// Listener. The command holds no copy of it.
type Cmd struct {
	// Cmd is the command. Start changes its Path, Args, Env, ExtraFiles and Err
	// while it runs and restores them before it returns. Do not call its
	// own Start, Run, Output or CombinedOutput: those of Cmd apply the
	// filter, and on a Cmd made by Command or CommandContext the embedded
	// ones fail.
	*exec.Cmd

	// Program is the filter, for the host's arch.
	Program Program

	// Options are passed to the install: Log, SpecAllow, KeepPrivileges
	// and WaitKillableRecv (which needs Supervise) apply. NewListener is
	// implied by Supervise, and the install is always on one thread, so
	// NewListener without Supervise is an error and NoTSync changes
	// nothing.
	Options InstallOptions

	// Supervise, if not nil, receives the filter's listener before the
	// command starts; see the Cmd's doc.
	Supervise func(*Listener)
}

// errStartThroughCmd keeps the embedded exec.Cmd of a Cmd made by Command
// from being started without its filter.
var errStartThroughCmd = errors.New("seccomp: start this command with seccomp.Cmd's Start, Run, Output or CombinedOutput, which apply its filter")

// Command returns a Cmd that runs name with args under prog, as
// exec.Command does.
func Command(prog Program, name string, args ...string) *Cmd {
	return guarded(prog, exec.Command(name, args...))
}

// CommandContext is Command with a context: as with exec.CommandContext,
// the command is killed when ctx is done before it ends.
func CommandContext(ctx context.Context, prog Program, name string, args ...string) *Cmd {
	return guarded(prog, exec.CommandContext(ctx, name, args...))
}

func guarded(prog Program, cmd *exec.Cmd) *Cmd {
	if cmd.Err == nil {
		cmd.Err = errStartThroughCmd
	}
	return &Cmd{Cmd: cmd, Program: prog}
}

// Run starts the command and waits for it, as exec.Cmd's Run does.
func (c *Cmd) Run() error {
	if err := c.Start(); err != nil {
		return err
	}
	return c.Wait()
}

// Output runs the command and returns its standard output, as exec.Cmd's
// Output does: if Stderr is nil, an *exec.ExitError carries it.
func (c *Cmd) Output() ([]byte, error) {
	if c.Cmd == nil {
		return nil, errNoCmd
	}
	if c.Stdout != nil {
		return nil, errors.New("exec: Stdout already set")
	}
	var stdout, stderr bytes.Buffer
	c.Stdout = &stdout
	captureErr := c.Stderr == nil
	if captureErr {
		c.Stderr = &stderr
	}
	err := c.Run()
	if ee, ok := errors.AsType[*exec.ExitError](err); ok && captureErr {
		ee.Stderr = stderr.Bytes()
	}
	return stdout.Bytes(), err
}

// CombinedOutput runs the command and returns its standard output and
// standard error together, as exec.Cmd's CombinedOutput does.
func (c *Cmd) CombinedOutput() ([]byte, error) {
	if c.Cmd == nil {
		return nil, errNoCmd
	}
	if c.Stdout != nil {
		return nil, errors.New("exec: Stdout already set")
	}
	if c.Stderr != nil {
		return nil, errors.New("exec: Stderr already set")
	}
	var b bytes.Buffer
	c.Stdout, c.Stderr = &b, &b
	err := c.Run()
	return b.Bytes(), err
}

var errNoCmd = errors.New("seccomp: Cmd.Cmd is nil")
