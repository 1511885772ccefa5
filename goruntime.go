package seccomp

import "slices"

// goRuntimeSyscalls names, for every arch, the system calls a running Go
// program's runtime makes after it has started. Read from Go 1.26's
// runtime: runtime/sys_linux_*.s and
// internal/runtime/syscall/linux (the netpoller), go/src at go1.26.8.
// Left out: what only the runtime's start makes (uname, brk, mincore,
// openat of /sys/kernel/mm/transparent_hugepage and of the cgroup files,
// prlimit64), Android's logd (socket, connect, faccessat), and anything
// the standard library makes for the program (openat, fstat, getrandom,
// ...), which the program's policy must name itself.
var goRuntimeSyscalls = []string{
	// Memory.
	"mmap", "munmap", "madvise", "mprotect",
	// Threads, scheduling, sleeping.
	"clone", "futex", "gettid", "sched_yield", "nanosleep", "pselect6", "exit", "exit_group",
	// Signals: preemption (tgkill of SIGURG), handlers, and raising one.
	"rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sigaltstack",
	"tgkill", "tkill", "kill", "getpid", "restart_syscall",
	// Clocks (the vDSO's fallbacks) and profiling timers.
	"clock_gettime", "gettimeofday", "setitimer", "timer_create", "timer_settime", "timer_delete",
	// GOMAXPROCS follows the CPUs the program may use (Go 1.25 and later):
	// the runtime re-reads its affinity, and its cgroup's CPU limit from
	// files it opened at start, about once a second
	// (internal/runtime/cgroup). Without these the first update kills or
	// fails the program at random, a second after it installed the filter.
	"sched_getaffinity", "pread64",
	// The netpoller, and output of a panic or print.
	"epoll_create1", "epoll_ctl", "epoll_pwait", "eventfd2", "pipe2", "fcntl", "read", "write", "close",
	// What 32-bit arches (i386, arm, mips) call instead or as well, as
	// their sys_linux_*.s have it; the 64-bit arches lack these names.
	"mmap2", "futex_time64", "timer_settime64", "set_thread_area",
}

// GoRuntimeSyscalls returns the names of the system calls the Go runtime
// needs on arch (the host's for the zero Arch), once a program has
// started: memory, threads, sleeping, signals (goroutine preemption sends
// SIGURG), clocks, timers and the netpoller. A Go program that filters
// itself with Install must allow these, and what its own code calls
// (openat, read, fstat, socket, getrandom, ...), or the runtime fails in
// ways that say nothing of seccomp: a denied madvise or futex can crash
// it or make it hang.
//
// Names an arch lacks (x86_64's old calls on aarch64 and riscv64, for
// instance) are left out, so the list can be given to Policy.Allow as it
// is. It is nil for an arch this package does not support.
//
// Most programs are better served by confining only a child with Cmd,
// which needs none of this.
func GoRuntimeSyscalls(arch Arch) []string {
	arch, _, err := arch.lookup()
	if err != nil {
		return nil
	}
	return slices.DeleteFunc(slices.Clone(goRuntimeSyscalls), func(name string) bool {
		_, ok := arch.SyscallNumber(name)
		return !ok
	})
}
