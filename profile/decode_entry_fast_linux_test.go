package profile

import (
	"encoding/json"
	"math/bits"
	"os"
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

// slowResult is decodeResult with the entry's fast path off: the
// general code alone.
func slowResult(src string) string {
	entryFastPath = false
	defer func() { entryFastPath = true }()
	return decodeResult(src)
}

// compareFastPath reports where decode with syscallFast differs from
// decode without it.
func compareFastPath(t *testing.T, src string) {
	t.Helper()
	if fast, slow := decodeResult(src), slowResult(src); fast != slow {
		t.Errorf("decode(%q) with the entry's fast path:\n%s\nwithout:\n%s", src, fast, slow)
	}
}

// TestEntryFastPathMatchesGeneral checks that every golden input decodes
// the same with the entry's fast path and without it: the golden files
// hash the results, this names the input that differs.
func TestEntryFastPathMatchesGeneral(t *testing.T) {
	n := 0
	for _, fams := range [][]goldenFamily{entryGoldenFamilies(), goldenFamilies()} {
		for _, f := range fams {
			for _, c := range f.cases {
				compareFastPath(t, c)
				if t.Failed() {
					return
				}
				n++
			}
		}
	}
	t.Logf("%d inputs", n)
}

// FuzzEntryFastPath compares decode with the entry's fast path and
// without it on any input.
func FuzzEntryFastPath(f *testing.F) {
	for _, s := range entryShapes {
		f.Add(entryProfile(s, plainEntry))
	}
	f.Add(entryProfile(fillEntry(-1, ""), plainEntry))
	f.Add(entryProfile(fillEntry(entryPlaces, "\n\t\t"), plainEntry))
	for _, indent := range []string{"\t", ""} {
		data, err := json.MarshalIndent(DockerDefault(), "", indent)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(data))
	}
	data, err := os.ReadFile("testdata/podman-seccomp.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(data))
	f.Fuzz(func(t *testing.T, src string) {
		compareFastPath(t, src)
	})
}
