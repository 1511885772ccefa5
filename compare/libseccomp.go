package main

import (
	"fmt"
	"io"
	"os"

	"github.com/sandboxkit/seccomp"
	libseccomp "github.com/seccomp/libseccomp-golang"
	"golang.org/x/sys/unix"
)

func libseccompVersion() string {
	ma, mi, mc := libseccomp.GetLibraryVersion()
	return fmt.Sprintf("%d.%d.%d", ma, mi, mc)
}

// libseccompHasOptimize reports whether the library has the binary-tree
// optimization (SCMP_FLTATR_CTL_OPTIMIZE, libseccomp 2.5).
func libseccompHasOptimize() bool {
	f, err := libseccomp.NewFilter(libseccomp.ActAllow)
	if err != nil {
		return false
	}
	defer f.Release()
	return f.SetOptimize(2) == nil
}

// libseccompCompiler compiles with libseccomp: optimize 0 leaves the
// library's default (level 1, a priority-sorted chain), 2 asks for its
// binary tree. The program is exported with seccomp_export_bpf into a
// memfd and read back.
func libseccompCompiler(optimize int) compiler {
	name := "libseccomp"
	if optimize == 2 {
		name = "libseccomp optimize=2"
	}
	return exportingCompiler(name, optimize, libseccompCompile)
}

// exportingCompiler is a compiler named name that builds with build at
// the optimize level and exports into one memfd, made on first use, and
// reads the program back for the policy's ABIs.
func exportingCompiler(name string, optimize int, build func(*seccomp.Policy, int, *os.File) ([]byte, error)) compiler {
	var buf *os.File
	return compiler{
		name:  name,
		cNote: true,
		compile: func(p *seccomp.Policy) (seccomp.Program, error) {
			if buf == nil {
				fd, err := unix.MemfdCreate("bpf", unix.MFD_CLOEXEC)
				if err != nil {
					return seccomp.Program{}, err
				}
				buf = os.NewFile(uintptr(fd), "memfd:bpf")
			}
			raw, err := build(p, optimize, buf)
			if err != nil {
				return seccomp.Program{}, err
			}
			prog, err := seccomp.UnmarshalProgram(p.Arch, raw)
			prog.Compat = p.Compat
			return prog, err
		},
	}
}

func libseccompCompile(p *seccomp.Policy, optimize int, buf *os.File) ([]byte, error) {
	def, badArch, err := scmpPolicyActions(p)
	if err != nil {
		return nil, err
	}
	f, err := libseccomp.NewFilter(def)
	if err != nil {
		return nil, err
	}
	defer f.Release()
	if err := f.SetBadArchAction(badArch); err != nil {
		return nil, err
	}
	if optimize != 0 {
		if err := f.SetOptimize(optimize); err != nil {
			return nil, err
		}
	}
	rules, nrs, err := syscallRules(p)
	if err != nil {
		return nil, err
	}
	for _, nr := range nrs {
		for _, r := range rules[nr] {
			if r.Action == p.Default {
				// libseccomp refuses a rule with the default action.
				continue
			}
			if err := addScmpRule(f, libseccomp.ScmpSyscall(nr), r); err != nil {
				return nil, fmt.Errorf("syscall %d: %w", nr, err)
			}
		}
	}
	return exportBPF(f, buf)
}

// scmpPolicyActions checks that libseccomp can build p here (x86_64, the
// native arch, without the ENOSYS stub only we compile) and returns its
// default and bad-arch actions.
func scmpPolicyActions(p *seccomp.Policy) (def, badArch libseccomp.ScmpAction, err error) {
	native, err := libseccomp.GetNativeArch()
	if err != nil {
		return 0, 0, err
	}
	if p.Arch != seccomp.ArchX86_64 || native != libseccomp.ArchAMD64 {
		return 0, 0, fmt.Errorf("libseccomp compiles for the native arch %s here, not %s", native, p.Arch)
	}
	return scmpActions(p)
}

// scmpActions checks that libseccomp can express p's meaning (no ENOSYS
// stub, actions it has) and returns its default and bad-arch actions.
func scmpActions(p *seccomp.Policy) (def, badArch libseccomp.ScmpAction, err error) {
	if p.UnknownENOSYS {
		return 0, 0, fmt.Errorf("libseccomp has no ENOSYS stub for unknown syscalls")
	}
	if def, err = scmpAction(p.Default); err != nil {
		return 0, 0, err
	}
	if badArch, err = scmpAction(p.BadArch); err != nil {
		return 0, 0, err
	}
	return def, badArch, nil
}

// addScmpRule adds rule r on syscall nr, with its conditions if it has any.
func addScmpRule(f *libseccomp.ScmpFilter, nr libseccomp.ScmpSyscall, r seccomp.Rule) error {
	act, err := scmpAction(r.Action)
	if err != nil {
		return err
	}
	if len(r.Conds) == 0 {
		return f.AddRule(nr, act)
	}
	conds, err := scmpConds(r.Conds)
	if err != nil {
		return err
	}
	return f.AddRuleConditional(nr, act, conds)
}

// exportBPF writes f's program into buf (a memfd, emptied first) with
// seccomp_export_bpf and reads it back.
func exportBPF(f *libseccomp.ScmpFilter, buf *os.File) ([]byte, error) {
	if err := buf.Truncate(0); err != nil {
		return nil, err
	}
	if _, err := buf.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	if err := f.ExportBPF(buf); err != nil {
		return nil, err
	}
	if _, err := buf.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	return io.ReadAll(buf)
}

func scmpAction(a seccomp.Action) (libseccomp.ScmpAction, error) {
	ret := a.Ret()
	data := int16(ret & 0xFFFF)
	switch ret & 0xFFFF0000 {
	case 0x80000000:
		return libseccomp.ActKillProcess, nil
	case 0x00000000:
		return libseccomp.ActKillThread, nil
	case 0x00030000:
		return libseccomp.ActTrap, nil // libseccomp's trap carries no data
	case 0x00050000:
		return libseccomp.ActErrno.SetReturnCode(data), nil
	case 0x7FC00000:
		return libseccomp.ActNotify, nil
	case 0x7FF00000:
		return libseccomp.ActTrace.SetReturnCode(data), nil
	case 0x7FFC0000:
		return libseccomp.ActLog, nil
	case 0x7FFF0000:
		return libseccomp.ActAllow, nil
	}
	return 0, fmt.Errorf("action %v has no libseccomp equivalent", a)
}

// scmpConds translates conditions. libseccomp's comparisons are all 64-bit
// (its SCMP_CMP32 only truncates the datum): a 32-bit == or masked == is
// exactly a masked == whose mask leaves out the high half; the other
// 32-bit comparisons cannot be expressed.
func scmpConds(cs []seccomp.Cond) ([]libseccomp.ScmpCondition, error) {
	out := make([]libseccomp.ScmpCondition, 0, len(cs))
	for _, c := range cs {
		sc := libseccomp.ScmpCondition{Argument: uint(c.Arg), Operand1: c.Value}
		if c.Width == 32 {
			switch c.Op {
			case seccomp.OpEqual:
				sc.Op, sc.Operand1, sc.Operand2 = libseccomp.CompareMaskedEqual, 0xFFFFFFFF, c.Value
			case seccomp.OpMaskedEqual:
				sc.Op, sc.Operand1, sc.Operand2 = libseccomp.CompareMaskedEqual, c.Mask&0xFFFFFFFF, c.Value
			default:
				return nil, fmt.Errorf("libseccomp %s has no 32-bit %v", libseccompVersion(), c.Op)
			}
			out = append(out, sc)
			continue
		}
		switch c.Op {
		case seccomp.OpEqual:
			sc.Op = libseccomp.CompareEqual
		case seccomp.OpNotEqual:
			sc.Op = libseccomp.CompareNotEqual
		case seccomp.OpLess:
			sc.Op = libseccomp.CompareLess
		case seccomp.OpLessEqual:
			sc.Op = libseccomp.CompareLessOrEqual
		case seccomp.OpGreater:
			sc.Op = libseccomp.CompareGreater
		case seccomp.OpGreaterEqual:
			sc.Op = libseccomp.CompareGreaterEqual
		case seccomp.OpMaskedEqual:
			sc.Op, sc.Operand1, sc.Operand2 = libseccomp.CompareMaskedEqual, c.Mask, c.Value
		default:
			return nil, fmt.Errorf("op %v", c.Op)
		}
		out = append(out, sc)
	}
	return out, nil
}
