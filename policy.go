package seccomp

import (
	"fmt"
	"math"
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
//
// A condition that no argument can satisfy is an error, since the rule it
// is in could never apply, which is almost surely a mistake that weakens or
// changes the filter without a word:
//
//   - arg & Mask == Value with Value bits outside Mask (libseccomp masks
//     Value instead; we refuse, so the author sees the typo);
//   - arg < 0;
//   - arg > the width's maximum (0xffffffff at 32 bits, 1<<64-1 at 64).
//
// A condition that every argument satisfies is kept in the policy but
// dropped when compiling, so that the rule acts as an unconditional one
// (and a later rule with another action is reported as unreachable):
//
//   - arg >= 0;
//   - arg <= the width's maximum;
//   - arg & 0 == 0.
//
// The other comparisons (==, != and the rest) each hold for some argument
// and fail for another. A rule whose conditions contradict one another
// (arg0 == 1 and arg0 == 2) is not detected.
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
	switch {
	case c.Op == OpMaskedEqual && c.Value&^c.Mask != 0:
		return fmt.Errorf("arg %d: value %#x has bits outside mask %#x (%#x), so the condition can never hold", c.Arg, c.Value, c.Mask, c.Value&^c.Mask)
	case c.Op == OpLess && c.Value == 0:
		return fmt.Errorf("arg %d: < 0 can never hold (comparisons are unsigned)", c.Arg)
	case c.Op == OpGreater && c.Value == c.max():
		return fmt.Errorf("arg %d: > %#x can never hold at the %d-bit width", c.Arg, c.Value, c.width())
	}
	return nil
}

// width returns the condition's width in bits, 32 or 64.
func (c Cond) width() int {
	if c.is32() {
		return 32
	}
	return 64
}

// max returns the largest argument the condition compares.
func (c Cond) max() uint64 {
	if c.is32() {
		return math.MaxUint32
	}
	return math.MaxUint64
}

// alwaysHolds reports whether every argument satisfies the (valid)
// condition: see Cond.
func (c Cond) alwaysHolds() bool {
	switch c.Op {
	case OpGreaterEqual:
		return c.Value == 0
	case OpLessEqual:
		return c.Value == c.max()
	case OpMaskedEqual:
		return c.Mask == 0 // and so Value is 0
	}
	return false
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
//
// An entry applies to every ABI of its policy (Arch and Compat), the name
// resolved on each; with Arch set, to that ABI alone. A number means
// something on one ABI only, so an entry by number in a policy of several
// ABIs must set Arch.
//
// Nr given beside Name must be the name's number on the entry's ABI: its
// Arch, or for an entry of every ABI the policy's Arch, where it is
// checked; the name alone counts on the other ABIs. It spares the
// compiler a lookup of the name.
type Syscall struct {
	Name  string
	Nr    int
	Rules []Rule
	Arch  Arch
}

// Policy is a seccomp policy: which system calls a process may make, and on
// which arguments.
//
// The zero Policy is valid: for the host's arch, it kills the process on every
// system call.
//
// A policy over MaxRules rules or MaxConds conditions, or whose program would
// exceed the kernel's 4096 instructions, fails to compile with ErrTooLarge;
// the work spent before the refusal is linear in the policy's size.
type Policy struct {
	// Arch is the target architecture; zero means the host's.
	Arch Arch
	// Compat lists more ABIs the program serves beside Arch, as a
	// container runtime serves a machine's compat ABIs: ArchX86 and
	// ArchX32 beside ArchX86_64, ArchARM beside ArchAArch64. The program
	// dispatches on the arch to one section per ABI, each as good as a
	// program for that ABI alone. All must share Arch's byte order.
	Compat []Arch
	// SkipMissing skips, on one ABI, an entry whose name that ABI lacks
	// (socketcall on x86_64, say), and notes it in Program.Notes, instead
	// of failing the compile. A name no ABI of the policy has is still an
	// error.
	SkipMissing bool
	// Default decides a system call that no rule decides.
	Default Action
	// BadArch decides a system call made with the calling convention of
	// an ABI outside Arch and Compat: another arch's, or, on x86_64
	// without ArchX32, one whose number has bit 30 set (the x32 ABI's,
	// __X32_SYSCALL_BIT) other than -1.
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
