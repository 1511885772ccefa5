package seccomp

import (
	"fmt"
	"math/rand/v2"
)

// NamedPolicy is one policy of GoldenCorpus.
type NamedPolicy struct {
	Name   string
	Policy *Policy
}

// GoldenCorpus returns the core's own policies, which the external
// emission golden test (emit_golden_test.go) compiles beside the imported
// profiles: the equivalence tests' policies on every arch, the multi-ABI
// tests' on every set, and seeded random policies of FuzzCompile's and
// FuzzCompileX32's decoders. Every call returns the same policies.
func GoldenCorpus() []NamedPolicy {
	var out []NamedPolicy
	add := func(name string, p *Policy) { out = append(out, NamedPolicy{name, p}) }
	single := []struct {
		name string
		make func(Arch) *Policy
	}{
		{"zero", func(a Arch) *Policy { return &Policy{Arch: a} }},
		{"docker-like", dockerLikePolicy},
		{"docker-like-enosys", func(a Arch) *Policy {
			p := dockerLikePolicy(a)
			p.UnknownENOSYS = true
			return p
		}},
		{"denylist", denylistPolicy},
		{"every-op", opsPolicy},
		{"equality-runs", equalityRunsPolicy},
		{"range-runs", rangeRunsPolicy},
	}
	for _, a := range Arches() {
		for _, s := range single {
			add(s.name+"/"+a.String(), s.make(a))
		}
	}
	for _, set := range abiSets {
		add("multi-docker-like/"+setName(set), multiDockerLike(set))
		add("multi-numbered/"+setName(set), multiNumbered(set))
	}
	// Seeded, so that the corpus is the same on every run; lengths up to
	// 300 bytes give the decoders room for their most entries.
	rng := rand.New(rand.NewPCG(0x5ecc0, 0x901d))
	bytes := func() []byte {
		b := make([]byte, rng.IntN(300))
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return b
	}
	for i := range 600 {
		add(fmt.Sprintf("fuzz/%d", i), decodePolicy(bytes()))
	}
	for i := range 600 {
		add(fmt.Sprintf("fuzz-x32/%d", i), decodeX32Policy(bytes()))
	}
	return out
}
