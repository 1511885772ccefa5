// Package seccomp compiles seccomp filters: it turns a policy — which
// system calls a process may make, and on which arguments — into the
// classic BPF program the Linux kernel runs on every system call of that
// process.
//
// A Policy names an arch, a default action, and per system call an ordered
// list of rules; each rule is an action and conditions on the arguments,
// all of which must hold. The first rule that holds decides; when none
// does, the default decides. A call made with another arch's calling
// convention gets the policy's bad-arch action.
//
// Compile turns a policy into a Program, with one of two layouts:
// LayoutTree (the default) dispatches with a binary search that the
// kernel's syscall cache understands, so that unconditionally allowed calls
// skip the filter altogether; LayoutBitmap tests allows in a bitmap, with a
// shift the kernel's cache cannot follow.
// Every layout decides every call the same way, and the package's tests
// prove it against a direct evaluation of the policy (Policy.Decide) on
// every supported arch, big-endian ones included, and on every ABI of a
// program that serves several (Policy.Compat).
//
// The package is pure Go. Compiling works on any GOOS and for any
// supported arch; loading a program into the kernel needs Linux.
package seccomp
