package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/sandboxkit/seccomp"
)

// explain says what a filter does to one system call: the verdict, what
// decided it, the instructions on the path and whether the kernel caches
// the call. The filter is a profile compiled as compile would, a raw
// sock_filter[] file (-program), or the stack of filters a running process
// has (-pid).
func explain(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("explain")
	var in input
	in.register(fs)
	program := fs.String("program", "", "explain the raw sock_filter[] program in `FILE` instead of a profile")
	pid := fs.Int("pid", 0, "explain the filters of the running process `PID` instead of a profile")
	rest, err := parse(fs, args, true)
	if err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	sources := 0
	for _, name := range []string{"profile", "program", "pid"} {
		if set[name] {
			sources++
		}
	}
	if sources != 1 {
		return badInputf("explain: want exactly one of -profile, -program and -pid")
	}
	if !set["profile"] {
		for _, name := range []string{"layout", "caps"} {
			if set[name] {
				return badInputf("explain: -%s applies only to -profile", name)
			}
		}
	}
	if set["pid"] && set["arch"] {
		return badInputf("explain: -pid explains the host's arch; -arch does not apply")
	}
	arch, err := seccomp.NativeArch()
	if in.arch != "" {
		arch, err = seccomp.ParseArch(in.arch)
	}
	if err != nil {
		return badInputf("-arch: %w", err)
	}
	d, name, err := parseCall(arch, rest)
	if err != nil {
		return err
	}

	var (
		filters []seccomp.Program
		pol     *seccomp.Policy
	)
	switch {
	case set["profile"]:
		c, err := in.load(stderr)
		if err != nil {
			return err
		}
		filters, pol = []seccomp.Program{c.prog}, c.pol
	case set["program"]:
		raw, err := os.ReadFile(*program)
		if err != nil {
			return badInputf("-program: %w", err)
		}
		p, err := seccomp.UnmarshalProgram(arch, raw)
		if err != nil {
			return badInputf("-program %s: %w", *program, err)
		}
		filters = []seccomp.Program{p}
	default:
		if *pid <= 0 {
			return badInputf("-pid: %d is no process id", *pid)
		}
		insns, err := processFilters(*pid)
		if errors.As(err, new(badInput)) {
			return badInputf("-pid %d: %w", *pid, err)
		} else if err != nil {
			return fmt.Errorf("-pid %d: %w", *pid, err)
		}
		for _, f := range insns {
			filters = append(filters, seccomp.Program{Arch: arch, Instructions: f})
		}
	}
	for i, f := range filters {
		if err := f.Validate(); err != nil {
			return badInputf("filter %d: %w", i, err)
		}
	}
	report, err := explainReport(filters, pol, d, name)
	if err != nil {
		return err
	}
	_, err = io.WriteString(stdout, report)
	return err
}

// parseCall reads "SYSCALL [ARG0 ... ARG5]": a name of the arch's table or
// a number, then arguments in decimal, in hex with 0x, or negative (taken
// as the 64-bit two's complement).
func parseCall(arch seccomp.Arch, args []string) (d seccomp.Data, name string, err error) {
	if len(args) == 0 {
		return d, "", badInputf("explain: no system call (seccompc explain -profile P SYSCALL [ARG0 ... ARG5])")
	}
	if len(args) > 7 {
		return d, "", badInputf("explain: %d arguments, a system call has at most 6", len(args)-1)
	}
	d.Arch = arch
	if nr, ok := parseNumber(args[0]); ok {
		if nr > math.MaxUint32 && int64(nr) != -1 {
			return d, "", badInputf("explain: system call number %s does not fit 32 bits", args[0])
		}
		d.Nr = uint32(nr)
		name, _ = arch.SyscallName(int(d.Nr))
	} else {
		nr, ok := arch.SyscallNumber(args[0])
		if !ok {
			return d, "", badInputf("explain: %q is no system call on %s", args[0], arch)
		}
		d.Nr, name = uint32(nr), args[0]
	}
	for i, s := range args[1:] {
		v, ok := parseNumber(s)
		if !ok {
			return d, "", badInputf("explain: argument %d: %q is not a number (decimal, or hex with 0x)", i, s)
		}
		d.Args[i] = v
	}
	return d, name, nil
}

// parseNumber reads a decimal, 0x-hex or negative decimal number.
func parseNumber(s string) (uint64, bool) {
	if h, ok := strings.CutPrefix(strings.ToLower(s), "0x"); ok {
		v, err := strconv.ParseUint(h, 16, 64)
		return v, err == nil
	}
	if strings.HasPrefix(s, "-") {
		v, err := strconv.ParseInt(s, 10, 64)
		return uint64(v), err == nil
	}
	v, err := strconv.ParseUint(s, 10, 64)
	return v, err == nil
}

// explainReport runs the filters on d and writes what they decide and why.
// With a policy, the policy's own verdict (Policy.Decide) says which rule
// decided, and must agree with the program's.
func explainReport(filters []seccomp.Program, pol *seccomp.Policy, d seccomp.Data, name string) (string, error) {
	v, decider, err := seccomp.EvalStack(filters, d)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	call := fmt.Sprintf("nr %d", d.Nr)
	if name != "" {
		call = fmt.Sprintf("%s (%d)", name, d.Nr)
	}
	fmt.Fprintf(&b, "call:       %s on %s, args", call, d.Arch)
	for _, a := range d.Args {
		fmt.Fprintf(&b, " %#x", a)
	}
	fmt.Fprintf(&b, "\nverdict:    %s\n", v.Action())

	if pol != nil {
		dec, err := pol.Decide(d)
		if err != nil {
			return "", err
		}
		// Fail closed: the explanation is of the program, so a policy
		// that says otherwise is a compiler bug, never to be papered over.
		if dec.Action != v.Action() {
			return "", fmt.Errorf("the program returns %s but the policy says %s: a compiler bug", v.Action(), dec)
		}
		fmt.Fprintf(&b, "decided by: %s\n", describeDecision(pol, dec))
	} else {
		fmt.Fprintf(&b, "decided by: filter %d of %d (0 is the first installed; the kernel runs all, newest first, and keeps the highest-precedence action)\n", decider, len(filters))
	}

	cached := len(filters) > 0
	for _, f := range filters {
		cached = cached && f.KernelCaches(d.Nr)
	}
	if cached {
		fmt.Fprintf(&b, "cached:     yes: the kernel (5.11 and later) allows this number on this arch without running the filters\n")
	} else {
		fmt.Fprintf(&b, "cached:     no: the kernel runs the filters for this number\n")
	}

	for i := len(filters) - 1; i >= 0; i-- {
		f := filters[i]
		fv, path, err := f.EvalPath(d, nil)
		if err != nil {
			return "", err
		}
		if len(filters) > 1 {
			fmt.Fprintf(&b, "filter %d: %s\n", i, fv)
		} else {
			fmt.Fprintf(&b, "path:       %d instructions\n", fv.Executed)
		}
		lines := strings.Split(f.Disassemble(), "\n")
		for _, pc := range path {
			fmt.Fprintf(&b, "  %s\n", lines[pc])
		}
	}
	return b.String(), nil
}

// describeDecision says which part of the policy decided.
func describeDecision(pol *seccomp.Policy, dec seccomp.Decision) string {
	switch dec.Reason {
	case "bad arch":
		return "the bad-arch action (a call of another arch's convention, or an x32 call)"
	case "unknown syscall":
		return "ENOSYS for a number above the highest the policy names"
	case "default action":
		return "the default action"
	}
	if dec.Syscall < 0 {
		return dec.Reason
	}
	sc := pol.Syscalls[dec.Syscall]
	r := sc.Rules[dec.Rule]
	label := sc.Name
	if label == "" {
		label = fmt.Sprintf("nr %d", sc.Nr)
	}
	conds := "no conditions"
	if len(r.Conds) > 0 {
		parts := make([]string, len(r.Conds))
		for i, c := range r.Conds {
			parts[i] = c.String()
		}
		conds = strings.Join(parts, " && ")
	}
	return fmt.Sprintf("rule %d of the %s entry (policy entry %d): %s", dec.Rule, label, dec.Syscall, conds)
}
