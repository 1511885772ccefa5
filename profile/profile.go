package profile

import (
	"fmt"
	"slices"
	"strings"
	"syscall"

	mobyseccomp "github.com/moby/profiles/seccomp"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/sandboxkit/seccomp"
)

// Options says what a profile is resolved for.
type Options struct {
	// Arch is the target arch; zero means the host's.
	Arch seccomp.Arch
	// Caps are the capabilities the process keeps, spelled as Docker
	// spells them ("CAP_SYS_ADMIN"). Docker's includes and excludes count
	// these and no others.
	Caps []string
	// Kernel is the target kernel's version: "5.10", or a release such as
	// "6.1.0-13-amd64", of which only the first two numbers count. Docker's
	// minKernel filters compare with it. Empty stands for the newest
	// kernel, which meets every minKernel.
	Kernel string
	// NoENOSYS leaves out runc's ENOSYS patch (see the package doc).
	NoENOSYS bool
}

// Import reads a profile in JSON — Docker's format, an OCI linux.seccomp
// object, or a whole OCI config.json — and resolves it into a policy for
// opts. The notes say what the policy leaves out or reads differently from
// what a reader of the profile might expect; they are not errors.
func Import(data []byte, opts Options) (*seccomp.Policy, []string, error) {
	p, err := Parse(data)
	if err != nil {
		return nil, nil, err
	}
	return FromDocker(p, opts)
}

// FromOCI resolves an OCI runtime-spec seccomp object into a policy for
// opts, with notes as Import returns them.
func FromOCI(s *specs.LinuxSeccomp, opts Options) (*seccomp.Policy, []string, error) {
	if s == nil {
		return nil, nil, fmt.Errorf("profile: no seccomp object")
	}
	p := &mobyseccomp.Seccomp{LinuxSeccomp: *s}
	p.LinuxSeccomp.Syscalls = nil
	for _, sc := range s.Syscalls {
		p.Syscalls = append(p.Syscalls, &mobyseccomp.Syscall{LinuxSyscall: sc})
	}
	return FromDocker(p, opts)
}

// FromDocker resolves a profile in Docker's format into a policy for opts,
// with notes as Import returns them.
func FromDocker(p *mobyseccomp.Seccomp, opts Options) (*seccomp.Policy, []string, error) {
	r, err := newResolver(opts)
	if err != nil {
		return nil, nil, fmt.Errorf("profile: %w", err)
	}
	pol, err := r.resolve(p)
	if err != nil {
		return nil, nil, fmt.Errorf("profile: %w", err)
	}
	return pol, r.notes, nil
}

// resolver holds what one resolution needs and the notes it takes.
type resolver struct {
	arch   seccomp.Arch
	caps   []string
	kernel *kernelVersion // nil: the newest
	enosys bool
	notes  []string
}

func newResolver(opts Options) (*resolver, error) {
	arch := opts.Arch
	if arch == 0 {
		native, err := seccomp.NativeArch()
		if err != nil {
			return nil, err
		}
		arch = native
	}
	if _, ok := targets[arch]; !ok {
		return nil, fmt.Errorf("unsupported target arch %s", arch)
	}
	r := &resolver{arch: arch, caps: opts.Caps, enosys: !opts.NoENOSYS}
	if opts.Kernel != "" {
		k, err := parseKernel(opts.Kernel)
		if err != nil {
			return nil, err
		}
		r.kernel = &k
	}
	return r, nil
}

func (r *resolver) notef(format string, args ...any) {
	r.notes = append(r.notes, fmt.Sprintf(format, args...))
}

// call gathers the rules of one system call, in libseccomp's terms.
type call struct {
	name string
	// uncond is the action of the first unconditional rule, from the
	// entry uncondFrom; it overrides every conditional rule.
	uncond     *seccomp.Action
	uncondFrom string
	rules      []seccomp.Rule
	// ruleFrom labels the entry each conditional rule came from.
	ruleFrom []string
}

// resolve validates the whole profile, then keeps what Docker's filters
// keep for the target and turns it into a policy.
func (r *resolver) resolve(p *mobyseccomp.Seccomp) (*seccomp.Policy, error) {
	if p == nil {
		return nil, fmt.Errorf("no profile")
	}
	if len(p.LinuxSeccomp.Syscalls) != 0 {
		return nil, fmt.Errorf("syscalls: set both in the OCI object and in Docker's list")
	}
	def, err := action(p.DefaultAction, p.DefaultErrnoRet)
	if err != nil {
		return nil, fmt.Errorf("defaultAction: %w", err)
	}
	if def == seccomp.Notify {
		// Every call, the supervisor's own included, would wait on it.
		return nil, fmt.Errorf("defaultAction: %s cannot be the default (runc refuses it)", p.DefaultAction)
	}
	if err := r.resolveArches(p); err != nil {
		return nil, err
	}
	if len(p.Flags) != 0 {
		r.notef("flags %v: load-time flags, not part of the program: ignored", p.Flags)
	}

	entries := make([]entry, len(p.Syscalls))
	for i, sc := range p.Syscalls {
		e, err := r.entry(i, sc)
		if err != nil {
			return nil, err
		}
		entries[i] = e
	}

	pol := &seccomp.Policy{Arch: r.arch, Default: def, BadArch: seccomp.KillThread}
	calls := map[int]*call{}
	var order []*call
	maxNr, maxName := -1, ""
	for _, e := range entries {
		if !e.keep {
			continue
		}
		var unknown []string
		for _, name := range e.names {
			nr, ok := r.arch.SyscallNumber(name)
			if !ok {
				unknown = append(unknown, name)
				continue
			}
			if nr > maxNr {
				maxNr, maxName = nr, name
			}
			if e.action == def {
				continue // runc drops the rule: libseccomp refuses it
			}
			c := calls[nr]
			if c == nil {
				c = &call{name: name}
				calls[nr] = c
				order = append(order, c)
			}
			r.add(c, e)
		}
		if len(unknown) != 0 {
			r.notef("%s: %s unknown on %s: skipped", e.label, quoteList(unknown), r.arch)
		}
		if e.split && e.action != def {
			r.notef("%s: several args on one index: each arg is a rule of its own (OR), as runc makes it", e.label)
		}
	}
	for _, c := range order {
		if c.uncond != nil {
			pol.Add(c.name, seccomp.Rule{Action: *c.uncond})
			continue
		}
		r.noteOverlaps(c)
		pol.Add(c.name, c.rules...)
	}
	// runc adds its stub only when the largest number is not 0.
	if r.enosys && !permissive(def) && maxNr > 0 {
		pol.UnknownENOSYS = true
		if _, named := calls[maxNr]; !named {
			// The highest name has only rules that runc drops, yet it
			// still bounds runc's ENOSYS range: a default rule keeps the
			// number in the policy without changing its outcome.
			pol.Add(maxName, seccomp.Rule{Action: def})
		}
	}
	return pol, nil
}

// add adds an entry's rules to a call with libseccomp's precedence, and
// notes the rules it drops that would have decided otherwise.
func (r *resolver) add(c *call, e entry) {
	dropped := func(from string, a seccomp.Action, by string, uncond seccomp.Action) {
		if a != uncond {
			r.notef("%s: %q rule (%s) dropped: %s decides %s unconditionally", from, c.name, a, by, uncond)
		}
	}
	if c.uncond != nil {
		dropped(e.label, e.action, c.uncondFrom, *c.uncond)
		return
	}
	if len(e.rules) == 0 {
		act := e.action
		c.uncond, c.uncondFrom = &act, e.label
		for i, from := range c.ruleFrom {
			dropped(from, c.rules[i].Action, e.label, act)
		}
		c.rules, c.ruleFrom = nil, nil
		return
	}
	for _, conds := range e.rules {
		c.rules = append(c.rules, seccomp.Rule{Action: e.action, Conds: conds})
		c.ruleFrom = append(c.ruleFrom, e.label)
	}
}

// noteOverlaps notes conditional rules of one call that may both hold and
// decide differently. The policy tries them in profile order; libseccomp
// orders a syscall's rules its own way (by argument index, then operator),
// so for an argument vector both hold for, runc's filter may decide
// otherwise.
func (r *resolver) noteOverlaps(c *call) {
	for i, a := range c.rules {
		for j := i + 1; j < len(c.rules); j++ {
			if b := c.rules[j]; a.Action != b.Action && !disjoint(a.Conds, b.Conds) {
				r.notef("%s and %s: %q rules (%s, %s) may both hold: tried in profile order, where libseccomp may order them otherwise",
					c.ruleFrom[i], c.ruleFrom[j], c.name, a.Action, b.Action)
				return
			}
		}
	}
}

// disjoint reports whether two lists of conditions can never both hold,
// by the simplest proof: one argument compared for equality with two
// different values.
func disjoint(a, b []seccomp.Cond) bool {
	for _, x := range a {
		for _, y := range b {
			if x.Op == seccomp.OpEqual && y.Op == seccomp.OpEqual && x.Arg == y.Arg && x.Value != y.Value {
				return true
			}
		}
	}
	return false
}

// permissive reports whether runc leaves out its ENOSYS patch for a default
// action: one that lets system calls run.
func permissive(a seccomp.Action) bool {
	return a == seccomp.Allow || a == seccomp.Log || a.Ret()&^0xFFFF == seccomp.Trace(0).Ret()
}

// entry is one validated syscalls[] entry.
type entry struct {
	label  string
	names  []string
	action seccomp.Action
	// rules are the condition lists, one per rule; none for an
	// unconditional entry.
	rules [][]seccomp.Cond
	// split is set when two args share an index and runc made each arg a
	// rule of its own.
	split bool
	// keep is whether Docker's filters keep the entry for the target.
	keep bool
}

func (r *resolver) entry(i int, sc *mobyseccomp.Syscall) (entry, error) {
	if sc == nil {
		return entry{}, fmt.Errorf("syscalls[%d]: null entry", i)
	}
	e := entry{label: entryLabel(i, sc.Name, sc.Names)}
	wrap := func(field string, err error) error {
		return fmt.Errorf("%s: %s: %w", e.label, field, err)
	}
	switch {
	case sc.Name != "" && len(sc.Names) != 0:
		return entry{}, fmt.Errorf("%s: name and names are both set: use one", e.label)
	case sc.Name != "":
		e.names = []string{sc.Name}
	case len(sc.Names) == 0:
		return entry{}, fmt.Errorf("%s: no name or names", e.label)
	default:
		e.names = sc.Names
	}
	for j, name := range e.names {
		if name == "" {
			return entry{}, fmt.Errorf("%s: names[%d]: empty name", e.label, j)
		}
	}
	act, err := action(sc.Action, sc.ErrnoRet)
	if err != nil {
		return entry{}, wrap("action", err)
	}
	e.action = act

	conds := make([]seccomp.Cond, len(sc.Args))
	var perIndex [6]int
	for j, a := range sc.Args {
		c, err := cond(a)
		if err != nil {
			return entry{}, wrap(fmt.Sprintf("args[%d]", j), err)
		}
		conds[j] = c
		perIndex[c.Arg]++
		if perIndex[c.Arg] > 1 {
			e.split = true
		}
	}
	// A condition that always holds is no condition: libseccomp drops it,
	// and a rule left with none is unconditional.
	switch {
	case len(conds) == 0:
	case e.split:
		if slices.ContainsFunc(conds, alwaysHolds) {
			break // one of the ORed rules always holds
		}
		for _, c := range conds {
			e.rules = append(e.rules, []seccomp.Cond{c})
		}
	default:
		kept := slices.DeleteFunc(conds, alwaysHolds)
		if len(kept) > 0 {
			e.rules = [][]seccomp.Cond{kept}
		}
	}

	inc, err := r.matches(sc.Includes)
	if err != nil {
		return entry{}, wrap("includes", err)
	}
	exc, err := r.matches(sc.Excludes)
	if err != nil {
		return entry{}, wrap("excludes", err)
	}
	e.keep = (sc.Includes == nil || inc.all) && (sc.Excludes == nil || !exc.any)
	return e, nil
}

// entryLabel names an entry in errors and notes: its index and its first
// name.
func entryLabel(i int, name string, names []string) string {
	switch {
	case name != "":
		return fmt.Sprintf("syscalls[%d] (%q)", i, name)
	case len(names) == 1:
		return fmt.Sprintf("syscalls[%d] (%q)", i, names[0])
	case len(names) > 1:
		return fmt.Sprintf("syscalls[%d] (%q and %d more)", i, names[0], len(names)-1)
	}
	return fmt.Sprintf("syscalls[%d]", i)
}

// filterResult says which of a filter's conditions hold: all that it sets,
// or any of them.
type filterResult struct{ all, any bool }

// matches evaluates a Docker filter for the target; a nil filter sets
// nothing, so that all its conditions hold and none does.
func (r *resolver) matches(f *mobyseccomp.Filter) (filterResult, error) {
	res := filterResult{all: true}
	if f == nil {
		return res, nil
	}
	check := func(ok bool) {
		res.all = res.all && ok
		res.any = res.any || ok
	}
	if len(f.Arches) != 0 {
		for j, a := range f.Arches {
			if !dockerArches[a] {
				return res, fmt.Errorf("arches[%d]: unknown arch %q (Docker's names: amd64, arm64, riscv64, x86, x32, arm, ...)", j, a)
			}
		}
		check(slices.Contains(f.Arches, targets[r.arch].docker))
	}
	// includes needs every cap; excludes drops the entry on any.
	for _, c := range f.Caps {
		check(slices.Contains(r.caps, c))
	}
	if f.MinKernel != nil {
		check(r.kernel == nil || !r.kernel.less(kernelVersion{f.MinKernel.Kernel, f.MinKernel.Major}))
	}
	return res, nil
}

// resolveArches checks the profile's arches and notes those it lists
// beside the target, which the program leaves to the bad-arch action.
func (r *resolver) resolveArches(p *mobyseccomp.Seccomp) error {
	if len(p.Architectures) != 0 && len(p.ArchMap) != 0 {
		return fmt.Errorf("architectures and archMap are both set: use one")
	}
	for i, a := range p.Architectures {
		if !scmpArches[a] {
			return fmt.Errorf("architectures[%d]: unknown arch %q", i, a)
		}
	}
	listed := p.Architectures
	target := targets[r.arch].scmp
	for i, m := range p.ArchMap {
		if !scmpArches[m.Arch] {
			return fmt.Errorf("archMap[%d].architecture: unknown arch %q", i, m.Arch)
		}
		for j, sub := range m.SubArches {
			if !scmpArches[sub] {
				return fmt.Errorf("archMap[%d].subArchitectures[%d]: unknown arch %q", i, j, sub)
			}
		}
		if m.Arch == target && listed == nil {
			listed = append([]specs.Arch{m.Arch}, m.SubArches...)
		}
	}
	var others []string
	for _, a := range listed {
		if a != target && !slices.Contains(others, string(a)) {
			others = append(others, string(a))
		}
	}
	if len(others) != 0 {
		r.notef("architectures: %s not compiled (a program serves %s alone): their system calls get the bad-arch action, %s",
			strings.Join(others, ", "), r.arch, seccomp.KillThread)
	}
	return nil
}

// action converts a libseccomp action name and its errnoRet.
func action(name specs.LinuxSeccompAction, errnoRet *uint) (seccomp.Action, error) {
	var data uint
	if errnoRet != nil {
		data = *errnoRet
	}
	noData := func(a seccomp.Action) (seccomp.Action, error) {
		if errnoRet != nil {
			return 0, fmt.Errorf("%s takes no errnoRet (got %d)", name, data)
		}
		return a, nil
	}
	switch name {
	case specs.ActKill, specs.ActKillThread:
		return noData(seccomp.KillThread)
	case specs.ActKillProcess:
		return noData(seccomp.KillProcess)
	case specs.ActTrap:
		return noData(seccomp.Trap(0))
	case specs.ActAllow:
		return noData(seccomp.Allow)
	case specs.ActLog:
		return noData(seccomp.Log)
	case specs.ActNotify:
		return noData(seccomp.Notify)
	case specs.ActErrno:
		if errnoRet == nil {
			return seccomp.Errno(syscall.EPERM), nil
		}
		if data > seccomp.MaxErrno {
			return 0, fmt.Errorf("errnoRet %d out of range 0..%d", data, seccomp.MaxErrno)
		}
		return seccomp.Errno(syscall.Errno(data)), nil
	case specs.ActTrace:
		if errnoRet == nil {
			return seccomp.Trace(uint32(syscall.EPERM)), nil
		}
		if data > 0xFFFF {
			return 0, fmt.Errorf("errnoRet %d out of range 0..%d", data, 0xFFFF)
		}
		return seccomp.Trace(uint32(data)), nil
	case "":
		return 0, fmt.Errorf("missing")
	}
	return 0, fmt.Errorf("unknown action %q", name)
}

var ops = map[specs.LinuxSeccompOperator]seccomp.Op{
	specs.OpEqualTo:      seccomp.OpEqual,
	specs.OpNotEqual:     seccomp.OpNotEqual,
	specs.OpLessThan:     seccomp.OpLess,
	specs.OpLessEqual:    seccomp.OpLessEqual,
	specs.OpGreaterThan:  seccomp.OpGreater,
	specs.OpGreaterEqual: seccomp.OpGreaterEqual,
	specs.OpMaskedEqual:  seccomp.OpMaskedEqual,
}

// cond converts one arg into a 64-bit condition.
func cond(a specs.LinuxSeccompArg) (seccomp.Cond, error) {
	if a.Index > 5 {
		return seccomp.Cond{}, fmt.Errorf("index %d out of range 0..5", a.Index)
	}
	op, ok := ops[a.Op]
	if !ok {
		if a.Op == "" {
			return seccomp.Cond{}, fmt.Errorf("op missing")
		}
		return seccomp.Cond{}, fmt.Errorf("unknown op %q", a.Op)
	}
	c := seccomp.Cond{Arg: int(a.Index), Op: op, Value: a.Value, Width: 64}
	if op == seccomp.OpMaskedEqual {
		// libseccomp masks the datum too: arg & value == valueTwo & value.
		c.Mask, c.Value = a.Value, a.ValueTwo&a.Value
	}
	return c, nil
}

// alwaysHolds reports whether libseccomp drops the condition as one that
// holds for every argument: a masked-equal with mask 0.
func alwaysHolds(c seccomp.Cond) bool {
	return c.Op == seccomp.OpMaskedEqual && c.Mask == 0
}

func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}
