//go:build !linux

package main

import (
	"errors"
	"runtime"

	"golang.org/x/net/bpf"
)

// processFilters needs Linux's PTRACE_SECCOMP_GET_FILTER.
func processFilters(pid int) ([][]bpf.RawInstruction, error) {
	return nil, errors.New("reading a process's filters needs Linux, this is " + runtime.GOOS)
}
