package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"syscall"

	"github.com/sandboxkit/seccomp"
)

// run compiles the profile for the host and runs the command under it with
// sandboxed exec: the filter is installed on the thread that execs the
// command, right before its execve, so that none of seccompc's own Go
// runtime runs under it (a profile learned from the command need not allow
// what seccompc does). The command's exit status becomes seccompc's.
func run(args []string, stdout, stderr io.Writer) error {
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
	for _, note := range c.notes {
		fmt.Fprintf(stderr, "seccompc: note: %s\n", note)
	}
	cmd, err := command(c.prog, argv, stdout, stderr)
	if err != nil {
		return err
	}
	return runCommand(cmd)
}

// command returns the Cmd that runs argv under prog with seccompc's stdio.
func command(prog seccomp.Program, argv []string, stdout, stderr io.Writer) (*seccomp.Cmd, error) {
	path, err := exec.LookPath(argv[0])
	if err != nil {
		return nil, badInput{err}
	}
	cmd := seccomp.Command(prog, path)
	cmd.Args = argv
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, stdout, stderr
	return cmd, nil
}

// commandExit is a command's exit status, which seccompc passes on: its
// exit code, or 128 plus the signal that killed it, as shells report it.
type commandExit int

func (e commandExit) Error() string { return fmt.Sprintf("the command exited with status %d", int(e)) }

// runCommand runs cmd, passing on the signals that would end seccompc,
// and returns its exit status as a commandExit (nil for 0).
func runCommand(cmd *seccomp.Cmd) error {
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting %s under the filter: %w", cmd.Path, err)
	}
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT)
	defer signal.Stop(sigs)
	done := make(chan struct{})
	defer close(done)
	go func() {
		for {
			select {
			case s := <-sigs:
				cmd.Process.Signal(s)
			case <-done:
				return
			}
		}
	}()
	return exitOf(cmd.Wait())
}

// exitOf turns Wait's error into a commandExit.
func exitOf(err error) error {
	ee, ok := errors.AsType[*exec.ExitError](err)
	if !ok {
		return err
	}
	if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return commandExit(128 + int(ws.Signal()))
	}
	return commandExit(ee.ExitCode())
}
