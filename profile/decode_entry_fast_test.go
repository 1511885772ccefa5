package profile

import (
	"math/bits"
	"testing"
)

// TestStopBytes checks stopBytes against stopsString for every pair of
// bytes at every pair of places in a word of plain ones: its lowest set
// bit must mark the first stop, whatever a borrow does above it.
func TestStopBytes(t *testing.T) {
	for p := range 8 {
		for q := p; q < 8; q++ {
			for b1 := range 256 {
				for b2 := range 256 {
					w := []byte("abcdefgh")
					w[q] = byte(b2)
					w[p] = byte(b1) // at p == q, b1 alone
					want := 8
					for k := range 8 {
						if stopsString[w[k]] {
							want = k
							break
						}
					}
					if got := bits.TrailingZeros64(stopBytes(load64(string(w)))) >> 3; got != want {
						t.Fatalf("stopBytes(%q): first stop at %d, want %d", w, got, want)
					}
				}
			}
		}
	}
}
