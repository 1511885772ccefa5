//go:build !linux

package main

import (
	"errors"
	"fmt"
	"runtime"

	mobyseccomp "github.com/moby/profiles/seccomp"
)

// dockerDefault fails: github.com/moby/profiles/seccomp defines Docker's
// default profile on Linux alone. Pass it as a file instead.
func dockerDefault() (*mobyseccomp.Seccomp, error) {
	return nil, fmt.Errorf("-profile docker: Docker's built-in profile is in a seccompc built for Linux only, not %s (pass the profile as a file): %w", runtime.GOOS, errors.ErrUnsupported)
}
