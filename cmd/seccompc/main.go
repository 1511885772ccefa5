// Command seccompc compiles a Docker or OCI seccomp profile into a seccomp
// filter for one arch, reports what the filter costs, runs a command
// under it, or learns a profile from what a command calls.
//
//	seccompc compile -profile PATH|docker [-arch ARCH] [-layout tree|bitmap]
//	                 [-caps CAP_A,CAP_B] [-strict] [-format raw|disasm|go] [-o FILE]
//	seccompc stats   (same input flags) [-o FILE]
//	seccompc run     (same input flags) -- COMMAND [ARGS...]
//	seccompc explain (same input flags) | -program FILE | -pid PID  SYSCALL [ARG0 ... ARG5]
//	seccompc learn   -o PROFILE -- COMMAND [ARGS...]
//
// ARCH is any arch the library supports (x86_64, x86, x32, aarch64, arm,
// riscv64, ppc64le, ppc64, s390x, mips, mipsel, mips64, mipsel64,
// loongarch64), by the kernel's, Go's, Docker's or libseccomp's name; the
// default is the host's.
//
// PATH is a profile in Docker's format, an OCI linux.seccomp object, or a
// whole OCI config.json; "docker" is Docker's built-in default profile
// (write ./docker for a file of that name). -arch defaults to the host's.
// Docker's includes and excludes by caps count only the capabilities in
// -caps (default: none); "SYS_ADMIN" means CAP_SYS_ADMIN.
//
// compile writes the filter: raw (the default) is the kernel's struct
// sock_filter array, 8 bytes an instruction, little-endian, as libseccomp's
// seccomp_export_bpf writes it; disasm is assembly with syscall names and
// jump targets. It prints the importer's notes (names the arch lacks,
// arches left to the bad-arch action) on stderr.
//
// stats reports the program's size; the instructions the filter runs for
// the system calls of the arch's table, by outcome (allowed, argument-
// checked, denied — any other single action), as the median and maximum
// over those calls of each call's worst case; and how many of the
// unconditionally allowed calls the kernel caches (Linux 5.11 and later),
// so that they skip the filter.
//
// run runs the command under the filter, for the host's arch, with the
// library's sandboxed exec: the filter is installed right before the
// command's execve, on the thread that makes it, so seccompc itself stays
// unfiltered; it binds the command and all its children. The command's
// exit status becomes seccompc's (128 plus the signal if one killed it),
// and SIGINT, SIGTERM, SIGHUP and SIGQUIT sent to seccompc are passed on.
//
// learn runs the command, and everything it starts, under a filter that
// notifies every system call, answers each with continue, and writes to
// PROFILE a Docker/OCI profile that allows exactly the calls it saw
// (default SCMP_ACT_ERRNO, EPERM), for the host's arch. Its exit status is
// the command's; the profile is written either way. It cannot see argument
// values (the profile allows each call with any), calls the command did
// not make this time, or the operations of an io_uring, which seccomp
// never sees; calls of another ABI (i386 and x32 on x86_64) are noted on
// stderr, not recorded. While learning, each system call costs a round
// trip to seccompc (see the README for figures).
//
// explain says what the filter does to one system call (a name or a
// number; arguments in decimal or 0x hex): the verdict, what decided it
// (for a profile, the rule, the default action or the bad-arch action),
// the instructions on the path, and whether the kernel caches the call.
// -program FILE explains a raw sock_filter[] file instead, whoever wrote
// it; -pid PID the filters of a running process, read with
// PTRACE_SECCOMP_GET_FILTER and combined as the kernel combines them.
// A number that starts with "-" must follow "--".
//
// Every command prints the importer's notes on stderr — run before the
// command starts: names the arch lacks, fields the profile formats lack,
// names no arch knows. -strict makes an error of each note on what may
// change what the filter decides (package profile's Options.Strict lists
// them).
//
// Bad input — flags, profile, a command not found, a note under -strict —
// gets one line on stderr and exit status 2; a failure to write or to load
// gets status 1.
package main

import "os"

func main() {
	os.Exit(seccompc(os.Args[1:], os.Stdout, os.Stderr))
}
