package main

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"

	"github.com/sandboxkit/seccomp"
)

// run compiles the profile for the host, loads it into this process and
// executes the command in its place. It returns only on failure.
func run(args []string) error {
	fs := newFlags("run")
	var in input
	in.register(fs)
	argv, err := parse(fs, args, true)
	if err != nil {
		return err
	}
	if len(argv) == 0 {
		return badInputf("run: no command (seccompc run -profile P -- COMMAND [ARGS...])")
	}
	native, err := seccomp.NativeArch()
	if err != nil {
		return badInput{err}
	}
	if in.arch != "" {
		arch, err := seccomp.ParseArch(in.arch)
		if err != nil {
			return badInputf("-arch: %w", err)
		}
		if arch != native {
			return badInputf("-arch: run needs the host's arch, %s, not %s", native, arch)
		}
	}
	c, err := in.load(os.Stderr) // the notes, before the command starts
	if err != nil {
		return err
	}
	// Look the command up before the filter can deny what that needs.
	path, err := exec.LookPath(argv[0])
	if err != nil {
		return badInput{err}
	}
	// Install loads the filter into every thread (TSYNC); execve keeps
	// it, and no_new_privs, for the command and its children.
	if err := c.prog.Install(); err != nil {
		return fmt.Errorf("loading the filter: %w", err)
	}
	if err := syscall.Exec(path, argv, os.Environ()); err != nil {
		return fmt.Errorf("executing %s under the filter: %w", path, err)
	}
	return nil
}
