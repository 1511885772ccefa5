package seccomp

import (
	"math/rand/v2"
	"slices"
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

// TestSearchPrefixSameAsCounting checks that a search using prefix sums
// (searchTop, from prefixMin segments on) emits what the same search
// counting at every node (search with no sums) emits, on random segment
// lists rich in chains, single values and triples, with and without
// chainsHeavy and weights.
func TestSearchPrefixSameAsCounting(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	emitWith := func(segs []segment, chainsHeavy bool, w []int, prefix bool) []insn {
		b := newBuilder(64)
		for range 8 {
			b.newLabel() // chain labels 0..7
		}
		segs = append([]segment(nil), segs...) // the search reorders them
		if prefix {
			b.searchTop(segs, chainsHeavy, w)
		} else {
			b.search(segs, chainsHeavy, 1<<32, w, -1)
		}
		return b.insns
	}
	for n := 0; n < 3000; n++ {
		var segs segmentList
		at := uint64(0)
		for range prefixMin + rng.IntN(100) {
			var tg target
			switch rng.IntN(4) {
			case 0:
				tg = to(label(rng.IntN(8)))
			default:
				tg = toRetK(uint32(rng.IntN(3)))
			}
			segs.add(at, tg)
			if rng.IntN(2) == 0 {
				at++ // single values, the stuff of triples and heavy chains
			} else {
				at += 1 + uint64(rng.IntN(50))
			}
		}
		if len(segs) < prefixMin {
			continue
		}
		var w []int
		for range segs {
			w = append(w, 2+rng.IntN(20))
		}
		for _, c := range []struct {
			name        string
			chainsHeavy bool
			w           []int
		}{{"by count", false, nil}, {"chains heavy", true, nil}, {"weighted", false, w}} {
			want, got := emitWith(segs, c.chainsHeavy, c.w, false), emitWith(segs, c.chainsHeavy, c.w, true)
			if !slices.Equal(want, got) {
				t.Fatalf("%s, %d segments %v: with prefix sums the search emits\n%v\ncounting, it emits\n%v", c.name, len(segs), segs, got, want)
			}
		}
	}
}
