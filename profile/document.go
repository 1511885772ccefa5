package profile

import (
	"fmt"

	mobyseccomp "github.com/moby/profiles/seccomp"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// document is a profile as the resolver reads it: Docker's format, with
// containers/common's errno names. Import decodes JSON straight into it;
// FromDocker and FromOCI convert their types into it.
type document struct {
	defaultAction    string
	defaultErrnoRet  optUint
	defaultErrno     string // containers/common: a name or a number
	architectures    []string
	flags            []string
	listenerPath     string
	listenerMetadata string
	archMap          []archMapping
	syscalls         []docSyscall
	// ociSyscalls is set when a Docker profile also has the OCI object's
	// own syscalls list (FromDocker alone can get one).
	ociSyscalls bool
	// pending are the notes decoding took, to be labelled once the
	// entries' names are known; their offsets are in src, the input.
	pending []pendingNote
	src     string
}

// optUint is a JSON unsigned integer that may be absent.
type optUint struct {
	v   uint64
	set bool
}

func optFrom(p *uint) optUint {
	if p == nil {
		return optUint{}
	}
	return optUint{uint64(*p), true}
}

type archMapping struct {
	arch      string
	subArches []string
}

// docSyscall is one syscalls[] entry.
type docSyscall struct {
	null     bool // JSON null
	name     string
	names    []string
	action   string
	errnoRet optUint
	errno    string // containers/common: a name or a number; it wins over errnoRet
	args     []docArg
	comment  string
	includes *docFilter // nil when absent or null
	excludes *docFilter
}

type docArg struct {
	index, value, valueTwo uint64
	op                     string
}

// docFilter is Docker's includes or excludes.
type docFilter struct {
	caps      []string
	arches    []string
	minKernel kernelVersion
	hasKernel bool
}

// fromMoby converts Docker's types.
func fromMoby(p *mobyseccomp.Seccomp) *document {
	d := &document{
		defaultAction:    string(p.DefaultAction),
		defaultErrnoRet:  optFrom(p.DefaultErrnoRet),
		architectures:    archStrings(p.Architectures),
		flags:            make([]string, len(p.Flags)),
		listenerPath:     p.ListenerPath,
		listenerMetadata: p.ListenerMetadata,
		archMap:          make([]archMapping, len(p.ArchMap)),
		syscalls:         make([]docSyscall, len(p.Syscalls)),
		ociSyscalls:      len(p.LinuxSeccomp.Syscalls) != 0,
	}
	for i, f := range p.Flags {
		d.flags[i] = string(f)
	}
	for i, m := range p.ArchMap {
		d.archMap[i] = archMapping{string(m.Arch), archStrings(m.SubArches)}
	}
	for i, sc := range p.Syscalls {
		if sc == nil {
			d.syscalls[i].null = true
			continue
		}
		d.syscalls[i] = fromLinuxSyscall(sc.LinuxSyscall)
		d.syscalls[i].name = sc.Name
		d.syscalls[i].comment = sc.Comment
		d.syscalls[i].includes = fromFilter(sc.Includes)
		d.syscalls[i].excludes = fromFilter(sc.Excludes)
	}
	return d
}

// fromOCI converts the runtime spec's type, which has no Docker extensions.
func fromOCI(s *specs.LinuxSeccomp) *document {
	d := fromMoby(&mobyseccomp.Seccomp{LinuxSeccomp: specs.LinuxSeccomp{
		DefaultAction:    s.DefaultAction,
		DefaultErrnoRet:  s.DefaultErrnoRet,
		Architectures:    s.Architectures,
		Flags:            s.Flags,
		ListenerPath:     s.ListenerPath,
		ListenerMetadata: s.ListenerMetadata,
	}})
	d.syscalls = make([]docSyscall, len(s.Syscalls))
	for i, sc := range s.Syscalls {
		d.syscalls[i] = fromLinuxSyscall(sc)
	}
	return d
}

func fromLinuxSyscall(sc specs.LinuxSyscall) docSyscall {
	e := docSyscall{names: sc.Names, action: string(sc.Action), errnoRet: optFrom(sc.ErrnoRet)}
	e.args = make([]docArg, len(sc.Args))
	for j, a := range sc.Args {
		e.args[j] = docArg{index: uint64(a.Index), value: a.Value, valueTwo: a.ValueTwo, op: string(a.Op)}
	}
	return e
}

func fromFilter(f *mobyseccomp.Filter) *docFilter {
	if f == nil {
		return nil
	}
	out := &docFilter{caps: f.Caps, arches: f.Arches}
	if f.MinKernel != nil {
		out.minKernel = kernelVersion{f.MinKernel.Kernel, f.MinKernel.Major}
		out.hasKernel = true
	}
	return out
}

func archStrings(a []specs.Arch) []string {
	if a == nil {
		return nil
	}
	s := make([]string, len(a))
	for i, x := range a {
		s[i] = string(x)
	}
	return s
}

// toMoby converts a decoded document into Docker's types, for Parse.
// containers/common's errno names become errnoRet numbers, as that library
// turns them before a runtime sees the profile.
func (d *document) toMoby() (*mobyseccomp.Seccomp, error) {
	p := &mobyseccomp.Seccomp{
		LinuxSeccomp: specs.LinuxSeccomp{
			DefaultAction:    specs.LinuxSeccompAction(d.defaultAction),
			Architectures:    specArches(d.architectures),
			ListenerPath:     d.listenerPath,
			ListenerMetadata: d.listenerMetadata,
		},
		Syscalls: make([]*mobyseccomp.Syscall, len(d.syscalls)),
	}
	var err error
	if p.DefaultErrnoRet, err = errnoField(d.defaultErrno, d.defaultErrnoRet); err != nil {
		return nil, fmt.Errorf("defaultErrno: %w", err)
	}
	for _, f := range d.flags {
		p.Flags = append(p.Flags, specs.LinuxSeccompFlag(f))
	}
	for _, m := range d.archMap {
		p.ArchMap = append(p.ArchMap, mobyseccomp.Architecture{Arch: specs.Arch(m.arch), SubArches: specArches(m.subArches)})
	}
	for i := range d.syscalls {
		e := &d.syscalls[i]
		if e.null {
			continue
		}
		sc := &mobyseccomp.Syscall{
			LinuxSyscall: specs.LinuxSyscall{Names: e.names, Action: specs.LinuxSeccompAction(e.action)},
			Name:         e.name,
			Comment:      e.comment,
			Includes:     toFilter(e.includes),
			Excludes:     toFilter(e.excludes),
		}
		if sc.ErrnoRet, err = errnoField(e.errno, e.errnoRet); err != nil {
			return nil, fmt.Errorf("%s: errno: %w", d.label(i), err)
		}
		if e.args != nil {
			sc.Args = make([]specs.LinuxSeccompArg, len(e.args))
			for j, a := range e.args {
				sc.Args[j] = specs.LinuxSeccompArg{Index: uint(a.index), Value: a.value, ValueTwo: a.valueTwo, Op: specs.LinuxSeccompOperator(a.op)}
			}
		}
		p.Syscalls[i] = sc
	}
	return p, nil
}

// errnoField returns errnoRet as containers/common reads errno beside it:
// errno, when set, wins.
func errnoField(errno string, ret optUint) (*uint, error) {
	if errno != "" {
		n, err := errnoNumber(errno)
		if err != nil {
			return nil, err
		}
		u := uint(n)
		return &u, nil
	}
	if !ret.set {
		return nil, nil
	}
	u := uint(ret.v)
	return &u, nil
}

func toFilter(f *docFilter) *mobyseccomp.Filter {
	if f == nil {
		return nil
	}
	out := &mobyseccomp.Filter{Caps: f.caps, Arches: f.arches}
	if f.hasKernel {
		out.MinKernel = &mobyseccomp.KernelVersion{Kernel: f.minKernel.kernel, Major: f.minKernel.major}
	}
	return out
}

func specArches(s []string) []specs.Arch {
	if s == nil {
		return nil
	}
	a := make([]specs.Arch, len(s))
	for i, x := range s {
		a[i] = specs.Arch(x)
	}
	return a
}
