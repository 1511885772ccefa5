//go:build !linux

package seccomp

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestInstallRefuses checks that InstallWith refuses everything off Linux,
// where it can load nothing, so the test process is safe.
func TestInstallRefuses(t *testing.T) {
	for _, tt := range installRefusals(ArchX86_64) {
		t.Run(tt.name, func(t *testing.T) {
			fd, err := tt.prog.InstallWith(tt.opts)
			assert.Equal(t, -1, fd)
			assert.ErrorIs(t, err, errors.ErrUnsupported)
		})
	}
}
