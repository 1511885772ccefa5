// Package profile imports container seccomp profiles into seccomp policies:
// the linux.seccomp object of an OCI runtime configuration
// (specs.LinuxSeccomp), and Docker's profile format, which extends it with
// archMap and with entries included or excluded by arch, capability and
// kernel version. DockerDefault (on Linux) is Docker's built-in default
// profile.
//
// Import reads JSON; FromOCI and FromDocker take the decoded types. Each
// resolves the profile for one target arch, which need not be the host's,
// into a *seccomp.Policy, and returns notes on what it skipped or read
// otherwise than a reader might expect. Bad input is an error that names
// the entry (its index in syscalls[] and its first name) and the field, and
// every entry is checked, including those that Docker's filters drop for
// the target.
//
// The formats. A profile may hold the fields of the OCI runtime spec's
// LinuxSeccomp (defaultAction, defaultErrnoRet, architectures, flags,
// listenerPath, listenerMetadata, syscalls), Docker's (archMap; in an
// entry name, names, action, errnoRet, args, comment, includes, excludes;
// in args index, value, valueTwo, op; in includes and excludes caps,
// arches, minKernel) and containers/common's, Podman's library (errno
// beside errnoRet and defaultErrno beside defaultErrnoRet: an errno name
// such as "EPERM", numbered as on the target (MIPS and PowerPC number some
// errors their own way), or a number; where both are set, errno counts, as
// containers/common reads it). Any other field, at any depth, is ignored,
// as runc ignores it, with a note that names the entry, the field and its
// line and column. In a config.json only linux.seccomp is read.
//
// The JSON. Import's decoder is made for this schema and is strict JSON
// (RFC 8259): trailing commas, comments, bad escapes, lone surrogates,
// unescaped control characters, invalid UTF-8 and anything after the
// value are errors that give the line and column. It reads field names as
// encoding/json, and so runc and Docker, read them: the exact name, else
// one that differs only in case, with a note. A field given twice counts
// the last time, as with encoding/json, with a note; but a field that
// holds objects (archMap, syscalls, args, includes, excludes) given twice
// is an error, since encoding/json merges the two in ways no reader would
// guess. A null reads as the field's absence. For a service that compiles
// untrusted profiles the work is bounded: Import refuses more than 16 MiB
// of JSON and nesting deeper than 32 arrays and objects, stops reading at
// the entry past seccomp.MaxRules or the arg past seccomp.MaxConds (the
// core would refuse such a policy; the error wraps seccomp.ErrTooLarge),
// takes time and
// memory linear in the input (at worst some 30 bytes of memory a byte of
// JSON, for a profile of minimal entries), and keeps at most 1,000 notes
// (a last one counts the rest). A caller with a tighter budget checks the
// input's length first.
//
// Strict. Options.Strict makes an error of each note on something that
// may change what the filter decides from what the profile's author
// wrote, or from what runc's filter decides; the error names the first
// such note and counts the rest. They are:
//
//   - a field the formats lack (a typo such as "arg" for "args", or
//     "erronRet"), one spelled in another case, or one given twice;
//   - a system call name that no arch knows: none of seccomp.Arches(), and
//     not in libseccomp's table of every arch's calls (a typo such as
//     "mkdri");
//   - a capability name in includes or excludes that Linux lacks;
//   - errno and errnoRet that disagree (Docker reads errnoRet, Podman
//     errno);
//   - several args on one index, which runc makes rules of their own (OR);
//   - conditional rules of one call that may both hold with different
//     actions, which libseccomp may order otherwise.
//
// These stay notes under Strict, for runc skips them too or they do not
// change the program: a name the target arch lacks, a rule dropped for an
// unconditional one, arches listed beside the target (not compiled), and
// load-time flags. Whatever the options, an unknown action, operator,
// errno name or arch, and a value out of range, are errors.
//
// The policy means what runc on libseccomp makes of the profile:
//
//   - Actions are libseccomp's names. SCMP_ACT_KILL and SCMP_ACT_KILL_THREAD
//     kill the thread, SCMP_ACT_KILL_PROCESS the process. SCMP_ACT_ERRNO
//     returns errnoRet (defaultErrnoRet for the default action), EPERM when
//     it is absent; SCMP_ACT_TRACE passes errnoRet, EPERM when absent, to
//     the tracer. errnoRet on another action is an error, as the runtime
//     spec requires, and so is an errno above seccomp.MaxErrno.
//   - Comparisons are 64-bit, on args 0 to 5. SCMP_CMP_MASKED_EQ takes the
//     mask in value and the datum in valueTwo, and masks the datum too, as
//     libseccomp does: arg & value == valueTwo & value. With mask 0 it
//     holds for every argument, so libseccomp drops it, and a rule left
//     with no condition is unconditional.
//   - The args of an entry must all hold (AND) when each is on its own
//     index. If two args share an index, runc gives up on AND and makes
//     every arg of the entry a rule of its own (OR): args [a0 >= 1,
//     a0 <= 5, a1 == 7] allow when arg0 >= 1, or arg0 <= 5, or arg1 == 7.
//     A note says so.
//   - An entry whose action is the default action is dropped, as runc
//     drops it.
//   - A system call with an unconditional rule is decided by the first
//     such rule, wherever its conditional rules stand; libseccomp keeps
//     that one and drops the others, and so does the importer, with a note.
//     Conditional rules are otherwise tried in profile order, and the first
//     that holds decides. libseccomp orders a syscall's rules its own way
//     (by argument index, then operator), so where two conditional rules
//     with different actions may both hold, runc's filter may decide
//     otherwise: a note names them.
//   - A name the target arch does not have is skipped with a note, as runc
//     skips it.
//   - SCMP_ACT_NOTIFY cannot be the default action (runc refuses it too).
//   - Unless Options.NoENOSYS is set, a profile whose default action is
//     not allow, log or trace, and whose highest system call number is not
//     0, gets runc's ENOSYS patch: system call numbers
//     above the highest one the profile names for the target (entries that
//     runc drops included) fail with ENOSYS (seccomp.Policy.UnknownENOSYS),
//     so that a libc probing a newer call falls back to an older one.
//
// Architectures. The target is always compiled, whether the profile lists
// it or not, as libseccomp always includes the native arch. The other
// arches a profile lists (architectures, or its archMap entry for the
// target: x86 and x32 beside x86_64, arm beside aarch64) are compiled with
// it into one program, as runc compiles them (seccomp.Policy.Compat): each
// resolved on its own system call numbers, Docker's arches filters read for
// the target (as Docker reads them for the host), and runc's ENOSYS patch
// applied on each ABI's own highest number when the target gets it. A call
// that every ABI has has the same rules on each, and is one entry for them
// all (seccomp.Syscall.Arch unset, its number on the target beside its
// name); the others are marked with the ABI they are for, where ABIs number
// errno names otherwise (PowerPC's beside x86's) all of them. An arch libseccomp
// knows but this package has no table for (s390, mips n32, ppc) is named
// in a note and not compiled. The calls of every arch outside the program
// get the policy's bad-arch action, seccomp.KillThread, which is
// libseccomp's default (SCMP_FLTATR_ACT_BADARCH is SCMP_ACT_KILL).
//
// Docker's filters, as Docker applies them. An entry is kept when all of
// its includes hold: its arches name the target (or are empty), every one
// of its caps is in Options.Caps, and Options.Kernel is at least its
// minKernel. It is dropped when any of its excludes holds: its arches name
// the target, or one of its caps is in Options.Caps, or Options.Kernel is at
// least its minKernel. Arches there are Docker's names: amd64, arm64 and
// riscv64 for the three targets. An empty Options.Kernel stands for the
// newest kernel, which meets every minKernel.
//
// Load-time settings of a profile (flags, listenerPath) are not part of a
// program; flags get a note.
package profile
