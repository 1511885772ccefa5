package profile_test

import (
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sandboxkit/seccomp"
	"github.com/sandboxkit/seccomp/profile"
)

// Docker's profile allows breakpoint, cacheflush and set_tls on arm (its
// entry for "arm" and "arm64"): arm's private calls at 0x0f0000, which a
// 32-bit arm program needs (set_tls sets its thread pointer). They must be
// allowed on arm alone and in arm's section of an aarch64 program. runc
// resolves set_tls to 0x0f0005 (libseccomp 2.5.4), the highest number the
// profile names on arm, so its ENOSYS stub starts above it: get_tls
// (0x0f0006) gets ENOSYS, usr26 and usr32, below it and not named, EPERM.
func TestDockerDefaultARMPrivate(t *testing.T) {
	eperm, enosys := seccomp.Errno(syscall.EPERM), seccomp.Errno(syscall.ENOSYS)
	arm := seccomp.ArchARM
	cases := []struct {
		name string
		nr   uint32
		want seccomp.Action
	}{
		{"breakpoint", 0x0f0001, seccomp.Allow},
		{"cacheflush", 0x0f0002, seccomp.Allow},
		{"usr26", 0x0f0003, eperm},
		{"usr32", 0x0f0004, eperm},
		{"set_tls", 0x0f0005, seccomp.Allow},
		{"get_tls", 0x0f0006, enosys},
		{"past the private calls", 0x0f0007, enosys},
		{"a number newer than the table", 1000, eperm},
		{"read", 3, seccomp.Allow},
	}
	for _, target := range []seccomp.Arch{seccomp.ArchAArch64, seccomp.ArchARM} {
		p, _, err := profile.FromDocker(profile.DockerDefault(), profile.Options{Arch: target})
		require.NoError(t, err)
		if target == seccomp.ArchAArch64 {
			require.Equal(t, []seccomp.Arch{arm}, p.Compat)
		}
		for _, layout := range []seccomp.Layout{seccomp.LayoutTree, seccomp.LayoutBitmap} {
			t.Run(target.String()+"/"+layout.String(), func(t *testing.T) {
				prog, err := p.CompileLayout(layout)
				require.NoError(t, err)
				for _, c := range cases {
					nr, ok := arm.SyscallNumber(c.name)
					if ok {
						require.Equal(t, c.nr, uint32(nr), c.name)
					}
					an, err := prog.AnalyzeArch(arm, c.nr)
					require.NoError(t, err)
					assert.Equal(t, []seccomp.Action{c.want}, an.Actions, "arm %s (%#x)", c.name, c.nr)
					d := seccomp.Data{Nr: c.nr, Arch: arm}
					v, err := prog.Eval(d)
					require.NoError(t, err)
					assert.Equal(t, c.want.Ret(), v.Ret, "arm %s (%#x)", c.name, c.nr)
					dec, err := p.Decide(d)
					require.NoError(t, err)
					assert.Equal(t, c.want, dec.Action, "policy, arm %s", c.name)
				}
				if target == seccomp.ArchAArch64 {
					// aarch64 has none of them: its own ENOSYS range.
					an, err := prog.AnalyzeArch(seccomp.ArchAArch64, 0x0f0005)
					require.NoError(t, err)
					assert.Equal(t, []seccomp.Action{enosys}, an.Actions, "aarch64 0x0f0005")
				}
			})
		}
	}
}
