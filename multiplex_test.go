package seccomp

import (
	"fmt"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The ABIs with socketcall and ipc, and their numbers (the kernel's
// tables: 102 and 117, 4000 more on mips o32).
var multiplexABIs = []struct {
	arch       Arch
	socketcall uint32
	ipc        uint32
	directSock bool // the ABI has socket(2) of its own too
}{
	{ArchX86, 102, 117, true},
	{ArchS390X, 102, 117, true},
	{ArchPPC64, 102, 117, true},
	{ArchPPC64LE, 102, 117, true},
	{ArchMIPS, 4102, 4117, true},
	{ArchMIPSEL, 4102, 4117, true},
}

// Sub-call numbers, from include/uapi/linux/net.h and ipc.h.
const (
	sysSocket  = 1
	sysConnect = 3
	sysSend    = 9
	ipcShmget  = 23
	ipcSemop   = 1
)

// A rule on a direct call covers its multiplexed form, failing closed on
// conditions, and the sub-call is read as the kernel reads it.
func TestMultiplexedCalls(t *testing.T) {
	eacces, eperm, eafno := Errno(syscall.EACCES), Errno(syscall.EPERM), Errno(syscall.EAFNOSUPPORT)
	for _, abi := range multiplexABIs {
		for _, layout := range layouts {
			t.Run(fmt.Sprintf("%s/%s", abi.arch, layout), func(t *testing.T) {
				// Default allow: the deny rules must hold through the
				// multiplexer whatever the register's high bits.
				deny := &Policy{Arch: abi.arch, Default: Allow, SkipMissing: true}
				deny.Add("socket", Rule{Action: eacces})
				deny.Add("shmget", Rule{Action: eperm})
				deny.Add("connect", Rule{Action: Allow, Conds: []Cond{{Arg: 0, Op: OpEqual, Value: 3}}}, Rule{Action: eacces})
				prog, _ := checkEquivalence(t, deny, layout)
				call := func(nr uint32, arg0 uint64) uint32 {
					v, err := prog.Eval(Data{Arch: abi.arch, Nr: nr, Args: [6]uint64{arg0}})
					require.NoError(t, err)
					return v.Ret
				}
				for _, c := range []struct {
					name string
					nr   uint32
					arg0 uint64
					want Action
				}{
					{"socketcall(SYS_SOCKET)", abi.socketcall, sysSocket, eacces},
					{"socketcall(1<<32 | SYS_SOCKET): an int", abi.socketcall, 1<<32 | sysSocket, eacces},
					{"socketcall(0xffffffff<<32 | SYS_SOCKET)", abi.socketcall, 0xffffffff<<32 | sysSocket, eacces},
					{"socketcall(SYS_CONNECT): conditional, most restrictive", abi.socketcall, sysConnect, eacces},
					{"socketcall(SYS_SEND): not named", abi.socketcall, sysSend, Allow},
					{"ipc(SHMGET)", abi.ipc, ipcShmget, eperm},
					{"ipc(0x10000 | SHMGET): the version bits", abi.ipc, 0x10000 | ipcShmget, eperm},
					{"ipc(0xffff0000 | SHMGET)", abi.ipc, 0xffff0000 | ipcShmget, eperm},
					{"ipc(1<<32 | SHMGET)", abi.ipc, 1<<32 | ipcShmget, eperm},
					{"ipc(SEMOP): not named", abi.ipc, ipcSemop, Allow},
				} {
					assert.Equal(t, c.want.Ret(), call(c.nr, c.arg0), c.name)
				}

				// Default deny: a conditional allow gives the multiplexer
				// nothing; a conditional deny before an allow makes it the
				// deny; an unconditional allow allows; a rule on socketcall
				// itself decides what the direct rules leave.
				allow := &Policy{Arch: abi.arch, Default: eperm, SkipMissing: true}
				allow.Add("connect", Rule{Action: Allow, Conds: []Cond{{Arg: 0, Op: OpEqual, Value: 1}}})
				allow.Add("socket", Rule{Action: eafno, Conds: []Cond{{Arg: 0, Op: OpEqual, Value: 40}}}, Rule{Action: Allow})
				allow.Add("send", Rule{Action: Allow})
				allow.Add("socketcall", Rule{Action: Trap(1)})
				allow.Add("shmget", Rule{Action: Allow})
				prog, _ = checkEquivalence(t, allow, layout)
				for _, c := range []struct {
					name string
					nr   uint32
					arg0 uint64
					want Action
				}{
					{"socketcall(SYS_CONNECT): the default, never allow", abi.socketcall, sysConnect, eperm},
					{"socketcall(SYS_SOCKET): the AF_VSOCK deny", abi.socketcall, sysSocket, eafno},
					{"socketcall(SYS_SEND): allowed", abi.socketcall, sysSend, Allow},
					{"socketcall(1<<32 | SYS_SEND)", abi.socketcall, 1<<32 | sysSend, Allow},
					{"socketcall(SYS_SEND + 1<<31): not SEND", abi.socketcall, 1<<31 | sysSend, Trap(1)},
					{"socketcall(20): the rule on socketcall", abi.socketcall, 20, Trap(1)},
					{"ipc(SHMGET)", abi.ipc, ipcShmget, Allow},
					{"ipc(0x10000 | SHMGET)", abi.ipc, 0x10000 | ipcShmget, Allow},
					{"ipc(SHMGET + 0x100): not SHMGET", abi.ipc, 0x100 | ipcShmget, eperm},
				} {
					assert.Equal(t, c.want.Ret(), call(c.nr, c.arg0), c.name)
				}
				// The direct call keeps its own rules.
				if nr, ok := abi.arch.SyscallNumber("socket"); ok && abi.directSock {
					assert.Equal(t, Allow.Ret(), call(uint32(nr), 2))
					assert.Equal(t, eafno.Ret(), call(uint32(nr), 40))
				}
			})
		}
	}
}

// The reference agrees with the rule by itself, and an ABI without the
// multiplexers is not touched.
func TestMultiplexedOnlyWhereTheKernelHasThem(t *testing.T) {
	p := &Policy{Arch: ArchX86_64, Compat: []Arch{ArchX86}, Default: Allow, SkipMissing: true}
	p.Add("socket", Rule{Action: Errno(syscall.EACCES)})
	prog, _ := checkEquivalence(t, p, LayoutTree)
	v, err := prog.Eval(Data{Arch: ArchX86_64, Nr: 102, Args: [6]uint64{sysSocket}}) // getuid on x86_64
	require.NoError(t, err)
	assert.Equal(t, Allow.Ret(), v.Ret)
	v, err = prog.Eval(Data{Arch: ArchX86, Nr: 102, Args: [6]uint64{sysSocket}})
	require.NoError(t, err)
	assert.Equal(t, Errno(syscall.EACCES).Ret(), v.Ret)
	dec, err := p.Decide(Data{Arch: ArchX86, Nr: 102, Args: [6]uint64{1<<32 | sysSocket}})
	require.NoError(t, err)
	assert.Equal(t, Errno(syscall.EACCES), dec.Action)
	assert.Contains(t, dec.Reason, "through socketcall")
}
