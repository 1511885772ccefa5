package seccomp

import "testing"

// CheckEquivalence exposes checkEquivalence to the external test package,
// whose tests may import packages (such as profile) that import this one.
func CheckEquivalence(t testing.TB, p *Policy, layout Layout) {
	t.Helper()
	checkEquivalence(t, p, layout)
}
