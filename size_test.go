package seccomp

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ne, eq64 and eq32 make one-condition rules for the size tests.
func ne(arg int, v uint64) Rule {
	return Rule{Action: Allow, Conds: []Cond{{Arg: arg, Op: OpNotEqual, Value: v}}}
}

func eqRule(arg int, v uint64, width int) Rule {
	return Rule{Action: Allow, Conds: []Cond{{Arg: arg, Op: OpEqual, Value: v, Width: width}}}
}

// Policies too large to compile are refused with ErrTooLarge, and the
// message names the limit and what made the policy large. The floors in
// the expected messages are worked out by hand from what argchain.go emits:
// a 64-bit != is a jeq on the high half, a load and a jeq on the low one,
// and each rule returns; a run of 32-bit values 0..9 is one range, one
// test; so are the 64-bit values 0, 1, 2, after a high test and a load; a
// 32-bit <= is one jump and a return. The tree's dispatch on x86_64 counts
// the segments of x32's numbers too: 2 more.
func TestTooLarge(t *testing.T) {
	many := func(n int, mk func(i int) Rule) []Rule {
		rules := make([]Rule, n)
		for i := range rules {
			rules[i] = mk(i)
		}
		return rules
	}
	cases := []struct {
		name   string
		policy func() *Policy
		want   string // %d: the dispatch's floor
		tree   int    // the dispatch's floor, tree layout
		bitmap int    // bitmap layout
		chains int    // the chains' floors together
	}{
		{"over MaxRules in entries", func() *Policy {
			p := &Policy{Arch: ArchX86_64}
			for i := range MaxRules + 1 {
				p.AddNr(i%400, ne(0, uint64(i)))
			}
			return p
		}, fmt.Sprintf("seccomp: policy has over %d rules (MaxRules) in %d entries", MaxRules, MaxRules+1), 0, 0, 0},
		{"over MaxRules in one entry", func() *Policy {
			p := &Policy{Arch: ArchX86_64}
			p.Add("socket", many(MaxRules+1, func(i int) Rule { return ne(0, uint64(i)) })...)
			return p
		}, fmt.Sprintf("seccomp: policy has over %d rules (MaxRules) in 1 entries", MaxRules), 0, 0, 0},
		{"over MaxConds", func() *Policy {
			p := &Policy{Arch: ArchX86_64}
			conds := make([]Cond, MaxConds/2+1)
			for i := range conds {
				conds[i] = Cond{Op: OpNotEqual, Value: uint64(i)}
			}
			p.Add("socket", Rule{Action: Allow, Conds: conds}, Rule{Action: Log, Conds: conds})
			return p
		}, fmt.Sprintf("seccomp: policy has over %d conditions (MaxConds)", MaxConds), 0, 0, 0},
		{"one chain over the instruction limit", func() *Policy {
			p := &Policy{Arch: ArchX86_64, Default: Errno(syscall.EPERM)}
			p.Add("socket", many(1100, func(i int) Rule { return ne(0, uint64(i)) })...)
			return p
		}, `seccomp: program needs at least %d instructions, over the kernel's limit of 4096: syscall "socket" (41) takes at least 4400, the dispatch over 1 system calls at least %d`, 3, 1, 4400},
		{"the largest chains named first", func() *Policy {
			p := &Policy{Arch: ArchX86_64, Default: Errno(syscall.EPERM)}
			p.Add("read", many(10, func(i int) Rule { return eqRule(2, uint64(i), 32) })...)
			p.Add("socket", many(1100, func(i int) Rule { return ne(0, uint64(i)) })...)
			p.Add("close", Rule{Action: Allow, Conds: []Cond{{Op: OpLessEqual, Value: 5, Width: 32}}})
			p.Add("write", many(3, func(i int) Rule { return eqRule(0, uint64(i), 64) })...)
			p.Allow("getpid", "exit")
			return p
		}, `seccomp: program needs at least %d instructions, over the kernel's limit of 4096: syscall "socket" (41) takes at least 4400, syscall "write" (1) at least 3, syscall "close" (3) at least 2, 1 more at least 1 together, the dispatch over 6 system calls at least %d`, 7, 4, 4406},
		{"aarch64's frame is shorter", func() *Policy {
			p := &Policy{Arch: ArchAArch64, Default: Errno(syscall.EPERM)}
			p.Add("socket", many(1100, func(i int) Rule { return ne(0, uint64(i)) })...)
			return p
		}, `seccomp: program needs at least %d instructions, over the kernel's limit of 4096: syscall "socket" (198) takes at least 4400, the dispatch over 1 system calls at least %d`, 1, 1, 4400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.policy()
			for _, layout := range layouts {
				_, err := p.CompileLayout(layout)
				require.Error(t, err)
				assert.True(t, errors.Is(err, ErrTooLarge), "errors.Is(%v, ErrTooLarge)", err)
				want := tc.want
				if strings.Contains(want, "%d") {
					// The frame, the chains, and the dispatch.
					dispatch := map[Layout]int{LayoutTree: tc.tree, LayoutBitmap: tc.bitmap}[layout]
					want = fmt.Sprintf(want, frameFloor(p.Arch, layout)+tc.chains+dispatch, dispatch)
				}
				assert.Equal(t, want, err.Error(), "%s layout", layout)
			}
		})
	}

	// Over the limit, though the floors do not show it (they count no
	// loads, and here each rule loads two words): the exact count, and
	// still the largest chain.
	eachArchLayout(t, func(t *testing.T, arch Arch, layout Layout) {
		p := &Policy{Arch: arch, Default: Errno(syscall.EPERM)}
		p.Add("socket", many(1100, func(i int) Rule {
			return Rule{Action: Allow, Conds: []Cond{{Arg: 0, Op: OpLess, Value: uint64(i + 1), Width: 32}, {Arg: 1, Op: OpEqual, Value: uint64(i), Width: 32}}}
		})...)
		_, err := p.CompileLayout(layout)
		require.ErrorIs(t, err, ErrTooLarge)
		dispatch := 1
		if arch == ArchX86_64 && layout == LayoutTree {
			dispatch = 3 // x32's numbers are the tree's
		}
		assert.Regexp(t, fmt.Sprintf(`^seccomp: program has \d+ instructions, over the kernel's limit of 4096: syscall "socket" \(\d+\) takes at least 3300, the dispatch over 1 system calls at least %d$`, dispatch), err.Error())
	})
}

// The floors are lower bounds: no program is shorter than the plan's
// floors say. Policies of every shape the tests know, and FuzzCompile
// checks the same on random ones.
func TestFloorsBoundPrograms(t *testing.T) {
	policies := map[string]func(Arch) *Policy{
		"docker-like": dockerLikePolicy,
		"denylist":    denylistPolicy,
		"every op":    opsPolicy,
		"equality runs": func(a Arch) *Policy {
			p := &Policy{Arch: a, Default: Errno(syscall.EPERM)}
			vals := []uint64{0, 1, 2, 3, 7, 9, 10, 0xfffffffe, 0xffffffff}
			var r32, r64 []Rule
			for _, v := range vals {
				r32 = append(r32, eqRule(1, v, 32))
				r64 = append(r64, eqRule(2, v|5<<32, 64))
			}
			p.AddNr(nrOn(a, 1), r32...)
			p.AddNr(nrOn(a, 2), r64...)
			p.AddNr(nrOn(a, 3), r32[:2]...)
			p.AddNr(nrOn(a, 4), r32[4:]...)
			return p
		},
	}
	// Unconditional allows of the first numbers of the arch's table, all
	// of them in the bitmap: on an arch whose table starts above 0 (mips,
	// x32) the bitmap starts there too, and they cost no jeq each.
	policies["allows in the bitmap"] = func(a Arch) *Policy {
		p := &Policy{Arch: a, Default: Errno(syscall.EPERM)}
		_, info, err := a.lookup()
		if err != nil {
			panic(err)
		}
		for nr := info.table.first; nr < info.table.first+300; nr++ {
			if name, ok := a.SyscallName(nr); ok {
				p.Allow(name)
			}
		}
		return p
	}
	for _, arch := range Arches() {
		for name, mk := range policies {
			t.Run(fmt.Sprintf("%s/%s", arch, name), func(t *testing.T) {
				p := mk(arch)
				for _, layout := range layouts {
					checkFloors(t, p, layout)
				}
			})
		}
	}
}

// checkFloors checks that the compiled program is no shorter than the
// frame's, the layout's dispatch's and the chains' floors together, and
// each chain no shorter than its own floor.
func checkFloors(t testing.TB, p *Policy, layout Layout) {
	t.Helper()
	pl, err := p.plan()
	require.NoError(t, err)
	pl.computeFloors(newBuilder(16))
	prog, err := p.CompileLayout(layout)
	require.NoError(t, err)
	total := frameFloor(pl.arch, layout) + pl.dispatchFloor(layout)
	for _, c := range pl.calls {
		if !c.hasRules() {
			continue
		}
		floor := pl.floors[c.chain]
		total += floor
		b := newBuilder(16)
		b.bigEndian = pl.arch.bigEndian()
		b.emitRules(pl.chains[c.chain], pl.def)
		if len(b.insns) < floor {
			name, _ := pl.arch.SyscallName(int(c.nr))
			t.Fatalf("%s: chain of %d instructions, floor %d", syscallLabel(name, int(c.nr)), len(b.insns), floor)
		}
	}
	if len(prog.Instructions) < total {
		t.Fatalf("%s layout: program of %d instructions, floors add up to %d", layout, len(prog.Instructions), total)
	}
}

// BenchmarkTooLarge measures how much it costs to refuse a policy too
// large to compile: 200,000 conditional entries (refused by MaxRules), and
// 30,000 (under MaxRules and MaxConds, refused by the instruction floor). It reports
// the milliseconds and the megabytes allocated for one refusal.
//
//	go test -run '^$' -bench BenchmarkTooLarge -benchmem .
func BenchmarkTooLarge(b *testing.B) {
	for _, n := range []int{200_000, 30_000} {
		b.Run(fmt.Sprintf("entries=%d", n), func(b *testing.B) {
			p := &Policy{Arch: ArchX86_64, Default: Errno(syscall.EPERM)}
			var names []string
			for _, name := range sysnumX8664.names {
				if name != "" {
					names = append(names, name)
				}
			}
			for i := range n {
				p.Add(names[i%len(names)], Rule{Action: Allow, Conds: []Cond{{Arg: i % 6, Op: OpEqual, Value: uint64(i)}, {Arg: 1, Op: OpLess, Value: 1 << 40}}})
			}
			b.ReportAllocs()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			before := ms.TotalAlloc
			start := time.Now()
			for b.Loop() {
				if _, err := p.Compile(); !errors.Is(err, ErrTooLarge) {
					b.Fatalf("got %v, want ErrTooLarge", err)
				}
			}
			runtime.ReadMemStats(&ms)
			b.ReportMetric(float64(time.Since(start).Milliseconds())/float64(b.N), "ms/refusal")
			b.ReportMetric(float64(ms.TotalAlloc-before)/float64(b.N)/(1<<20), "MB/refusal")
		})
	}
}
