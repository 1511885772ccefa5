//go:build !linux

package seccomp

import (
	"errors"
	"fmt"
	"runtime"
)

// errNotLinux is what every call that needs the kernel returns here.
var errNotLinux = fmt.Errorf("seccomp: filters can be installed only on Linux, not %s: %w", runtime.GOOS, errors.ErrUnsupported)

// InstallWith loads the program into the calling process. It needs Linux:
// here it returns -1 and an error that wraps errors.ErrUnsupported.
func (p Program) InstallWith(opts InstallOptions) (notifyFD int, err error) { return -1, errNotLinux }

// ActionAvailable reports whether the kernel knows action a. It needs
// Linux: here it returns an error that wraps errors.ErrUnsupported.
func ActionAvailable(a Action) (bool, error) { return false, errNotLinux }

// filtersAvailable reports whether this kernel loads seccomp filters.
func filtersAvailable() error { return errNotLinux }
