package seccomp

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// arm's private calls, as the kernel's arch/arm/include/uapi/asm/unistd.h
// defines them (__ARM_NR_BASE = 0x0f0000 on EABI) and libseccomp 2.5.4
// resolves them on SCMP_ARCH_ARM.
var armPrivateCalls = []struct {
	name string
	nr   int
}{
	{"breakpoint", 0x0f0001},
	{"cacheflush", 0x0f0002},
	{"usr26", 0x0f0003},
	{"usr32", 0x0f0004},
	{"set_tls", 0x0f0005},
	{"get_tls", 0x0f0006},
}

func TestARMPrivateCalls(t *testing.T) {
	for _, c := range armPrivateCalls {
		t.Run(c.name, func(t *testing.T) {
			nr, ok := ArchARM.SyscallNumber(c.name)
			require.True(t, ok, "arm lacks %s", c.name)
			assert.Equal(t, c.nr, nr)
			name, ok := ArchARM.SyscallName(c.nr)
			assert.True(t, ok)
			assert.Equal(t, c.name, name)
			for _, a := range Arches() {
				if a == ArchARM {
					continue
				}
				// mips has a cacheflush of its own, in its table.
				if nr, ok := a.SyscallNumber(c.name); ok {
					assert.Less(t, nr, 0x0f0000, "%s has arm's private %s", a, c.name)
				}
				_, ok := a.SyscallName(c.nr)
				assert.False(t, ok, "%s names %#x", a, c.nr)
			}
		})
	}
	// Around them, nothing.
	for _, nr := range []int{0x0f0000, 0x0f0007, 0x0effff, 0x100000, 0x0f0000 - 0x10000} {
		_, ok := ArchARM.SyscallName(nr)
		assert.False(t, ok, "arm names %#x", nr)
	}
}

// Syscalls walks every call once, in increasing order, and agrees with
// SyscallName and SyscallNumber; on arm it ends with the private calls.
func TestSyscallsWalk(t *testing.T) {
	for _, a := range Arches() {
		prev, n := -1, 0
		var last []string
		for nr, name := range a.Syscalls() {
			require.Greater(t, nr, prev, "%s: %s out of order", a, name)
			prev = nr
			n++
			got, ok := a.SyscallName(nr)
			require.True(t, ok)
			require.Equal(t, name, got)
			back, ok := a.SyscallNumber(name)
			require.True(t, ok)
			require.Equal(t, nr, back, "%s: %s", a, name)
			last = append(last, name)
		}
		assert.Equal(t, len(archInfos[a].byName), n, "%s: every name walked once", a)
		if a == ArchARM {
			var want []string
			for _, c := range armPrivateCalls {
				want = append(want, c.name)
			}
			assert.Equal(t, want, last[len(last)-len(want):])
		}
		// Stopping early stops.
		k := 0
		for range a.Syscalls() {
			if k++; k == 3 {
				break
			}
		}
		assert.Equal(t, 3, k)
	}
}

// tblABIs reads the kernel's syscall_64.tbl files that internal/mksysnum
// builds x32 from, on their own: each number's abi column and name.
func tblABIs(t *testing.T) map[int][2]string {
	t.Helper()
	out := map[int][2]string{}
	for _, path := range []string{"internal/mksysnum/syscall_64.tbl", "internal/mksysnum/syscall_64_later.tbl"} {
		f, err := os.Open(path)
		require.NoError(t, err)
		s := bufio.NewScanner(f)
		for s.Scan() {
			line, _, _ := strings.Cut(s.Text(), "#")
			fields := strings.Fields(line)
			if len(fields) == 0 {
				continue
			}
			require.GreaterOrEqual(t, len(fields), 3, "%s: %q", path, s.Text())
			nr, err := strconv.Atoi(fields[0])
			require.NoError(t, err)
			_, dup := out[nr]
			require.False(t, dup, "%s: %d twice", path, nr)
			out[nr] = [2]string{fields[1], fields[2]}
		}
		require.NoError(t, s.Err())
		f.Close()
	}
	return out
}

// x32's table and x86_64's come from different sources (the kernel's
// syscall_64.tbl, x/sys's amd64 file): every x86_64 call that the kernel's
// table does not mark 64-bit only is x32's too, at the same number with
// bit 30 set and under the same name, up to x86_64's newest; x32's own
// numbers (512-547) are the tbl's "x32" entries.
func TestX32TableMatchesX8664(t *testing.T) {
	abis := tblABIs(t)
	newest := 0
	for nr, name := range ArchX86_64.Syscalls() {
		newest = max(newest, nr)
		e, ok := abis[nr]
		if !assert.True(t, ok, "x86_64 %d (%s) is in no committed syscall_64.tbl: refresh internal/mksysnum", nr, name) {
			continue
		}
		assert.Equal(t, name, e[1], "x86_64 %d: x/sys and the kernel's table disagree", nr)
		x32name, has := ArchX32.SyscallName(nr | x32SyscallBit)
		switch e[0] {
		case "64":
			assert.False(t, has, "x32 has 64-bit-only %s at %#x", name, nr|x32SyscallBit)
		case "common":
			if assert.True(t, has, "x32 lacks common %s (%d)", name, nr) {
				assert.Equal(t, name, x32name, "x32 %#x", nr|x32SyscallBit)
			}
		default:
			t.Errorf("x86_64 %d (%s) is %q in the tbl", nr, name, e[0])
		}
	}
	x32Newest := 0
	for nr, name := range ArchX32.Syscalls() {
		n := nr &^ x32SyscallBit
		require.Equal(t, x32SyscallBit, nr&^n, "x32 %s: bit 30 only", name)
		e := abis[n]
		assert.Contains(t, []string{"common", "x32"}, e[0], "x32 %s (%#x)", name, nr)
		assert.Equal(t, e[1], name)
		if e[0] == "common" {
			x32Newest = max(x32Newest, n)
			x86name, ok := ArchX86_64.SyscallName(n)
			assert.True(t, ok && x86name == name, "x32 common %s (%#x) is %q on x86_64", name, nr, x86name)
		} else {
			assert.True(t, n >= 512 && n <= 547, "x32-only %s at %d, outside 512-547", name, n)
		}
	}
	assert.Equal(t, newest, x32Newest, "x32's newest common call")
}

// Policies that name arm's private calls, far above the dense table,
// decide as Decide says in both layouts, alone and as aarch64's compat
// ABI; and the verdicts are the ones the rules give.
func TestARMPrivateEquivalence(t *testing.T) {
	eperm, enosys := Errno(syscall.EPERM), Errno(syscall.ENOSYS)
	build := func(compat bool) *Policy {
		p := &Policy{Arch: ArchARM, Default: eperm, BadArch: KillProcess, UnknownENOSYS: true}
		if compat {
			p.Arch, p.Compat = ArchAArch64, []Arch{ArchARM}
			p.SkipMissing = true
		}
		p.Allow("read", "write", "breakpoint", "cacheflush")
		p.Add("set_tls", Rule{Action: Allow, Conds: []Cond{{Arg: 0, Op: OpLess, Value: 1 << 31, Width: 32}}})
		p.Add("usr26", Rule{Action: Trap(7)})
		return p
	}
	for _, compat := range []bool{false, true} {
		p := build(compat)
		for _, layout := range layouts {
			name := "arm"
			if compat {
				name = "aarch64+arm"
			}
			t.Run(name+"/"+layout.String(), func(t *testing.T) {
				prog, rep := checkEquivalence(t, p, layout)
				assert.Greater(t, rep.inputs, 1000)
				arm := Arch(ArchARM.auditArch())
				cases := []struct {
					name string
					d    Data
					want Action
				}{
					{"breakpoint", Data{Nr: 0x0f0001, Arch: arm}, Allow},
					{"cacheflush", Data{Nr: 0x0f0002, Arch: arm}, Allow},
					{"usr26", Data{Nr: 0x0f0003, Arch: arm}, Trap(7)},
					{"usr32 unnamed, below the top", Data{Nr: 0x0f0004, Arch: arm}, eperm},
					{"set_tls low tp", Data{Nr: 0x0f0005, Arch: arm, Args: [6]uint64{0x7f00_0000}}, Allow},
					{"set_tls high tp", Data{Nr: 0x0f0005, Arch: arm, Args: [6]uint64{0x8000_0000}}, eperm},
					{"get_tls above the top", Data{Nr: 0x0f0006, Arch: arm}, enosys},
					{"between table and private", Data{Nr: 0x10000, Arch: arm}, eperm},
					{"read", Data{Nr: 3, Arch: arm}, Allow},
				}
				if compat {
					cases = append(cases, struct {
						name string
						d    Data
						want Action
					}{"0x0f0005 on aarch64", Data{Nr: 0x0f0005, Arch: Arch(ArchAArch64.auditArch())}, enosys})
				}
				for _, c := range cases {
					v, err := prog.Eval(c.d)
					require.NoError(t, err)
					assert.Equal(t, c.want.Ret(), v.Ret, "%s: %s", c.name, v.Action)
				}
			})
		}
	}
}
