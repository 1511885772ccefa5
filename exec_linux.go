package seccomp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// trampolineEnv marks the trampoline child; its value is the number of the
// socket that brings the filter.
const trampolineEnv = "SECCOMP_GO_EXEC_TRAMPOLINE"

// Trampoline exit statuses, should a failure find no way to be reported.
const (
	trampolineFailed     = 126 // before the filter: reported on the socket
	trampolineExecFailed = 127 // execve under the filter failed
)

// The config's option bits.
const (
	optKeepPrivileges = 1 << iota
	optHandoff        // a listener to hand over, through the shared page
)

const trampolineMagic = 0x5ecc0e01

func init() {
	if v, ok := syscall.Getenv(trampolineEnv); ok {
		trampoline(v) // does not return
	}
}

// trampolineConfig is what the parent sends the trampoline.
type trampolineConfig struct {
	flags   uint32 // SECCOMP_FILTER_FLAG_*
	options uint32
	ignored uint64 // bit s-1: signal s is ignored in the parent
	path    string
	filter  []byte // struct sock_filter[]
}

func (c trampolineConfig) marshal() []byte {
	le := binary.NativeEndian
	b := le.AppendUint32(nil, 0) // length, below
	b = le.AppendUint32(b, trampolineMagic)
	b = le.AppendUint32(b, c.flags)
	b = le.AppendUint32(b, c.options)
	b = le.AppendUint64(b, c.ignored)
	b = le.AppendUint32(b, uint32(len(c.path)))
	b = append(b, c.path...)
	b = le.AppendUint32(b, uint32(len(c.filter)))
	b = append(b, c.filter...)
	le.PutUint32(b, uint32(len(b)-4))
	return b
}

func unmarshalTrampolineConfig(b []byte) (trampolineConfig, error) {
	le := binary.NativeEndian
	var c trampolineConfig
	if len(b) < 24 || le.Uint32(b) != trampolineMagic {
		return c, errors.New("bad config header")
	}
	c.flags, c.options, c.ignored = le.Uint32(b[4:]), le.Uint32(b[8:]), le.Uint64(b[12:])
	b = b[20:]
	n := int(le.Uint32(b))
	if len(b) < 4+n+4 {
		return c, errors.New("short config")
	}
	c.path, b = string(b[4:4+n]), b[4+n:]
	n = int(le.Uint32(b))
	if len(b) != 4+n || n == 0 || n%8 != 0 {
		return c, errors.New("bad filter length")
	}
	c.filter = b[4:]
	return c, nil
}

// Start starts the command under the filter; see Cmd. It returns once the
// command's execve has succeeded (or was notified and answered), or with
// the error that stopped it.
func (c *Cmd) Start() error {
	if c.Cmd == nil {
		return errNoCmd
	}
	if c.Cmd.Err == errStartThroughCmd {
		c.Cmd.Err = nil
	}
	if c.Cmd.Err != nil {
		return c.Cmd.Err
	}
	if c.Process != nil {
		return errors.New("exec: already started")
	}
	if c.Path == "" {
		return errors.New("exec: no command")
	}
	cfg, err := c.config()
	if err != nil {
		return err
	}

	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("seccomp: socketpair for the trampoline: %w", err)
	}
	if err := unix.SetNonblock(fds[0], true); err != nil {
		unix.Close(fds[0])
		unix.Close(fds[1])
		return fmt.Errorf("seccomp: socketpair for the trampoline: %w", err)
	}
	parent := os.NewFile(uintptr(fds[0]), "seccomp-trampoline")
	child := os.NewFile(uintptr(fds[1]), "seccomp-trampoline-child")
	defer parent.Close()
	extra := []*os.File{child}
	var page []byte
	if cfg.options&optHandoff != 0 {
		mfd, err := unix.MemfdCreate("seccomp-listener-handoff", unix.MFD_CLOEXEC)
		if err == nil {
			if err = unix.Ftruncate(mfd, int64(os.Getpagesize())); err == nil {
				page, err = unix.Mmap(mfd, 0, os.Getpagesize(), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
			}
		}
		if err != nil {
			child.Close()
			if mfd >= 0 {
				unix.Close(mfd)
			}
			return fmt.Errorf("seccomp: shared page for the listener: %w", err)
		}
		defer unix.Munmap(page)
		mf := os.NewFile(uintptr(mfd), "seccomp-listener-handoff")
		defer mf.Close()
		extra = append(extra, mf)
	}

	// Run this program again as the trampoline; the marker names the
	// socket's number there, after the caller's ExtraFiles.
	path, args, env, files := c.Path, c.Args, c.Env, c.ExtraFiles
	c.Env = append(c.Environ(), trampolineEnv+"="+strconv.Itoa(3+len(files)))
	c.Path = "/proc/self/exe"
	if len(args) == 0 {
		c.Args = []string{path} // what os/exec would give the command
	}
	c.ExtraFiles = append(slices.Clip(files), extra...)
	err = c.Cmd.Start()
	c.Path, c.Args, c.Env, c.ExtraFiles = path, args, env, files
	child.Close()
	if err != nil {
		return err
	}

	if err := c.handshake(parent, cfg, page); err != nil {
		c.Process.Kill()
		c.Cmd.Wait()
		return err
	}
	return nil
}

// config checks what Start can check before it starts anything, and
// returns what the trampoline needs.
func (c *Cmd) config() (trampolineConfig, error) {
	p := c.Program
	if err := p.checkInstallable(); err != nil {
		return trampolineConfig{}, err
	}
	arch, _, _ := p.Arch.lookup()
	p.Arch = arch
	opts := c.Options
	if opts.NewListener && c.Supervise == nil {
		return trampolineConfig{}, errors.New("seccomp: Cmd.Options.NewListener needs Cmd.Supervise, which gets the listener")
	}
	opts.NewListener = c.Supervise != nil
	opts.NoTSync = true
	if opts.WaitKillableRecv && !opts.NewListener {
		return trampolineConfig{}, errors.New("seccomp: Cmd.Options.WaitKillableRecv needs Cmd.Supervise")
	}
	if !opts.NewListener && slices.ContainsFunc(p.Instructions, func(ri bpf.RawInstruction) bool { return ri.Op == opRetK && ri.K == Notify.Ret() }) {
		return trampolineConfig{}, errors.New("seccomp: the program has Notify actions but Cmd.Supervise is nil: the kernel would fail those calls with ENOSYS")
	}
	nr, ok := arch.SyscallNumber("execve")
	if !ok {
		return trampolineConfig{}, fmt.Errorf("seccomp: %s has no execve", arch)
	}
	an, err := p.Analyze(uint32(nr))
	if err != nil {
		return trampolineConfig{}, err
	}
	if !slices.ContainsFunc(an.Actions, func(a Action) bool {
		return a == Allow || a == Log || (a == Notify && opts.NewListener)
	}) {
		acts := make([]string, len(an.Actions))
		for i, a := range an.Actions {
			acts[i] = a.String()
		}
		return trampolineConfig{}, fmt.Errorf("seccomp: the program cannot allow execve (%d), which sandboxed exec makes under the filter to start the command: its actions for it are %s", nr, strings.Join(acts, ", "))
	}
	raw, _ := p.MarshalBinary()
	cfg := trampolineConfig{flags: uint32(opts.flags()), path: c.Path, filter: raw, ignored: ignoredSignals()}
	if opts.KeepPrivileges {
		cfg.options |= optKeepPrivileges
	}
	if opts.NewListener {
		cfg.options |= optHandoff
	}
	return cfg, nil
}

// handshake sends the trampoline its config, takes the listener when
// there is one, and waits for the execve.
func (c *Cmd) handshake(sock *os.File, cfg trampolineConfig, page []byte) error {
	if _, err := sock.Write(cfg.marshal()); err != nil {
		return fmt.Errorf("seccomp: sending the trampoline its filter: %w", err)
	}
	// Until its execve the trampoline writes only on failure, and the
	// socket, close-on-exec, reaches EOF when execve succeeds.
	reply := make(chan []byte, 1)
	go func() {
		b, _ := io.ReadAll(sock)
		reply <- b
	}()
	if page != nil {
		published := (*atomic.Uint32)(unsafe.Pointer(&page[0]))
		taken := (*atomic.Uint32)(unsafe.Pointer(&page[4]))
		wait := 20 * time.Microsecond
		for published.Load() == 0 {
			select {
			case b := <-reply:
				return c.trampolineError(b, "before handing over the listener")
			case <-time.After(wait):
			}
			wait = min(2*wait, 2*time.Millisecond)
		}
		l, err := takeListener(c.Process.Pid, int(published.Load()-1))
		if err != nil {
			return err
		}
		c.Supervise(l)
		taken.Store(1)
	}
	if b := <-reply; len(b) > 0 {
		return c.trampolineError(b, "")
	}
	return nil
}

// takeListener copies the trampoline's listener fd into this process.
func takeListener(pid, fd int) (*Listener, error) {
	pidfd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		return nil, fmt.Errorf("seccomp: pidfd_open of the trampoline (Linux 5.3): %w", err)
	}
	defer unix.Close(pidfd)
	lfd, err := unix.PidfdGetfd(pidfd, fd, 0)
	if err != nil {
		return nil, fmt.Errorf("seccomp: taking the listener from the trampoline with pidfd_getfd (Linux 5.6): %w", err)
	}
	l, err := NewListener(lfd)
	if err != nil {
		unix.Close(lfd)
		return nil, err
	}
	return l, nil
}

// trampolineError turns what the trampoline wrote, after waiting for it,
// into Start's error.
func (c *Cmd) trampolineError(b []byte, when string) error {
	c.Cmd.Wait()
	msg := string(b)
	switch {
	case strings.HasPrefix(msg, "E"):
		return errors.New(msg[1:])
	case strings.HasPrefix(msg, "X"):
		n, _ := strconv.Atoi(msg[1:])
		return &os.PathError{Op: "seccomp: exec under the filter", Path: c.Path, Err: syscall.Errno(n)}
	}
	return fmt.Errorf("seccomp: the trampoline ended %s: %v", when, c.ProcessState)
}

// ignoredSignals returns the signals this process ignores, which the
// command inherits ignored, as from os/exec.
func ignoredSignals() uint64 {
	var mask uint64
	for sig := 1; sig <= 64; sig++ {
		var old [4]uint64 // struct sigaction, sa_handler first on every arch
		if _, _, errno := unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(sig), 0, uintptr(unsafe.Pointer(&old)), 8, 0, 0); errno == 0 && old[0] == 1 {
			mask |= 1 << (sig - 1)
		}
	}
	return mask
}

// nilPage is dereferenced to die without a system call.
var nilPage *uint32

// trampoline is the child side of Start: it installs the filter on this
// thread and execs the command. It never returns.
func trampoline(v string) {
	runtime.LockOSThread()
	sock, err := strconv.Atoi(v)
	if err != nil {
		os.Exit(trampolineFailed)
	}
	fail := func(err error) {
		unix.Write(sock, []byte("E"+err.Error()))
		os.Exit(trampolineFailed)
	}
	cfg, err := readTrampolineConfig(sock)
	if err != nil {
		fail(fmt.Errorf("seccomp: trampoline: reading its config: %w", err))
	}
	// Neither the socket nor the page may reach the command.
	if _, err := unix.FcntlInt(uintptr(sock), unix.F_SETFD, unix.FD_CLOEXEC); err != nil {
		fail(fmt.Errorf("seccomp: trampoline: %w", err))
	}
	var page []byte
	if cfg.options&optHandoff != 0 {
		pfd := sock + 1
		if _, err := unix.FcntlInt(uintptr(pfd), unix.F_SETFD, unix.FD_CLOEXEC); err != nil {
			fail(fmt.Errorf("seccomp: trampoline: %w", err))
		}
		if page, err = unix.Mmap(pfd, 0, os.Getpagesize(), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED); err != nil {
			fail(fmt.Errorf("seccomp: trampoline: mapping the shared page: %w", err))
		}
	}
	// Everything execve needs, made before the filter.
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, trampolineEnv+"=") })
	pathp, err := unix.BytePtrFromString(cfg.path)
	if err != nil {
		fail(fmt.Errorf("seccomp: exec %s: %w", cfg.path, err))
	}
	argvp, err := syscall.SlicePtrFromStrings(os.Args)
	if err != nil {
		fail(fmt.Errorf("seccomp: exec %s: %w", cfg.path, err))
	}
	envp, err := syscall.SlicePtrFromStrings(env)
	if err != nil {
		fail(fmt.Errorf("seccomp: exec %s: %w", cfg.path, err))
	}
	filter := make([]unix.SockFilter, len(cfg.filter)/8)
	for i := range filter {
		b := cfg.filter[8*i:]
		filter[i] = unix.SockFilter{Code: binary.LittleEndian.Uint16(b), Jt: b[2], Jf: b[3], K: binary.LittleEndian.Uint32(b[4:])}
	}
	prog := unix.SockFprog{Len: uint16(len(filter)), Filter: &filter[0]}

	// What execve would do to signal handlers, done now, so that no Go
	// handler runs under the filter: a caught signal gets its default,
	// an ignored one stays ignored. (The other threads' Go runtime does
	// without its handlers for the moments left.)
	for sig := 1; sig <= 64; sig++ {
		if sig == int(unix.SIGKILL) || sig == int(unix.SIGSTOP) {
			continue
		}
		var act [4]uint64
		if cfg.ignored&(1<<(sig-1)) != 0 {
			act[0] = 1 // SIG_IGN
		}
		unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(sig), uintptr(unsafe.Pointer(&act)), 0, 8, 0, 0)
	}

	if cfg.options&optKeepPrivileges == 0 {
		if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
			fail(fmt.Errorf("seccomp: prctl(PR_SET_NO_NEW_PRIVS): %w", err))
		}
	}
	r1, _, errno := unix.RawSyscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, uintptr(cfg.flags), uintptr(unsafe.Pointer(&prog)))
	if errno != 0 {
		fail(installError(errno, uintptr(cfg.flags), len(filter)))
	}
	// From here on, every system call is the filter's to decide.
	if page != nil {
		// The parent copies the listener out of this process with
		// pidfd_getfd and says so in the page; waiting for it makes no
		// system call, which the filter might notify to nobody yet.
		(*atomic.Uint32)(unsafe.Pointer(&page[0])).Store(uint32(r1) + 1)
		taken := (*atomic.Uint32)(unsafe.Pointer(&page[4]))
		// time.Now reads the clock through the vDSO, not a system call.
		deadline := time.Now().Add(time.Minute)
		for i := 0; taken.Load() == 0; i++ {
			if i%(1<<16) == 0 && time.Now().After(deadline) {
				*nilPage = 0 // the parent is gone: die by SIGSEGV
			}
		}
	}
	_, _, errno = unix.RawSyscall(unix.SYS_EXECVE, uintptr(unsafe.Pointer(pathp)), uintptr(unsafe.Pointer(&argvp[0])), uintptr(unsafe.Pointer(&envp[0])))
	// The filter may deny these as well; then the exit status or the
	// signal tells.
	msg := []byte("X" + strconv.Itoa(int(errno)))
	unix.RawSyscall(unix.SYS_WRITE, uintptr(sock), uintptr(unsafe.Pointer(&msg[0])), uintptr(len(msg)))
	unix.RawSyscall(unix.SYS_EXIT_GROUP, trampolineExecFailed, 0, 0)
	*nilPage = 0
}

// readTrampolineConfig reads the length-prefixed config from the socket.
func readTrampolineConfig(sock int) (trampolineConfig, error) {
	readFull := func(b []byte) error {
		for len(b) > 0 {
			n, err := unix.Read(sock, b)
			if err == unix.EINTR {
				continue
			}
			if err != nil {
				return err
			}
			if n == 0 {
				return io.ErrUnexpectedEOF
			}
			b = b[n:]
		}
		return nil
	}
	var lb [4]byte
	if err := readFull(lb[:]); err != nil {
		return trampolineConfig{}, err
	}
	n := binary.NativeEndian.Uint32(lb[:])
	if n > 1<<20 {
		return trampolineConfig{}, fmt.Errorf("config of %d bytes", n)
	}
	b := make([]byte, n)
	if err := readFull(b); err != nil {
		return trampolineConfig{}, err
	}
	return unmarshalTrampolineConfig(b)
}
