package seccomp

import (
	"errors"
	"fmt"
	"math"
	"slices"
)

// Op is a comparison of a system call argument with a constant. All
// comparisons are unsigned.
type Op uint8

// The comparisons. The zero Op is invalid, so a condition cannot leave it
// unset by accident.
const (
	OpEqual        Op = iota + 1 // arg == Value
	OpNotEqual                   // arg != Value
	OpLess                       // arg < Value
	OpLessEqual                  // arg <= Value
	OpGreater                    // arg > Value
	OpGreaterEqual               // arg >= Value
	OpMaskedEqual                // arg & Mask == Value
)

var opNames = [...]string{
	OpEqual:        "==",
	OpNotEqual:     "!=",
	OpLess:         "<",
	OpLessEqual:    "<=",
	OpGreater:      ">",
	OpGreaterEqual: ">=",
	OpMaskedEqual:  "&==",
}

// String returns the operator as Go would write it; "&==" for OpMaskedEqual.
func (o Op) String() string {
	if o == 0 || int(o) >= len(opNames) {
		return fmt.Sprintf("op(%d)", uint8(o))
	}
	return opNames[o]
}

// Cond is a condition on one argument of a system call: Args[Arg] Op Value,
// or Args[Arg] & Mask == Value for OpMaskedEqual.
//
// Width is 64 (the zero value means 64) or 32. A 32-bit condition reads only
// the low half of the argument: the kernel passes an int argument in a 64-bit
// register whose high half may hold garbage, so a full comparison would
// misjudge it. Value and Mask of a 32-bit condition must fit in 32 bits.
type Cond struct {
	Arg   int
	Op    Op
	Value uint64
	Mask  uint64
	Width int
}

func (c Cond) is32() bool { return c.Width == 32 }

// String returns the condition as an expression, e.g. "arg0 == 0x2",
// "arg1 & 0xff == 0x1 (32-bit)".
func (c Cond) String() string {
	var s string
	if c.Op == OpMaskedEqual {
		s = fmt.Sprintf("arg%d & %#x == %#x", c.Arg, c.Mask, c.Value)
	} else {
		s = fmt.Sprintf("arg%d %s %#x", c.Arg, c.Op, c.Value)
	}
	if c.is32() {
		s += " (32-bit)"
	}
	return s
}

func (c Cond) validate() error {
	if c.Arg < 0 || c.Arg > 5 {
		return fmt.Errorf("arg %d: index must be 0..5", c.Arg)
	}
	if c.Op == 0 || int(c.Op) >= len(opNames) {
		return fmt.Errorf("arg %d: invalid op %d", c.Arg, uint8(c.Op))
	}
	if c.Op != OpMaskedEqual && c.Mask != 0 {
		return fmt.Errorf("arg %d: mask %#x set on op %s (only %s takes a mask)", c.Arg, c.Mask, c.Op, OpMaskedEqual)
	}
	switch c.Width {
	case 0, 64:
	case 32:
		if c.Value > math.MaxUint32 {
			return fmt.Errorf("arg %d: value %#x does not fit the 32-bit width", c.Arg, c.Value)
		}
		if c.Mask > math.MaxUint32 {
			return fmt.Errorf("arg %d: mask %#x does not fit the 32-bit width", c.Arg, c.Mask)
		}
	default:
		return fmt.Errorf("arg %d: width %d must be 32 or 64", c.Arg, c.Width)
	}
	return nil
}

// Rule is an action taken when all of its conditions hold. A rule with no
// conditions always holds.
type Rule struct {
	Action Action
	Conds  []Cond
}

// Syscall holds the rules of one system call, named by Name, or by Nr when
// Name is empty. Its rules are tried in order and the first that holds
// decides; when none does, the policy's default action decides. Several
// entries for one system call are joined in order, and errors number the
// rules of the joined list.
type Syscall struct {
	Name  string
	Nr    int
	Rules []Rule
}

// Policy is a seccomp policy: which system calls a process may make, and on
// which arguments.
//
// The zero Policy is valid: for the host's arch, it kills the process on every
// system call.
type Policy struct {
	// Arch is the target architecture; zero means the host's.
	Arch Arch
	// Default decides a system call that no rule decides.
	Default Action
	// BadArch decides a system call made with another arch's calling
	// convention and, on x86_64, one whose number has bit 30 set (the x32
	// ABI's, __X32_SYSCALL_BIT) other than -1.
	// The zero value is KillProcess.
	BadArch Action
	// Syscalls holds the rules. Several entries for one system call are
	// joined in order.
	Syscalls []Syscall
	// UnknownENOSYS makes every system call number above the highest one
	// the policy names fail with ENOSYS instead of taking the default
	// action, so that a libc probing a newer call (clone3, say) falls back
	// to an older one instead of failing with the default's error. It
	// leaves -1 (a call a tracer skipped) to the default, and does nothing
	// for a policy that names no system call.
	UnknownENOSYS bool
}

// Add appends rules for the named system call.
func (p *Policy) Add(name string, rules ...Rule) {
	p.Syscalls = append(p.Syscalls, Syscall{Name: name, Rules: rules})
}

// AddNr appends rules for system call number nr.
func (p *Policy) AddNr(nr int, rules ...Rule) {
	p.Syscalls = append(p.Syscalls, Syscall{Nr: nr, Rules: rules})
}

// Allow appends an unconditional Allow rule for each named system call.
func (p *Policy) Allow(names ...string) {
	for _, name := range names {
		p.Add(name, Rule{Action: Allow})
	}
}

// enosys is the action UnknownENOSYS gives, ERRNO(ENOSYS): 38 on every
// supported arch, whatever the host's syscall.ENOSYS.
const enosys = Action(kindErrno)<<32 | 38

// plan is a validated policy reduced to what a layout needs: per system
// call, either a constant action or a chain of rules.
type plan struct {
	arch    Arch
	def     Action
	badArch Action
	// calls are the system calls whose outcome is not simply the default,
	// sorted by number.
	calls []callPlan
	// enosysAbove is the highest named syscall when UnknownENOSYS is set,
	// or -1.
	enosysAbove int64
}

type callPlan struct {
	nr   uint32
	name string
	// rules is nil when the outcome does not depend on the arguments;
	// action is then the outcome.
	rules  []Rule
	action Action
}

// errNoRules is returned for a Syscall entry with no rules at all: it
// would otherwise silently mean "the default".
var errNoRules = errors.New("no rules")

// plan validates the policy and reduces it.
func (p *Policy) plan() (*plan, error) {
	arch, info, err := p.Arch.resolve()
	if err != nil {
		return nil, fmt.Errorf("seccomp: %w", err)
	}
	if err := p.Default.Validate(); err != nil {
		return nil, fmt.Errorf("seccomp: default action: %w", err)
	}
	if err := p.BadArch.Validate(); err != nil {
		return nil, fmt.Errorf("seccomp: bad-arch action: %w", err)
	}
	pl := &plan{arch: arch, def: p.Default, badArch: p.BadArch, enosysAbove: -1}

	// Resolve the entries, then sort them by number, keeping the order of
	// those for one number (one uint64 key each sorts far faster than the
	// entries themselves), and join those.
	order := make([]uint64, len(p.Syscalls))
	for i, sc := range p.Syscalls {
		nr, name, err := resolveSyscall(arch, info, sc)
		if err != nil {
			return nil, err
		}
		if len(sc.Rules) == 0 {
			return nil, fmt.Errorf("seccomp: %s: %w", syscallLabel(name, nr), errNoRules)
		}
		order[i] = uint64(nr)<<32 | uint64(i)
		if p.UnknownENOSYS {
			pl.enosysAbove = max(pl.enosysAbove, int64(nr))
		}
	}
	slices.Sort(order)
	joined := make([]callPlan, 0, len(order))
	for _, o := range order {
		nr, sc := uint32(o>>32), p.Syscalls[uint32(o)]
		if n := len(joined); n > 0 && joined[n-1].nr == nr {
			// Clip, so that appending copies rather than writing into
			// the caller's array.
			joined[n-1].rules = append(slices.Clip(joined[n-1].rules), sc.Rules...)
			continue
		}
		name := sc.Name
		if name == "" {
			name, _ = arch.SyscallName(int(nr))
		}
		joined = append(joined, callPlan{nr: nr, name: name, rules: sc.Rules})
	}

	// Reduce each one's rules, leaving out those the default decides.
	pl.calls = joined[:0]
	for _, c := range joined {
		rules, err := reduceRules(c.rules, p.Default)
		if err != nil {
			return nil, fmt.Errorf("seccomp: %s %w", syscallLabel(c.name, int(c.nr)), err)
		}
		switch {
		case len(rules) == 0:
			continue // the default decides
		case constantOutcome(rules):
			c.rules, c.action = nil, rules[0].Action
		default:
			c.rules = rules
		}
		pl.calls = append(pl.calls, c)
	}
	return pl, nil
}

// resolveSyscall returns the number and name of an entry.
func resolveSyscall(arch Arch, info *archInfo, sc Syscall) (int, string, error) {
	if sc.Name != "" {
		nr, ok := info.byName[sc.Name]
		if !ok {
			return 0, "", fmt.Errorf("seccomp: syscall %q: unknown on %s", sc.Name, arch)
		}
		if sc.Nr != 0 && sc.Nr != nr {
			return 0, "", fmt.Errorf("seccomp: syscall %q: Nr %d disagrees with the name's number %d on %s", sc.Name, sc.Nr, nr, arch)
		}
		return nr, sc.Name, nil
	}
	if sc.Nr < 0 || sc.Nr >= MaxSyscall {
		return 0, "", fmt.Errorf("seccomp: syscall %d: number out of range 0..%#x", sc.Nr, MaxSyscall-1)
	}
	name, _ := arch.SyscallName(sc.Nr)
	return sc.Nr, name, nil
}

func syscallLabel(name string, nr int) string {
	if name == "" {
		return fmt.Sprintf("syscall %d", nr)
	}
	return fmt.Sprintf("syscall %q (%d)", name, nr)
}

// reduceRules validates one system call's rules and drops those that cannot
// change its outcome: rules after an unconditional one (which must agree
// with it), and trailing rules whose action is the default anyway. The
// error starts with "rule N:" for the caller to prefix.
func reduceRules(rules []Rule, def Action) ([]Rule, error) {
	end := len(rules)
	for i, r := range rules {
		if err := r.Action.Validate(); err != nil {
			return nil, fmt.Errorf("rule %d: action: %w", i, err)
		}
		for j, c := range r.Conds {
			if err := c.validate(); err != nil {
				return nil, fmt.Errorf("rule %d: cond %d: %w", i, j, err)
			}
		}
		if end == len(rules) && len(r.Conds) == 0 {
			end = i + 1
		}
		if i >= end && r.Action != rules[end-1].Action {
			return nil, fmt.Errorf("rule %d: unreachable after unconditional rule %d, and its action %s contradicts %s", i, end-1, r.Action, rules[end-1].Action)
		}
	}
	rules = rules[:end]
	for len(rules) > 0 && rules[len(rules)-1].Action == def {
		rules = rules[:len(rules)-1]
	}
	return rules, nil
}

// constantOutcome reports whether rules decide the same action whatever
// the arguments: the last rule is unconditional and all agree with it.
func constantOutcome(rules []Rule) bool {
	last := rules[len(rules)-1]
	if len(last.Conds) != 0 {
		return false
	}
	for _, r := range rules {
		if r.Action != last.Action {
			return false
		}
	}
	return true
}
