package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sandboxkit/seccomp"
)

// outcome classes of a system call, as stats counts them.
const (
	allowed = iota
	argChecked
	denied
	numClasses
)

var classNames = [numClasses]string{"allowed", "argument-checked", "denied"}

// statsReport analyzes every system call of each ABI's table in the
// program and describes the result, one section per ABI.
func statsReport(profileName string, c *compiled) (string, error) {
	prog := c.prog
	var b strings.Builder
	fmt.Fprintf(&b, "profile  %s\n", profileName)
	abis := append([]seccomp.Arch{prog.Arch}, prog.Compat...)
	names := make([]string, len(abis))
	for i, a := range abis {
		names[i] = a.String()
	}
	fmt.Fprintf(&b, "arch     %s\n", strings.Join(names, ", "))
	fmt.Fprintf(&b, "layout   %s\n", c.layout)
	fmt.Fprintf(&b, "program  %d instructions (%d bytes)\n", len(prog.Instructions), 8*len(prog.Instructions))
	for _, abi := range abis {
		if err := abiStats(&b, prog, abi); err != nil {
			return "", err
		}
	}
	if len(c.notes) > 0 {
		b.WriteString("\nnotes:\n")
		for _, n := range c.notes {
			fmt.Fprintf(&b, "  %s\n", n)
		}
	}
	return b.String(), nil
}

// abiStats writes the figures of one ABI's section: every call of its
// table, arm's private ones (set_tls, ...) at 0x0f0001 and up included.
func abiStats(b *strings.Builder, prog seccomp.Program, abi seccomp.Arch) error {
	var (
		executed [numClasses][]int
		tableLen int
		cached   int
	)
	for nr := range abi.Syscalls() {
		tableLen++
		an, err := prog.AnalyzeArch(abi, uint32(nr))
		if err != nil {
			return fmt.Errorf("analyzing %s syscall %d: %w", abi, nr, err)
		}
		class := denied
		switch {
		case len(an.Actions) == 0:
			return fmt.Errorf("analyzing %s syscall %d: no outcome", abi, nr)
		case len(an.Actions) > 1:
			class = argChecked
		case an.Actions[0] == seccomp.Allow:
			class = allowed
			if an.Cached {
				cached++
			}
		}
		executed[class] = append(executed[class], an.MaxExecuted)
	}
	fmt.Fprintf(b, "\ninstructions executed per system call of the %s table (%d calls), worst case:\n", abi, tableLen)
	fmt.Fprintf(b, "  %-18s %5s %7s %5s\n", "outcome", "calls", "median", "max")
	for class, ex := range executed {
		med, mx := "-", "-"
		if len(ex) > 0 {
			slices.Sort(ex)
			med, mx = fmt.Sprint(ex[(len(ex)-1)/2]), fmt.Sprint(ex[len(ex)-1])
		}
		fmt.Fprintf(b, "  %-18s %5d %7s %5s\n", classNames[class], len(ex), med, mx)
	}
	fmt.Fprintf(b, "\nkernel cache (%s): %d of %d unconditional allows cached\n", abi, cached, len(executed[allowed]))
	return nil
}
