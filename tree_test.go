package seccomp

import (
	"cmp"
	"fmt"
	"math/bits"
	"math/rand/v2"
	"slices"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/bpf"
)

// unconditionalAllows returns the numbers of testNrs that p allows whatever
// the arguments, by the reference evaluator: on every argument vector built
// from the constants of its conditions, if it has any.
func unconditionalAllows(p *Policy, arch Arch) []uint32 {
	conds := conditionsByNr(p)
	rng := rand.New(rand.NewPCG(5, 6))
	var out []uint32
	for _, nr := range testNrs(arch) {
		vectors := [][6]uint64{{}}
		if len(conds[nr]) > 0 {
			vectors = argVectors(conds[nr], rng)
		}
		allowed := true
		for _, args := range vectors {
			if referenceVerdict(p, Data{Nr: nr, Arch: Arch(arch.auditArch()), Args: args}) != Allow.Ret() {
				allowed = false
				break
			}
		}
		if allowed {
			out = append(out, nr)
		}
	}
	return out
}

// The tree layout must leave every unconditional allow to the kernel's
// cache, on every arch, for allowlists and denylists alike.
func TestTreeCachesEveryUnconditionalAllow(t *testing.T) {
	policies := map[string]func(Arch) *Policy{
		"docker-like": dockerLikePolicy,
		"denylist":    denylistPolicy,
		"every op":    opsPolicy,
		"docker-like with ENOSYS": func(a Arch) *Policy {
			p := dockerLikePolicy(a)
			p.UnknownENOSYS = true
			return p
		},
	}
	for _, arch := range Arches() {
		for name, mk := range policies {
			t.Run(fmt.Sprintf("%s/%s", arch, name), func(t *testing.T) {
				p := mk(arch)
				// The kernel's bitmap covers the arch's table: beyond
				// it nothing is cached (a denylist allows numbers there).
				tbl := archInfos[arch].table
				allows := slices.DeleteFunc(unconditionalAllows(p, arch), func(nr uint32) bool {
					return int(nr) < tbl.first || int(nr) >= tbl.first+len(tbl.names)
				})
				allowed := make(map[uint32]bool, len(allows))
				for _, nr := range allows {
					allowed[nr] = true
				}
				counts := map[Layout]int{}
				for _, layout := range layouts {
					prog, err := p.CompileLayout(layout)
					require.NoError(t, err)
					for _, nr := range allows {
						if prog.KernelCaches(nr) {
							counts[layout]++
						}
					}
					// Nothing that is not always allowed may be cached.
					for _, nr := range testNrs(arch) {
						if prog.KernelCaches(nr) && !allowed[nr] {
							t.Fatalf("%s layout caches %d, which is not always allowed", layout, nr)
						}
					}
				}
				want := len(allows)
				if arch == ArchX32 {
					want = 0 // x32 numbers are beyond the kernel's bitmap
				}
				assert.Equal(t, want, counts[LayoutTree], "tree layout caches %d of %d unconditional allows", counts[LayoutTree], len(allows))
				t.Logf("unconditional allows %d: tree caches %d, bitmap caches %d", len(allows), counts[LayoutTree], counts[LayoutBitmap])
			})
		}
	}
}

// The bitmap layout puts rsh and tax on the path of every allow, so an
// allowlist gets nothing cached: that is the price of its size.
func TestBitmapAllowlistIsNotCached(t *testing.T) {
	for _, arch := range Arches() {
		prog, err := dockerLikePolicy(arch).CompileLayout(LayoutBitmap)
		require.NoError(t, err)
		for _, nr := range testNrs(arch) {
			require.False(t, prog.KernelCaches(nr), "%s nr %d", arch, nr)
		}
	}
}

func TestKernelCachesReplica(t *testing.T) {
	arch := uint32(ArchX86_64)
	asm := func(insns ...bpf.Instruction) Program {
		raw, err := bpf.Assemble(insns)
		require.NoError(t, err)
		return Program{Arch: ArchX86_64, Instructions: raw}
	}
	allow, deny := Allow.Ret(), Errno(syscall.EPERM).Ret()
	cases := []struct {
		name string
		prog Program
		nr   uint32
		want bool
	}{
		{"ret allow", asm(bpf.RetConstant{Val: allow}), 0, true},
		{"ret errno", asm(bpf.RetConstant{Val: deny}), 0, false},
		{"ret log is not allow", asm(bpf.RetConstant{Val: Log.Ret()}), 0, false},
		{"arch and nr jumps", asm(
			bpf.LoadAbsolute{Off: 4, Size: 4},
			bpf.JumpIf{Cond: bpf.JumpEqual, Val: arch, SkipFalse: 3},
			bpf.LoadAbsolute{Off: 0, Size: 4},
			bpf.JumpIf{Cond: bpf.JumpGreaterOrEqual, Val: 10, SkipTrue: 1},
			bpf.RetConstant{Val: allow},
			bpf.RetConstant{Val: deny}), 9, true},
		{"and #k is understood", asm(
			bpf.LoadAbsolute{Off: 0, Size: 4},
			bpf.ALUOpConstant{Op: bpf.ALUOpAnd, Val: 1},
			bpf.JumpIf{Cond: bpf.JumpEqual, Val: 1, SkipTrue: 1},
			bpf.RetConstant{Val: allow},
			bpf.RetConstant{Val: deny}), 8, true},
		{"ja", asm(bpf.Jump{Skip: 1}, bpf.RetConstant{Val: deny}, bpf.RetConstant{Val: allow}), 0, true},
		{"jset", asm(
			bpf.LoadAbsolute{Off: 0, Size: 4},
			bpf.JumpIf{Cond: bpf.JumpBitsSet, Val: 2, SkipFalse: 1},
			bpf.RetConstant{Val: allow},
			bpf.RetConstant{Val: deny}), 2, true},
		{"argument load", asm(bpf.LoadAbsolute{Off: 16, Size: 4}, bpf.RetConstant{Val: allow}), 0, false},
		{"rsh", asm(bpf.LoadAbsolute{Off: 0, Size: 4}, bpf.ALUOpConstant{Op: bpf.ALUOpShiftRight, Val: 1}, bpf.RetConstant{Val: allow}), 0, false},
		{"tax", asm(bpf.TAX{}, bpf.RetConstant{Val: allow}), 0, false},
		{"st", asm(bpf.StoreScratch{Src: bpf.RegA, N: 0}, bpf.RetConstant{Val: allow}), 0, false},
		{"ld #imm", asm(bpf.LoadConstant{Dst: bpf.RegA, Val: 1}, bpf.RetConstant{Val: allow}), 0, false},
		{"ret a", asm(bpf.LoadConstant{Dst: bpf.RegA, Val: allow}, bpf.RetA{}), 0, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, c.prog.KernelCaches(c.nr))
		})
	}
}

// Analyze must bound what the interpreter sees: every verdict it reaches is
// among Actions, and every count of executed instructions within
// [MinExecuted, MaxExecuted].
func TestAnalyzeBoundsTheInterpreter(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, arch := range Arches() {
		for _, layout := range layouts {
			p := dockerLikePolicy(arch)
			prog, err := p.CompileLayout(layout)
			require.NoError(t, err)
			byNr := conditionsByNr(p)
			for _, nr := range tableNrs(arch) {
				an, err := prog.Analyze(nr)
				require.NoError(t, err)
				argsets := [][6]uint64{{}, randomArgs(rng)}
				if conds := byNr[nr]; conds != nil {
					argsets = append(argsets, argVectors(conds, rng)...)
				}
				seen := map[uint32]bool{}
				for _, args := range argsets {
					ret, executed, err := prog.evalRet(Data{Nr: nr, Arch: Arch(arch.auditArch()), Args: args})
					require.NoError(t, err)
					seen[ret] = true
					a, err := ActionFromRet(ret)
					require.NoError(t, err)
					require.Contains(t, an.Actions, a, "%s %s nr %d", arch, layout, nr)
					require.GreaterOrEqual(t, executed, an.MinExecuted)
					require.LessOrEqual(t, executed, an.MaxExecuted)
				}
				if len(byNr[nr]) == 0 {
					require.Len(t, an.Actions, 1, "nr %d has no conditions", nr)
					require.Equal(t, an.MinExecuted, an.MaxExecuted)
				}
				require.True(t, slices.IsSortedFunc(an.Actions, func(a, b Action) int { return cmp.Compare(a.Ret(), b.Ret()) }), "actions sorted by return value")
			}
		}
	}
}

// The tree is balanced: a lookup costs about log2 of the runs of equal
// outcome, one more at most where weighting lifts rule chains.
func TestTreeIsBalanced(t *testing.T) {
	for _, arch := range Arches() {
		p := dockerLikePolicy(arch)
		// Runs of equal outcome, counted from the reference: a syscall
		// with conditions is a run of its own.
		conds := conditionsByNr(p)
		segs, last := 0, uint32(0)
		for _, nr := range testNrs(arch) {
			v := referenceVerdict(p, Data{Nr: nr, Arch: Arch(arch.auditArch())})
			if nr == 0 || len(conds[nr]) > 0 || len(conds[nr-1]) > 0 || v != last {
				segs++
			}
			last = v
		}
		depth := bits.Len(uint(segs - 1)) // ceil(log2(segs))
		frame := 3                        // ld [4], jeq, ld [0]; x86_64's x32 numbers are the tree's
		if arch == ArchX32 {
			frame++ // the jset that wants bit 30
		}
		prog, err := p.CompileLayout(LayoutTree)
		require.NoError(t, err)
		for _, nr := range unconditionalAllows(p, arch) {
			an, err := prog.Analyze(nr)
			require.NoError(t, err)
			assert.LessOrEqual(t, an.MaxExecuted, frame+depth+1+1, "%s nr %d, %d runs", arch, nr, segs)
		}
	}
}

func TestSegmentListMerges(t *testing.T) {
	a, b := toAction(Allow), toAction(KillProcess)
	var s segmentList
	s.add(0, b)
	s.add(27, a)
	s.add(28, b) // empty once 28 is overwritten
	s.add(28, a)
	s.add(29, b)
	s.add(29, b)
	s.add(40, a)
	assert.Equal(t, segmentList{{0, b}, {27, a}, {29, b}, {40, a}}, s)
}

// A chain for one syscall that outweighs the rest of its search is tested
// first, with one jeq, and x32's numbers are the tree's, not the frame's:
// compare/'s denylist runs socket in 8 instructions, as gVisor's program
// does (ld arch, jeq, ld nr, jeq socket, ld arg0, two jeqs, ret), where the
// frame's x32 test and a search of depth 2 made it 10.
func TestTreeLiftsAHeavyChain(t *testing.T) {
	eperm := Errno(syscall.EPERM)
	p := &Policy{Arch: ArchX86_64, Default: Allow, BadArch: KillProcess}
	p.Add("socket",
		Rule{Action: eperm, Conds: []Cond{{Arg: 0, Op: OpEqual, Value: 2, Width: 32}}},
		Rule{Action: eperm, Conds: []Cond{{Arg: 0, Op: OpEqual, Value: 10, Width: 32}}})
	for _, name := range []string{"connect", "bind", "ptrace", "mount", "bpf"} {
		p.Add(name, Rule{Action: eperm})
	}
	prog, err := p.Compile()
	require.NoError(t, err)
	socket, _ := ArchX86_64.SyscallNumber("socket")
	an, err := prog.Analyze(uint32(socket))
	require.NoError(t, err)
	assert.Equal(t, 8, an.MaxExecuted, "socket")
	// The others pay one jeq and save the x32 test: 9 at most, gVisor's
	// maximum on this policy (compare/).
	for nr := range uint32(460) {
		if _, ok := ArchX86_64.SyscallName(int(nr)); !ok || int(nr) == socket {
			continue
		}
		an, err := prog.Analyze(nr)
		require.NoError(t, err)
		assert.LessOrEqual(t, an.MaxExecuted, 9, "nr %d", nr)
	}
	checkEquivalence(t, p, LayoutTree)
}
