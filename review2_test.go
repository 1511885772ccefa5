package seccomp

import (
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A policy whose size is all in its dispatch (thousands of numbers, each
// an outcome of its own, no chain) is refused on its floors, before
// anything is emitted, as one whose size is in its chains is: the
// ceiling that lets checkFloor skip the floors must count the section's
// dispatch too (sectionCeiling), not the chains alone.
func TestReview2CeilingCountsDispatch(t *testing.T) {
	p := &Policy{Arch: ArchX86_64, Default: KillProcess}
	for nr := range 9000 {
		a := Allow
		if nr%2 == 1 {
			a = Errno(syscall.EPERM)
		}
		p.AddNr(nr, Rule{Action: a})
	}
	for _, layout := range layouts {
		_, err := p.CompileLayout(layout)
		require.ErrorIs(t, err, ErrTooLarge, "%s", layout)
		assert.Contains(t, err.Error(), "program needs at least", "%s layout: refused on the floors, before emitting", layout)
	}
}
