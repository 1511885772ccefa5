package profile_test

import (
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sandboxkit/seccomp"
	"github.com/sandboxkit/seccomp/profile"
)

// TestDockerDefault compiles Docker's default profile for every arch and
// layout, and checks what the program does with the system calls its
// filters and argument checks are about.
func TestDockerDefault(t *testing.T) {
	eperm := seccomp.Errno(syscall.EPERM)
	enosys := seccomp.Errno(syscall.ENOSYS)
	allowOrEPERM := []seccomp.Action{eperm, seccomp.Allow}
	type want map[string][]seccomp.Action // syscall name: the actions it can get
	tests := []struct {
		name string
		opts profile.Options
		want want
	}{
		{"no caps", profile.Options{}, want{
			"read": {seccomp.Allow}, "ptrace": {seccomp.Allow}, "mount": {eperm}, "bpf": {eperm},
			"clone": allowOrEPERM, "clone3": {enosys}, "socket": allowOrEPERM, "personality": allowOrEPERM,
			"open_by_handle_at": {eperm}, "reboot": {eperm}, "kexec_load": {eperm},
		}},
		{"CAP_SYS_ADMIN", profile.Options{Caps: []string{"CAP_SYS_ADMIN"}}, want{
			"mount": {seccomp.Allow}, "bpf": {seccomp.Allow}, "clone": {seccomp.Allow}, "clone3": {seccomp.Allow},
			"reboot": {eperm},
		}},
		{"kernel 4.4", profile.Options{Kernel: "4.4"}, want{
			"ptrace": {eperm}, "process_vm_readv": {eperm}, "read": {seccomp.Allow},
		}},
	}
	for _, tt := range tests {
		for _, arch := range seccomp.Arches() {
			opts := tt.opts
			opts.Arch = arch
			p, notes, err := profile.FromDocker(profile.DockerDefault(), opts)
			require.NoError(t, err, "%s, %s", tt.name, arch)
			for _, layout := range []seccomp.Layout{seccomp.LayoutTree, seccomp.LayoutBitmap} {
				t.Run(tt.name+"/"+arch.String()+"/"+layout.String(), func(t *testing.T) {
					prog, err := p.CompileLayout(layout)
					require.NoError(t, err)
					for name, actions := range tt.want {
						nr, ok := arch.SyscallNumber(name)
						require.True(t, ok, name)
						an, err := prog.Analyze(uint32(nr))
						require.NoError(t, err)
						assert.Equal(t, actions, an.Actions, name)
					}
					// Above the highest call the profile names: ENOSYS.
					// Tables start at read's number or below (mips o32 at
					// 4000, n64 at 5000, x32 with bit 30 set), and none
					// reaches 1,000 past it; but on arm the highest is
					// set_tls, 0x0f0005, as runc finds it too.
					read, ok := arch.SyscallNumber("read")
					require.True(t, ok)
					above := uint32(read) + 1000
					if arch == seccomp.ArchARM {
						above = 0x0f0006
					}
					an, err := prog.Analyze(above)
					require.NoError(t, err)
					assert.Equal(t, []seccomp.Action{enosys}, an.Actions, "syscall %d", above)
					require.NotEmpty(t, notes)
				})
			}
		}
	}
}

// TestDockerDefaultArchSpecific checks the entries Docker keeps for one
// arch only, and the notes on each arch.
func TestDockerDefaultArchSpecific(t *testing.T) {
	tests := []struct {
		arch      seccomp.Arch
		allowed   []string
		compat    []seccomp.Arch // compiled with it, from the archMap
		subArches string         // in the architectures note; "" for none
	}{
		{seccomp.ArchX86_64, []string{"arch_prctl", "modify_ldt"}, []seccomp.Arch{seccomp.ArchX86, seccomp.ArchX32}, ""},
		{seccomp.ArchAArch64, nil, []seccomp.Arch{seccomp.ArchARM}, ""},
		{seccomp.ArchRISCV64, []string{"riscv_flush_icache", "riscv_hwprobe"}, nil, ""},
		{seccomp.ArchS390X, nil, nil, "SCMP_ARCH_S390"},
		{seccomp.ArchMIPS64, nil, []seccomp.Arch{seccomp.ArchMIPS}, "SCMP_ARCH_MIPS64N32"},
	}
	for _, tt := range tests {
		t.Run(tt.arch.String(), func(t *testing.T) {
			p, notes, err := profile.FromDocker(profile.DockerDefault(), profile.Options{Arch: tt.arch})
			require.NoError(t, err)
			assert.Equal(t, tt.compat, p.Compat)
			for _, name := range tt.allowed {
				assert.True(t, slices.ContainsFunc(p.Syscalls, func(s seccomp.Syscall) bool {
					return s.Name == name && len(s.Rules) == 1 && s.Rules[0].Action == seccomp.Allow && s.Rules[0].Conds == nil
				}), "%s allowed", name)
			}
			var archNote bool
			for _, n := range notes {
				if strings.HasPrefix(n, "architectures: ") {
					archNote = true
					assert.Contains(t, n, tt.subArches+" not compiled")
				}
			}
			assert.Equal(t, tt.subArches != "", archNote, "notes: %q", notes)
			// Every name of the first entry, Docker's main allowlist, is
			// in the policy or in a note.
			first := profile.DockerDefault().Syscalls[0]
			require.Nil(t, first.Includes)
			for _, name := range first.Names {
				if _, ok := tt.arch.SyscallNumber(name); ok {
					continue
				}
				assert.True(t, slices.ContainsFunc(notes, func(n string) bool {
					return strings.HasPrefix(n, "syscalls[0] ") && strings.Contains(n, `"`+name+`"`)
				}), "%q: no note", name)
			}
		})
	}
}

// TestDockerDefaultStrict imports Docker's default profile as JSON under
// Strict for every arch: no error, and no note but what runc skips too.
func TestDockerDefaultStrict(t *testing.T) {
	data := dockerJSON(t)
	for _, arch := range profile.Targets() {
		t.Run(arch.String(), func(t *testing.T) {
			_, notes, err := profile.Import(data, profile.Options{Arch: arch, Strict: true})
			require.NoError(t, err)
			for _, n := range notes {
				assert.True(t, isSkip(n), "note %q", n)
			}
		})
	}
}

// TestImportAsEncodingJSON checks that Import means what encoding/json
// into Docker's types and FromDocker (the importer's way until it had its
// own decoder, and runc's reading) make of every profile the tests know.
func TestImportAsEncodingJSON(t *testing.T) {
	for i, data := range fuzzSeeds(t) {
		if profile.UsesErrnoNames(data) {
			continue
		}
		for _, arch := range profile.Targets() {
			for _, opts := range []profile.Options{{Arch: arch}, {Arch: arch, Caps: []string{"CAP_SYS_ADMIN", "CAP_BPF"}, Kernel: "4.4"}} {
				ref, err := oracle(data)
				require.NoError(t, err, "seed %d", i)
				want, wantNotes, wantErr := profile.FromDocker(ref, opts)
				got, notes, err := profile.Import(data, opts)
				if wantErr != nil {
					assert.Error(t, err, "seed %d", i)
					continue
				}
				require.NoError(t, err, "seed %d", i)
				assert.Equal(t, want, got, "seed %d, %+v", i, opts)
				// Import's notes are FromDocker's, and those on fields.
				for _, n := range wantNotes {
					assert.Contains(t, notes, n, "seed %d", i)
				}
				// Parse reads it as encoding/json does, too.
				parsed, err := profile.Parse(data)
				require.NoError(t, err, "seed %d", i)
				fromParse, _, err := profile.FromDocker(parsed, opts)
				require.NoError(t, err, "seed %d", i)
				assert.Equal(t, want, fromParse, "seed %d, Parse", i)
			}
		}
	}
}
