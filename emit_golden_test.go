//go:build linux

package seccomp_test

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/sandboxkit/seccomp"
	"github.com/sandboxkit/seccomp/profile"
)

// emitGoldenFile holds, per policy and layout of emitGoldenCorpus, a hash
// of the program main's compiler made at commit 733f65f, before the
// emission was optimised: the reference that proves an optimisation
// changes no compiled program. It is written by
//
//	go test -run TestEmitGolden -emitgolden.write .
//
// which is only ever to be run on a compiler whose output is known good
// (it was run once, on 733f65f); a deliberate change of the programs is a
// new reference, said so in its commit.
const emitGoldenFile = "testdata/emit_golden.txt"

var writeEmitGolden = flag.Bool("emitgolden.write", false, "write "+emitGoldenFile+" from this compiler's programs")

// TestEmitGolden compiles a broad corpus, both layouts, and compares a
// hash of every program (or its error) with emitGoldenFile.
func TestEmitGolden(t *testing.T) {
	corpus := emitGoldenCorpus(t)
	got := make(map[string]string, 2*len(corpus))
	var names []string
	for _, np := range corpus {
		for _, layout := range []seccomp.Layout{seccomp.LayoutTree, seccomp.LayoutBitmap} {
			name := np.Name + "/" + layout.String()
			if _, dup := got[name]; dup {
				t.Fatalf("corpus names %q twice", name)
			}
			prog, err := np.Policy.CompileLayout(layout)
			got[name] = programHash(prog, err)
			names = append(names, name)
		}
	}
	if *writeEmitGolden {
		var sb strings.Builder
		sb.WriteString("# sha256 of each program of TestEmitGolden's corpus (emit_golden_test.go), made by main at 733f65f.\n")
		for _, n := range names {
			fmt.Fprintf(&sb, "%s %s\n", got[n], n)
		}
		if err := os.WriteFile(emitGoldenFile, []byte(sb.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %d hashes to %s", len(names), emitGoldenFile)
		return
	}
	want := readEmitGolden(t)
	if len(want) != len(got) {
		t.Errorf("%s has %d programs, the corpus %d", emitGoldenFile, len(want), len(got))
	}
	bad := 0
	for _, n := range names {
		w, ok := want[n]
		switch {
		case !ok:
			t.Errorf("%s: not in %s", n, emitGoldenFile)
		case w != got[n]:
			bad++
			if bad <= 20 {
				t.Errorf("%s: program hash %s, main's was %s", n, got[n][:16], w[:16])
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d programs differ from main's", bad, len(names))
	}
}

// programHash hashes what a compile returns: the error's text, or the
// arches and every instruction.
func programHash(prog seccomp.Program, err error) string {
	h := sha256.New()
	if err != nil {
		fmt.Fprintf(h, "error: %v", err)
		return hex.EncodeToString(h.Sum(nil))
	}
	fmt.Fprintf(h, "%s %v %d\n", prog.Arch, prog.Compat, len(prog.Instructions))
	var buf [8]byte
	for _, in := range prog.Instructions {
		binary.LittleEndian.PutUint16(buf[0:], in.Op)
		buf[2], buf[3] = in.Jt, in.Jf
		binary.LittleEndian.PutUint32(buf[4:], in.K)
		h.Write(buf[:])
	}
	return hex.EncodeToString(h.Sum(nil))
}

func readEmitGolden(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open(emitGoldenFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		hash, name, ok := strings.Cut(line, " ")
		if !ok || len(hash) != 64 {
			t.Fatalf("%s: bad line %q", emitGoldenFile, line)
		}
		want[name] = hash
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return want
}

// emitGoldenCorpus is the core's corpus (seccomp.GoldenCorpus), the
// imported profiles on x86_64 with and without its compat ABIs and on
// aarch64 with and without arm, and seeded random wide policies over
// the compat sets.
func emitGoldenCorpus(t *testing.T) []seccomp.NamedPolicy {
	corpus := seccomp.GoldenCorpus()
	podman, err := os.ReadFile("profile/testdata/podman-seccomp.json")
	if err != nil {
		t.Fatal(err)
	}
	type source struct {
		name   string
		policy func(profile.Options) (*seccomp.Policy, []string, error)
	}
	sources := []source{
		{"docker", func(o profile.Options) (*seccomp.Policy, []string, error) {
			return profile.FromDocker(profile.DockerDefault(), o)
		}},
		{"docker-caps", func(o profile.Options) (*seccomp.Policy, []string, error) {
			o.Caps = []string{"CAP_SYS_ADMIN", "CAP_SYS_PTRACE", "CAP_BPF"}
			return profile.FromDocker(profile.DockerDefault(), o)
		}},
		{"docker-4.4-noenosys", func(o profile.Options) (*seccomp.Policy, []string, error) {
			o.Kernel, o.NoENOSYS = "4.4", true
			return profile.FromDocker(profile.DockerDefault(), o)
		}},
		{"docker-noenosys", func(o profile.Options) (*seccomp.Policy, []string, error) {
			o.NoENOSYS = true
			return profile.FromDocker(profile.DockerDefault(), o)
		}},
		{"podman", func(o profile.Options) (*seccomp.Policy, []string, error) {
			return profile.Import(podman, o)
		}},
		{"podman-noenosys", func(o profile.Options) (*seccomp.Policy, []string, error) {
			o.NoENOSYS = true
			return profile.Import(podman, o)
		}},
	}
	for _, name := range slices.Sorted(mapKeys(equivalenceProfiles)) {
		js := equivalenceProfiles[name]
		sources = append(sources, source{strings.ReplaceAll(name, " ", "-"), func(o profile.Options) (*seccomp.Policy, []string, error) {
			return profile.Import([]byte(js), o)
		}})
	}
	for _, src := range sources {
		for _, arch := range []seccomp.Arch{seccomp.ArchX86_64, seccomp.ArchAArch64, seccomp.ArchRISCV64} {
			p, _, err := src.policy(profile.Options{Arch: arch})
			if err != nil {
				t.Fatalf("%s for %s: %v", src.name, arch, err)
			}
			name := "profile/" + src.name + "/" + arch.String()
			corpus = append(corpus, seccomp.NamedPolicy{Name: name + "/compat=" + archList(p.Compat), Policy: p})
			if len(p.Compat) > 0 {
				corpus = append(corpus, seccomp.NamedPolicy{Name: name + "/alone", Policy: nativeOnly(p)})
			}
		}
	}
	sets := [][]seccomp.Arch{
		{seccomp.ArchX86_64, seccomp.ArchX86, seccomp.ArchX32},
		{seccomp.ArchX86_64, seccomp.ArchX32},
		{seccomp.ArchX86_64},
		{seccomp.ArchAArch64, seccomp.ArchARM},
	}
	rng := rand.New(rand.NewPCG(0xe317, 0x601d))
	for i := range 400 {
		set := sets[i%len(sets)]
		corpus = append(corpus, seccomp.NamedPolicy{Name: fmt.Sprintf("wide/%d/%s", i, archList(set)), Policy: widePolicy(rng, set)})
	}
	return corpus
}

func mapKeys[K comparable, V any](m map[K]V) func(func(K) bool) {
	return func(yield func(K) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func archList(as []seccomp.Arch) string {
	if len(as) == 0 {
		return "none"
	}
	s := make([]string, len(as))
	for i, a := range as {
		s[i] = a.String()
	}
	return strings.Join(s, "+")
}

// nativeOnly is p for its Arch alone: no compat ABIs, no entries for them.
func nativeOnly(p *seccomp.Policy) *seccomp.Policy {
	q := *p
	q.Compat, q.Syscalls = nil, nil
	for _, sc := range p.Syscalls {
		if sc.Arch == 0 || sc.Arch == p.Arch {
			q.Syscalls = append(q.Syscalls, sc)
		}
	}
	return &q
}

// widePolicy is a random policy over many of the set's calls, as a
// profile's: most by name on every ABI, some by number on one ABI, so that
// ABIs now agree and now not; a quarter with argument rules.
func widePolicy(rng *rand.Rand, set []seccomp.Arch) *seccomp.Policy {
	actions := []seccomp.Action{seccomp.Allow, seccomp.Allow, seccomp.Allow, seccomp.Errno(syscall.EPERM), seccomp.Errno(syscall.ENOSYS), seccomp.KillProcess, seccomp.Log, seccomp.Trap(1)}
	action := func() seccomp.Action { return actions[rng.IntN(len(actions))] }
	p := &seccomp.Policy{Arch: set[0], Compat: set[1:], SkipMissing: true, UnknownENOSYS: rng.IntN(2) == 0,
		Default: seccomp.Errno(syscall.EPERM), BadArch: seccomp.KillProcess}
	if rng.IntN(4) == 0 {
		p.Default = seccomp.Allow // a denylist
	}
	rules := func() []seccomp.Rule {
		if rng.IntN(4) != 0 {
			return []seccomp.Rule{{Action: action()}}
		}
		var rs []seccomp.Rule
		for range 1 + rng.IntN(3) {
			var cs []seccomp.Cond
			for range 1 + rng.IntN(2) {
				c := seccomp.Cond{Arg: rng.IntN(6), Value: uint64(rng.IntN(5))}
				switch rng.IntN(4) {
				case 0:
					c.Op = seccomp.OpEqual
				case 1:
					c.Op = seccomp.OpNotEqual
				case 2:
					c.Op, c.Value = seccomp.OpGreater, c.Value<<rng.IntN(40)
				default:
					c.Op, c.Mask = seccomp.OpMaskedEqual, 0xff
				}
				if rng.IntN(2) == 0 {
					c.Width, c.Value = 32, c.Value&0xffffffff
				}
				cs = append(cs, c)
			}
			rs = append(rs, seccomp.Rule{Action: action(), Conds: cs})
		}
		return rs
	}
	density := 0.3 + 0.6*rng.Float64()
	seen := map[string]bool{}
	for _, a := range set {
		for nr, name := range a.Syscalls() {
			if seen[name] {
				continue
			}
			seen[name] = true
			if rng.Float64() >= density {
				continue
			}
			if rng.IntN(8) != 0 {
				p.Syscalls = append(p.Syscalls, seccomp.Syscall{Name: name, Rules: rules()})
				continue
			}
			// By number on this ABI alone: the others leave it unlisted.
			p.Syscalls = append(p.Syscalls, seccomp.Syscall{Arch: a, Nr: nr, Rules: rules()})
		}
	}
	return p
}
