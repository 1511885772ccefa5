//go:build linux

package seccomp

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"golang.org/x/sys/unix"
)

// Each option sends its own SECCOMP_FILTER_FLAG_* bit: the kernel accepts
// a missing bit as readily as a present one, so only this can tell.
func TestInstallOptionFlags(t *testing.T) {
	const tsync = unix.SECCOMP_FILTER_FLAG_TSYNC
	cases := []struct {
		name string
		opts InstallOptions
		want uintptr
	}{
		{"zero: TSYNC", InstallOptions{}, tsync},
		{"NoTSync", InstallOptions{NoTSync: true}, 0},
		{"Log", InstallOptions{Log: true}, tsync | unix.SECCOMP_FILTER_FLAG_LOG},
		{"SpecAllow", InstallOptions{SpecAllow: true}, tsync | unix.SECCOMP_FILTER_FLAG_SPEC_ALLOW},
		{"NewListener, with TSYNC_ESRCH", InstallOptions{NewListener: true}, tsync | unix.SECCOMP_FILTER_FLAG_TSYNC_ESRCH | unix.SECCOMP_FILTER_FLAG_NEW_LISTENER},
		{"NewListener without TSYNC", InstallOptions{NewListener: true, NoTSync: true}, unix.SECCOMP_FILTER_FLAG_NEW_LISTENER},
		{"WaitKillableRecv", InstallOptions{NewListener: true, WaitKillableRecv: true, NoTSync: true}, unix.SECCOMP_FILTER_FLAG_NEW_LISTENER | unix.SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV},
		{"KeepPrivileges is no flag", InstallOptions{KeepPrivileges: true}, tsync},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, c.opts.flags(), c.name)
	}
}
