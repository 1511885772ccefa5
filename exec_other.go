//go:build !linux

package seccomp

// Start needs Linux: here it returns an error that wraps
// errors.ErrUnsupported.
func (c *Cmd) Start() error { return errNotLinux }
