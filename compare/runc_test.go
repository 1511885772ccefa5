package main

import (
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/sandboxkit/seccomp"
)

// TestRunc checks that, for Docker's default profile on x86_64, our import
// compiles to a program that decides every system call of each ABI the
// filter runc really loads serves (x86_64, i386, x32; read back from the
// kernel) like that filter, and like our policy's Decide, for each
// capability set of runcCapSets, but for the differences checkABI
// explains. Set -short for four sets instead of all.
func TestRunc(t *testing.T) {
	if why := runcAvailable(); why != "" {
		t.Skip(why)
	}
	t.Cleanup(cleanupRuncLoader)
	for _, set := range runcCapSets(testing.Short()) {
		t.Run(set.name, func(t *testing.T) {
			rl, err := loadRunc(set.caps)
			if err != nil {
				t.Fatal(err)
			}
			r, err := compareRunc(set, rl)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("runc %s, libseccomp %s; names libseccomp does not know (runc skips them): %v", rl.Runc, rl.Libseccomp, rl.Unknown)
			t.Log(r.summary())
			for _, l := range r.otherABILines() {
				t.Log("other ABI (not a failure): " + l)
			}
			if !r.ociSame {
				t.Errorf("FromOCI of the object Docker hands runc compiles to another program than FromDocker")
			}
			for _, d := range r.diffs {
				if d.why != "" {
					t.Logf("differs, explained: %s", d)
				} else {
					t.Errorf("differs: %s", d)
				}
			}
			if t.Failed() {
				for _, n := range r.notes {
					if !strings.Contains(n, "unknown on x86_64") {
						t.Log("importer note: " + n)
					}
				}
			}
		})
	}
}

// TestRuncDumpSeesPolicy checks the machinery: the filter read back for
// CAP_SYS_ADMIN allows mount, and the one for no capabilities does not.
func TestRuncDumpSeesPolicy(t *testing.T) {
	if why := runcAvailable(); why != "" {
		t.Skip(why)
	}
	t.Cleanup(cleanupRuncLoader)
	const mount = 165
	for _, c := range []struct {
		caps  []string
		allow bool
	}{{nil, false}, {[]string{"CAP_SYS_ADMIN"}, true}} {
		rl, err := loadRunc(c.caps)
		if err != nil {
			t.Fatal(err)
		}
		if err := rl.prog.Validate(); err != nil {
			t.Fatal(err)
		}
		r, err := verdict(rl.prog, seccomp.Data{Nr: mount, Arch: seccomp.ArchX86_64})
		if err != nil {
			t.Fatal(err)
		}
		if got := r == 0x7FFF0000; got != c.allow {
			t.Errorf("caps %v: mount gets %s", c.caps, retString(r))
		}
	}
}

// TestRuncCatchesArgDifference checks that the comparison sees, on every
// ABI, a program that decides one argument value differently: ours without
// the rule that allows socket(AF_INET6).
func TestRuncCatchesArgDifference(t *testing.T) {
	if why := runcAvailable(); why != "" {
		t.Skip(why)
	}
	t.Cleanup(cleanupRuncLoader)
	set := capSet{"none", nil}
	rl, err := loadRunc(set.caps)
	if err != nil {
		t.Fatal(err)
	}
	dropped := false
	r, err := compareRuncWith(set, rl, func(p *seccomp.Policy) {
		for i, sc := range p.Syscalls {
			if sc.Name != "socket" {
				continue
			}
			p.Syscalls[i].Rules = slices.DeleteFunc(slices.Clone(sc.Rules), func(r seccomp.Rule) bool {
				del := len(r.Conds) == 1 && r.Conds[0].Op == seccomp.OpEqual && r.Conds[0].Value == syscall.AF_INET6
				dropped = dropped || del
				return del
			})
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if !dropped {
		t.Fatal("no socket(AF_INET6) rule to drop")
	}
	// socket on each ABI: x86_64's 41, i386's direct 359, x32's 41|bit 30.
	for _, want := range []struct {
		abi string
		nr  uint32
	}{{"x86_64", syscall.SYS_SOCKET}, {"i386", 359}, {"x32", x32Bit | syscall.SYS_SOCKET}} {
		seen := false
		for _, d := range r.unexplained() {
			if d.abi.name == want.abi && d.nr == want.nr && d.args[0]&0xFFFFFFFF == syscall.AF_INET6 && d.runc == 0x7FFF0000 {
				t.Logf("seen: %s", d)
				seen = true
			}
		}
		if !seen {
			t.Errorf("%s: socket(AF_INET6) difference not seen; differences: %v", want.abi, r.diffs)
		}
	}
}
