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

// statsReport analyzes every system call of the arch's table in the
// program and describes the result.
func statsReport(profileName string, c *compiled) (string, error) {
	prog := c.prog
	var (
		executed [numClasses][]int
		tableLen int
		cached   int
	)
	for nr := 0; nr < 4096; nr++ {
		if _, ok := prog.Arch.SyscallName(nr); !ok {
			continue
		}
		tableLen++
		an, err := prog.Analyze(uint32(nr))
		if err != nil {
			return "", fmt.Errorf("analyzing syscall %d: %w", nr, err)
		}
		class := denied
		switch {
		case len(an.Actions) == 0:
			return "", fmt.Errorf("analyzing syscall %d: no outcome", nr)
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

	var b strings.Builder
	fmt.Fprintf(&b, "profile  %s\n", profileName)
	fmt.Fprintf(&b, "arch     %s\n", prog.Arch)
	fmt.Fprintf(&b, "layout   %s\n", c.layout)
	fmt.Fprintf(&b, "program  %d instructions (%d bytes)\n", len(prog.Instructions), 8*len(prog.Instructions))
	fmt.Fprintf(&b, "\ninstructions executed per system call of the %s table (%d calls), worst case:\n", prog.Arch, tableLen)
	fmt.Fprintf(&b, "  %-18s %5s %7s %5s\n", "outcome", "calls", "median", "max")
	for class, ex := range executed {
		med, mx := "-", "-"
		if len(ex) > 0 {
			slices.Sort(ex)
			med, mx = fmt.Sprint(ex[(len(ex)-1)/2]), fmt.Sprint(ex[len(ex)-1])
		}
		fmt.Fprintf(&b, "  %-18s %5d %7s %5s\n", classNames[class], len(ex), med, mx)
	}
	fmt.Fprintf(&b, "\nkernel cache: %d of %d unconditional allows cached\n", cached, len(executed[allowed]))
	if len(c.notes) > 0 {
		b.WriteString("\nnotes:\n")
		for _, n := range c.notes {
			fmt.Fprintf(&b, "  %s\n", n)
		}
	}
	return b.String(), nil
}
