package seccomp

import (
	"fmt"
	"slices"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/bpf"
)

// The bitmap layout's shape, as docs/DESIGN.md (section 3) draws it:
// overrides first, then the words of the bitmap, then the linear section.
func TestBitmapLayoutShape(t *testing.T) {
	p := &Policy{Arch: ArchAArch64, Default: Errno(syscall.EPERM)}
	allowed := []int{0, 1, 31, 32, 63, 100, 447, 479}
	for _, nr := range allowed {
		p.AddNr(nr, Rule{Action: Allow})
	}
	p.AddNr(480, Rule{Action: Allow})
	p.AddNr(435, Rule{Action: Errno(syscall.ENOSYS)})
	p.AddNr(200, Rule{Action: Allow, Conds: []Cond{{Arg: 0, Op: OpEqual, Value: 1}}})
	prog, err := p.CompileLayout(LayoutBitmap)
	require.NoError(t, err)
	insns := prog.Instructions

	// The words, computed here independently of the layout.
	want := map[uint32]uint32{}
	for _, nr := range allowed {
		want[uint32(nr/32)] |= 1 << (nr % 32)
	}
	got := map[uint32]uint32{}
	override, firstWord := -1, -1
	for i, ri := range insns {
		if ri.Op == opJeqK && ri.K == 435 && override < 0 {
			override = i
		}
		if ri.Op == opLdImm {
			if firstWord < 0 {
				firstWord = i
			}
			// The jeq that selects a word, unless the search already
			// pinned the index, precedes the load; either way the word's
			// bits say which it is.
			for w, bits := range want {
				if bits == ri.K {
					got[w] = ri.K
				}
			}
		}
	}
	assert.Equal(t, want, got, "bitmap words")
	require.Positive(t, override)
	assert.Less(t, override, firstWord, "overrides come before the bitmap")
	// Every word is tested by shifting by X = nr & 31 and testing bit 0.
	assert.Equal(t, len(want), countOp(insns, opRshX))
	assert.Equal(t, len(want), countOp(insns, opJsetK))
	checkEquivalence(t, p, LayoutBitmap)
}

func countOp(insns []bpf.RawInstruction, op uint16) int {
	n := 0
	for _, ri := range insns {
		if ri.Op == op {
			n++
		}
	}
	return n
}

// Every allowed syscall below 480 costs the same short constant path in the
// bitmap layout, however many there are.
func TestBitmapConstantPath(t *testing.T) {
	for _, arch := range Arches() {
		p := dockerLikePolicy(arch)
		prog, err := p.CompileLayout(LayoutBitmap)
		require.NoError(t, err)
		var costs []int
		for _, nr := range unconditionalAllows(p, arch) {
			if nr-uint32(archInfos[arch].table.first)&^31 >= 480 {
				continue
			}
			an, err := prog.Analyze(nr)
			require.NoError(t, err)
			costs = append(costs, an.MaxExecuted)
		}
		slices.Sort(costs)
		// Frame (3, and the x32 jge on x86_64), one jeq per override,
		// and/tax/ld/rsh, a search over at most 15 words (4 jge), then
		// jeq, ld #word, rsh x, jset, ret.
		pl, err := p.plan()
		require.NoError(t, err)
		overrides := 0
		for _, c := range pl.calls {
			if c.rules == nil && c.action != Allow {
				overrides++
			}
		}
		require.Positive(t, overrides)
		assert.LessOrEqual(t, costs[len(costs)-1], 4+overrides+4+4+5, "%s: %v", arch, costs)
	}
}

// allowedCosts returns the median and maximum instructions a program runs
// for the syscalls of its arch it always allows, and how many of those the
// kernel caches.
func allowedCosts(tb testing.TB, prog Program, nrs []uint32) (median, maximum, cached int) {
	var costs []int
	for _, nr := range nrs {
		an, err := prog.Analyze(nr)
		require.NoError(tb, err)
		costs = append(costs, an.MaxExecuted)
		if an.Cached {
			cached++
		}
	}
	slices.Sort(costs)
	return costs[len(costs)/2], costs[len(costs)-1], cached
}

// BenchmarkCompile compiles a Docker-sized allowlist (~300 unconditional
// allows, ~10 syscalls with argument checks, a few overrides) and reports
// the program's size, the instructions an allowed syscall runs (median and
// maximum), and how many allowed syscalls the kernel caches.
func BenchmarkCompile(b *testing.B) {
	for _, layout := range layouts {
		for _, arch := range Arches() {
			p := dockerLikePolicy(arch)
			b.Run(fmt.Sprintf("%s/%s", layout, arch), func(b *testing.B) {
				var prog Program
				b.ReportAllocs()
				for b.Loop() {
					var err error
					if prog, err = p.CompileLayout(layout); err != nil {
						b.Fatal(err)
					}
				}
				allows := unconditionalAllows(p, arch)
				median, maximum, cached := allowedCosts(b, prog, allows)
				b.ReportMetric(float64(len(prog.Instructions)), "insns")
				b.ReportMetric(float64(median), "allowed-median-executed")
				b.ReportMetric(float64(maximum), "allowed-max-executed")
				b.ReportMetric(float64(cached), "allowed-cached")
				b.ReportMetric(float64(len(allows)), "allowed")
			})
		}
	}
}
