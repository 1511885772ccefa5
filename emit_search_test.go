package seccomp

import (
	"math/rand/v2"
	"testing"
)

// TestPrefixMiddle checks that the bisection of prefix sums picks the
// split that weightedMiddle's scan picks, on weights that make ties, runs
// of one heavy segment, and random ones.
func TestPrefixMiddle(t *testing.T) {
	cases := []struct {
		name string
		w    []int
	}{
		{"two", []int{1, 1}},
		{"heavy first", []int{50, 1, 1, 1}},
		{"heavy last", []int{1, 1, 1, 50}},
		{"tie", []int{2, 1, 1, 2}},
		{"exact half", []int{3, 3, 2, 4}},
		{"chain weights", []int{1, 8, 1, 1, 8, 1, 1, 1, 8}},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		w := make([]int, 2+rng.IntN(60))
		for i := range w {
			w[i] = 1 + rng.IntN(1+rng.IntN(20))
		}
		cases = append(cases, struct {
			name string
			w    []int
		}{"random", w})
	}
	for _, c := range cases {
		segs := make([]segment, len(c.w))
		p := []int{0}
		for i, x := range c.w {
			segs[i].start = uint32(i)
			p = append(p, p[i]+x)
		}
		want := weightedMiddle(segs, c.w)
		// And from inside a longer list, as a node of a search sees it.
		q := append([]int{0, 5, 9}, p[1:]...)
		for i := 3; i < len(q); i++ {
			q[i] += 9
		}
		if got, gotInner := prefixMiddle(p), prefixMiddle(q[2:]); got != want || gotInner != want {
			t.Fatalf("%s %v: prefixMiddle %d (inside a longer list %d), weightedMiddle %d", c.name, c.w, got, gotInner, want)
		}
	}
}
