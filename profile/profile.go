package profile

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"unsafe"

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
	// Strict makes an error of every note on something that may change
	// what the filter decides (the package doc lists them): a field the
	// formats lack, a name no arch knows, and the like. Notes on what
	// runc skips too, or on load-time settings, stay notes.
	Strict bool
}

// Import reads a profile in JSON — Docker's format, an OCI linux.seccomp
// object, or a whole OCI config.json — and resolves it into a policy for
// opts. The notes say what the policy leaves out or reads differently from
// what a reader of the profile might expect; they are not errors, unless
// opts.Strict makes them so.
//
// The policy's entries may share their rules and conditions: change them by
// replacing a slice, not in place. Each has its number beside its name
// (Syscall.Nr). In a policy of several ABIs, a call every ABI has is one
// entry for them all (Arch unset, Nr the target's number), and the rest
// are each for one ABI (Arch set), as is runc's ENOSYS stub on each.
func Import(data []byte, opts Options) (*seccomp.Policy, []string, error) {
	// The document's strings are slices of data, uncopied: nothing of the
	// document outlives the call (the policy names calls by the syscall
	// tables' strings; notes and errors are formatted copies).
	mem := scratches.Get().(*scratch)
	defer mem.release()
	doc, err := decodeIn(unsafe.String(unsafe.SliceData(data), len(data)), mem)
	if err != nil {
		return nil, nil, err
	}
	return resolveIn(doc, opts, mem)
}

// FromOCI resolves an OCI runtime-spec seccomp object into a policy for
// opts, with notes as Import returns them, and rules shared as Import
// shares them.
func FromOCI(s *specs.LinuxSeccomp, opts Options) (*seccomp.Policy, []string, error) {
	if s == nil {
		return nil, nil, fmt.Errorf("profile: no seccomp object")
	}
	return resolveDocument(fromOCI(s), opts)
}

// FromDocker resolves a profile in Docker's format into a policy for opts,
// with notes as Import returns them, and rules shared as Import shares
// them.
func FromDocker(p *mobyseccomp.Seccomp, opts Options) (*seccomp.Policy, []string, error) {
	if p == nil {
		return nil, nil, fmt.Errorf("profile: no profile")
	}
	return resolveDocument(fromMoby(p), opts)
}

func resolveDocument(doc *document, opts Options) (*seccomp.Policy, []string, error) {
	mem := scratches.Get().(*scratch)
	defer mem.release()
	return resolveIn(doc, opts, mem)
}

// resolveIn is resolveDocument in mem's memory.
func resolveIn(doc *document, opts Options, mem *scratch) (*seccomp.Policy, []string, error) {
	r, err := newResolver(opts)
	if err != nil {
		return nil, nil, fmt.Errorf("profile: %w", err)
	}
	r.mem = mem
	if err := r.prepare(doc); err != nil {
		return nil, nil, fmt.Errorf("profile: %w", err)
	}
	// The other ABIs the profile lists for the target are compiled with
	// it, as runc compiles them: each resolved on its own numbers (and
	// runc's ENOSYS patch on its own highest), with Docker's filters read
	// for the target, as Docker reads them for the host.
	//
	// What an entry means is the same on every ABI but for errno names,
	// which MIPS and PowerPC number their own way: an ABI that numbers them
	// as the target does shares the target's validated entries. It would
	// take the same notes validating them, all merged away below; it only
	// counts them, toward its own bound and Strict's count. Past the bound
	// the notes a compat ABI kept could be others: it validates on its own.
	subs := grow(mem.subs, len(r.compat))
	mem.subs = subs
	share := r.dropped == 0
	for k, abi := range r.compat {
		sub := &subs[k]
		*sub = resolver{arch: abi, host: r.host, table: tableOf(abi), isCompat: true, caps: r.caps, kernel: r.kernel, enosys: r.enosys, strict: r.strict}
		if share && errnoFamily(targets[abi].scmp) == errnoFamily(targets[r.arch].scmp) {
			sub.doc, sub.def, sub.entries, sub.names, sub.condRules = r.doc, r.def, r.entries, r.names, r.condRules
			sub.shares = true
			sub.counted, sub.nStrict = len(r.notes)-r.archNotes, r.nStrict
			continue
		}
		if err := sub.prepare(doc); err != nil {
			return nil, nil, fmt.Errorf("profile: %s: %w", abi, err)
		}
	}
	abi := func(k int) *resolver {
		if k == 0 {
			return r
		}
		return &subs[k-1]
	}

	// One array holds every ABI's calls, at most one a name each, and no
	// more than its table has numbers; one their index by number; one the
	// policy's entries, and one the conditional rules, gathered in
	// another (its size bounded, for a hostile profile's sake). Past what
	// they make room for (numbers beyond the table), they grow.
	nABI := 1 + len(subs)
	nCalls, nByNr, nPending := 0, 0, 0
	for k := range nABI {
		a := abi(k)
		nCalls += min(r.names, len(a.table.names))
		nByNr += len(a.table.names)
		nPending += min(a.condRules, 4096)
	}
	calls, byNr, pending := grow(mem.calls, nCalls), grow(mem.byNr, nByNr), grow(mem.pending, nPending)
	mem.calls, mem.byNr, mem.pending = calls, byNr, pending
	// A name that every ABI has has the same rules on each, where they
	// share the validated entries (as the x86 family's do): Docker's
	// filters are read for the target, and a call's rules are those of
	// the entries that name it. It is one entry for every ABI, which
	// saves the compiler as many entries and the policy as much memory;
	// the target's calls say which names they are, by id, and a compat
	// ABI need not gather them again (resolver.shared).
	allShare := len(subs) != 0
	for k := range subs {
		allShare = allShare && subs[k].shares
	}
	var onAllByID []bool
	if allShare {
		onAllByID = grow(mem.onAll, len(linuxSyscallNames))
		mem.onAll = onAllByID
	}
	for k := range nABI {
		a := abi(k)
		n := min(a.condRules, 4096)
		a.pending, pending = pending[:0:n], pending[n:]
		n = len(a.table.names)
		a.byNr, byNr = byNr[:n:n], byNr[n:]
		n = min(r.names, n)
		if k > 0 && allShare && a.notesBelowBound() {
			a.shared = onAllByID
		}
		a.gather(calls[:0:n])
		calls = calls[n:]
		if k == 0 && allShare {
			for i := range r.calls {
				c := &r.calls[i]
				c.onAll = onAll(r, r, subs, c)
				if c.id >= 0 {
					onAllByID[c.id] = c.onAll
				}
			}
		}
	}
	nSyscalls, nRules := 0, 0
	for k := range nABI {
		a := abi(k)
		for i := range a.calls {
			c := &a.calls[i]
			switch {
			case !allShare || k == 0:
			case c.id < 0:
				c.onAll = onAll(a, r, subs, c)
			default:
				c.onAll = onAllByID[c.id]
			}
			if !c.onAll || k == 0 {
				nSyscalls++
				for p := -c.state; p > 0; p = a.pending[p-1].prev {
					nRules++ // a conditional rule, emitted
				}
			}
		}
		if a.stub() {
			nSyscalls++
		}
	}
	pol := &seccomp.Policy{Arch: r.arch, Default: r.def, BadArch: seccomp.KillThread, Compat: r.compat}
	// runc adds its stub only when the largest number is not 0.
	pol.UnknownENOSYS = r.enosys && !permissive(r.def) && r.maxNr > 0
	if nSyscalls != 0 || len(subs) != 0 {
		pol.Syscalls = make([]seccomp.Syscall, 0, nSyscalls)
	}
	em := emitter{rules: make([]seccomp.Rule, nRules)}
	for k := range nABI {
		a := abi(k)
		var on seccomp.Arch // entries apply to every ABI of a policy of one
		if len(subs) != 0 {
			on = a.arch
		}
		pol.Syscalls = a.emit(&em, pol.Syscalls, on, k == 0)
	}

	for k := range subs {
		sub := &subs[k]
		for _, n := range sub.notes {
			if !slices.Contains(r.notes, n) {
				r.notes = append(r.notes, n)
			}
		}
		r.dropped += sub.dropped
		if r.firstStrict == "" {
			r.firstStrict = sub.firstStrict
		}
		r.nStrict += sub.nStrict
	}
	if r.strict && r.firstStrict != "" {
		more := ""
		if r.nStrict > 1 {
			more = fmt.Sprintf(" (and %d more)", r.nStrict-1)
		}
		return nil, nil, fmt.Errorf("profile: strict: %s%s", r.firstStrict, more)
	}
	if r.dropped > 0 {
		r.notes = append(r.notes, fmt.Sprintf("%d more notes left out", r.dropped))
	}
	return pol, r.notes, nil
}

// scratch is the memory an import works in and returns nothing of, kept
// from one import to the next: Docker's profile on three ABIs needs some
// 60 KB of it. The decoder's arenas are lent: a second use in one import
// (a profile with two syscalls lists, the last of which counts) makes its
// own.
type scratch struct {
	strs     lent[string]
	syscalls lent[docSyscall]
	args     lent[docArg]
	filters  lent[docFilter]

	entries []entry
	ids     []int32
	calls   []call
	byNr    []int32
	pending []pendingRule
	subs    []resolver
	onAll   []bool
}

var scratches = sync.Pool{New: func() any { return new(scratch) }}

// grow returns s's memory as n values, made anew if s is too small. The
// pool's arrays are zero: release clears what an import used.
func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// lent is an array lent once, and kept if the borrower grew it; used is
// how much of it the borrower filled, and dirty is set when that is not
// known (a second borrower, given an array of its own).
type lent[T any] struct {
	s     []T
	used  int
	out   bool
	dirty bool
}

// take returns room for n values: l's array, unless it is out or too
// small.
func (l *lent[T]) take(n int) []T {
	if l.out {
		l.dirty = true
	}
	if l.out || l.s == nil || cap(l.s) < n {
		return make([]T, 0, n) // not nil, even for 0: an empty list is not none
	}
	l.out = true
	return l.s[:0]
}

// keep notes s, what the borrower made of l's array: kept instead if it is
// larger (grown, with l's values in it).
func (l *lent[T]) keep(s []T) {
	if cap(s) > cap(l.s) {
		l.s = s[:0]
	}
	l.used = max(l.used, len(s))
}

// release clears what l's array was filled with, and takes it back.
func (l *lent[T]) release() {
	if l.dirty {
		l.used = cap(l.s)
	}
	clear(l.s[:min(l.used, cap(l.s))])
	l.used, l.out, l.dirty = 0, false, false
}

// release clears what an import used of s (the input's strings, the
// policy's conditions, indexes to be zero) and puts s back, unless a large
// profile made it larger than a pool should keep.
func (s *scratch) release() {
	if cap(s.entries) > 1<<12 || cap(s.ids) > 1<<14 || cap(s.calls) > 1<<14 || cap(s.byNr) > 1<<16 || cap(s.pending) > 1<<12 ||
		cap(s.strs.s) > 1<<14 || cap(s.syscalls.s) > 1<<12 || cap(s.args.s) > 1<<12 || cap(s.filters.s) > 1<<12 {
		return
	}
	s.strs.release()
	s.syscalls.release()
	s.args.release()
	s.filters.release()
	clear(s.entries)
	clear(s.byNr)
	clear(s.pending)
	clear(s.subs)
	clear(s.onAll)
	scratches.Put(s)
}

// resolver holds what the resolution for one ABI needs and the notes it
// takes.
type resolver struct {
	// mem is the target's scratch memory; nil on a compat ABI.
	mem *scratch
	// arch is the ABI whose numbers the resolution is in, and table its
	// syscall table; host is the target, whose Docker arch name the
	// filters compare, and whose archMap entry counts. They differ for a
	// compat ABI (isCompat).
	arch, host seccomp.Arch
	table      *table
	isCompat   bool
	// compat are the ABIs the profile lists beside the target that have
	// a syscall table here: compiled with it.
	compat []seccomp.Arch
	caps   []string
	kernel *kernelVersion // nil: the newest
	enosys bool
	strict bool
	doc    *document
	// def is the default action; entries are the validated entries, and
	// names the names they have in all.
	def     seccomp.Action
	entries []entry
	names   int
	notes   []string
	// counted are notes taken and counted toward maxNotes, but not kept
	// here: a compat ABI's copies of the target's (see resolveDocument).
	// archNotes are the target's notes a compat ABI does not take.
	counted   int
	archNotes int
	// shares is set on a compat ABI that shares the target's validated
	// entries. shared, then, marks by id the names every ABI has, which
	// are the target's calls: gather leaves them to it, unless the notes
	// they would take again, merged away in the end, could count toward
	// maxNotes (notesBelowBound). maxShared is set when the highest
	// number kept is such a name's.
	shares    bool
	shared    []bool
	maxShared bool
	// dropped counts the notes beyond maxNotes; firstStrict and nStrict
	// are the notes Strict makes errors.
	dropped     int
	firstStrict string
	nStrict     int
	// others are the arches beside the target, looked up for a name the
	// target lacks.
	others []seccomp.Arch
	// calls gather the rules per system call number, in profile order;
	// byNr indexes them by number from the table's base (index+1, 0 for
	// none), and far by numbers beyond byNr's reach. maxNr is the
	// highest number kept.
	calls []call
	byNr  []int32
	far   map[int]int32
	maxNr int
	// conds is an arena that entries' conditions are cut from; ids one
	// their names' ids (nameSlots.id) are.
	conds []seccomp.Cond
	ids   []int32
	slots *nameSlots
	// pending are the calls' conditional rules, a list per call.
	// condRules bounds them: as many as the entries' names make.
	pending     []pendingRule
	condRules   int
	listScratch []int32
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
	r := &resolver{arch: arch, host: arch, table: tableOf(arch), caps: opts.Caps, enosys: !opts.NoENOSYS, strict: opts.Strict}
	if opts.Kernel != "" {
		k, err := parseKernel(opts.Kernel)
		if err != nil {
			return nil, err
		}
		r.kernel = &k
	}
	return r, nil
}

// full reports whether the notes have reached maxNotes.
func (r *resolver) full() bool { return len(r.notes)+r.counted >= maxNotes }

// skipNote counts a note without formatting it, and reports true, once
// the notes are full (and, for a strict note, the first strict one is
// kept): a hostile profile may earn millions.
func (r *resolver) skipNote(strict bool) bool {
	if !r.full() || strict && r.nStrict == 0 {
		return false
	}
	r.dropped++
	if strict {
		r.nStrict++
	}
	return true
}

// notef takes a note that cannot change what the filter decides, or on
// what runc skips too.
func (r *resolver) notef(format string, args ...any) {
	if r.full() {
		r.dropped++ // counted, not formatted: a hostile profile may have millions
		return
	}
	r.notes = append(r.notes, fmt.Sprintf(format, args...))
}

// strictf takes a note on what may change what the filter decides: an
// error under Options.Strict.
func (r *resolver) strictf(format string, args ...any) {
	r.nStrict++
	if r.full() {
		r.dropped++
		if r.nStrict == 1 {
			r.firstStrict = fmt.Sprintf(format, args...)
		}
		return
	}
	note := fmt.Sprintf(format, args...)
	if r.nStrict == 1 {
		r.firstStrict = note
	}
	r.notes = append(r.notes, note)
}

// label names entry i.
func (r *resolver) label(i int) string { return r.doc.label(i) }

// call gathers the rules of one system call, in libseccomp's terms.
type call struct {
	nr int32
	id int32 // its name's id (nameSlots.id)
	// onAll is set when every ABI of the policy has the call, with the
	// same rules (resolveDocument).
	onAll bool
	// state is the entry of the first unconditional rule, plus one, whose
	// action overrides every conditional rule; or, below 0, minus the
	// call's last conditional rule in resolver.pending, plus one (the
	// rules are a list from the last to the first); 0 for no rule yet.
	state int32
}

// pendingRule is a conditional rule of a call, and the entry it came from.
type pendingRule struct {
	rule seccomp.Rule
	from int32
	prev int32 // the call's rule before it in resolver.pending, plus one; 0 ends
}

// callFor returns the call of number nr, named by id, adding it if new.
func (r *resolver) callFor(nr int, id int32) *call {
	const near = 1 << 16 // numbers byNr indexes; the rest go to far
	if i := nr - r.table.base; i >= 0 && i < near {
		if i >= len(r.byNr) {
			r.byNr = append(r.byNr, make([]int32, max(i+1, 2*len(r.byNr), 512)-len(r.byNr))...)
		}
		if k := r.byNr[i]; k != 0 {
			return &r.calls[k-1]
		}
		r.calls = append(r.calls, call{nr: int32(nr), id: id})
		r.byNr[i] = int32(len(r.calls))
		return &r.calls[len(r.calls)-1]
	}
	if k, ok := r.far[nr]; ok {
		return &r.calls[k-1]
	}
	if r.far == nil {
		r.far = map[int]int32{}
	}
	r.calls = append(r.calls, call{nr: int32(nr), id: id})
	r.far[nr] = int32(len(r.calls))
	return &r.calls[len(r.calls)-1]
}

// named reports whether a call of number nr has rules.
func (r *resolver) named(nr int) bool {
	if i := nr - r.table.base; i >= 0 && i < len(r.byNr) {
		return r.byNr[i] != 0
	}
	_, ok := r.far[nr]
	return ok
}

// prepare validates the whole profile, and what Docker's filters keep of
// each entry for the target.
func (r *resolver) prepare(doc *document) error {
	r.doc = doc
	if doc.ociSyscalls {
		return fmt.Errorf("syscalls: set both in the OCI object and in Docker's list")
	}
	r.decodingNotes()
	defRet, err := r.errnoRet(-1, doc.defaultErrno, doc.defaultErrnoRet, "defaultErrno", "defaultErrnoRet")
	if err != nil {
		return err
	}
	def, err := action(doc.defaultAction, defRet)
	if err != nil {
		return fmt.Errorf("defaultAction: %w", err)
	}
	if def == seccomp.Notify {
		// Every call, the supervisor's own included, would wait on it.
		return fmt.Errorf("defaultAction: %s cannot be the default (runc refuses it)", doc.defaultAction)
	}
	r.def = def
	if err := r.resolveArches(doc); err != nil {
		return err
	}
	if len(doc.flags) != 0 {
		r.notef("flags %v: load-time flags, not part of the program: ignored", doc.flags)
	}

	names, args := 0, 0
	for i := range doc.syscalls {
		sc := &doc.syscalls[i]
		if sc.name != "" {
			names++
		} else {
			names += len(sc.names)
		}
		args += len(sc.args)
	}
	r.slots = syscallSlots()
	r.conds = make([]seccomp.Cond, 0, min(args, seccomp.MaxConds)) // the policy's: not scratch
	if r.mem != nil {
		r.mem.ids, r.mem.entries = grow(r.mem.ids, names)[:0], grow(r.mem.entries, len(doc.syscalls))
		r.ids, r.entries = r.mem.ids, r.mem.entries
	} else {
		r.ids, r.entries = make([]int32, 0, names), make([]entry, len(doc.syscalls))
	}
	for i := range doc.syscalls {
		e := &r.entries[i]
		if err := r.entry(i, e); err != nil {
			return err
		}
		if e.keep && e.action != r.def && !e.never && !e.uncond {
			if e.split {
				r.condRules += len(e.names) * len(e.conds)
			} else {
				r.condRules += len(e.names)
			}
		}
	}
	r.names = len(r.ids)
	return nil
}

// gather turns the entries Docker's filters keep into the calls of the
// ABI's numbers, cut from calls.
func (r *resolver) gather(calls []call) {
	r.calls = calls
	r.maxNr = -1
	var unknownBuf, typosBuf [128]string // most entries' fit
	unknown, typos := unknownBuf[:0], typosBuf[:0]
	for i := range r.entries {
		e := &r.entries[i]
		unknown, typos = unknown[:0], typos[:0]
		for j, name := range e.names {
			id := e.ids[j]
			var nr int
			var ok bool
			if id >= 0 { // table.number, written out for its common case
				nr = int(r.table.byID[id])
				ok = nr >= 0
			} else {
				nr, ok = r.table.number(r.arch, id, name)
			}
			if !ok {
				if id >= 0 || r.knownElsewhere(id, name) {
					unknown = append(unknown, name)
				} else {
					typos = append(typos, name)
				}
				continue
			}
			if !e.keep {
				continue
			}
			skip := id >= 0 && r.shared != nil && r.shared[id]
			if nr > r.maxNr {
				r.maxNr, r.maxShared = nr, skip
			}
			if e.action == r.def {
				continue // runc drops the rule: libseccomp refuses it
			}
			if e.never || skip {
				continue // the rule never applies, or the target has it
			}
			if c := r.callFor(nr, id); e.uncond && c.state == 0 {
				c.state = int32(i) + 1 // addRules' common case: the call's first rule, unconditional
			} else {
				r.addRules(c, i, e)
			}
		}
		if len(typos) != 0 && !r.skipNote(true) {
			r.strictf("%s: %s unknown to every arch: skipped", r.label(i), quoteList(typos))
		}
		if len(unknown) != 0 && e.keep && !r.skipNote(false) {
			// As notef would make it: the one note most profiles take on
			// each ABI, a long one, not worth fmt's scan.
			if r.full() {
				r.dropped++
			} else {
				r.notes = append(r.notes, r.unknownNote(i, unknown))
			}
		}
		if e.split && e.keep && e.action != r.def && !r.skipNote(true) {
			r.strictf("%s: several args on one index: each arg is a rule of its own (OR), as runc makes it", r.label(i))
		}
	}
}

// unknownNote is the note on entry i's names unknown on the ABI:
// "<label>: <names, quoted> unknown on <arch>: skipped".
func (r *resolver) unknownNote(i int, unknown []string) string {
	size := len(" unknown on : skipped") + 32 + len(r.arch.String())
	for _, n := range unknown {
		size += len(n) + 4
	}
	sc := &r.doc.syscalls[i]
	if sc.name != "" {
		size += len(sc.name)
	} else if len(sc.names) != 0 {
		size += len(sc.names[0])
	}
	b := appendEntryLabel(make([]byte, 0, size), i, sc.name, sc.names)
	b = append(appendQuoteList(append(b, ": "...), unknown), " unknown on "...)
	b = append(append(b, r.arch.String()...), ": skipped"...)
	return unsafe.String(unsafe.SliceData(b), len(b)) // b is not used again, as strings.Builder does
}

// stub reports whether the ABI's policy needs runc's ENOSYS stub entry:
// the highest name has only rules that runc drops, yet it still bounds
// runc's ENOSYS range. A default rule keeps the number in the policy
// without changing its outcome.
func (r *resolver) stub() bool {
	return r.enosys && !permissive(r.def) && r.maxNr > 0 && !r.maxShared && !r.named(r.maxNr)
}

// notesBelowBound reports whether the notes gather may take cannot bring
// r's to maxNotes: three an entry, and one a name and a conditional rule
// (addRules' on rules it drops).
func (r *resolver) notesBelowBound() bool {
	return len(r.notes)+r.counted+3*len(r.entries)+len(r.ids)+r.condRules < maxNotes
}

// emitter hands out the rules of the policy's entries: the conditional
// ones cut from one array, and one shared rule per unconditional action.
type emitter struct {
	rules  []seccomp.Rule
	uncond [8]seccomp.Action
	shared [8][]seccomp.Rule
	n      int
	// from are a call's rules' entries, for noteOverlaps.
	from []int32
}

// only returns a rule list of one unconditional rule, shared by every call
// of that action: its length is its capacity, so that appending copies.
func (em *emitter) only(a seccomp.Action) []seccomp.Rule {
	for i := range em.n {
		if em.uncond[i] == a {
			return em.shared[i]
		}
	}
	rules := []seccomp.Rule{{Action: a}}
	if em.n < len(em.shared) {
		em.uncond[em.n], em.shared[em.n] = a, rules
		em.n++
	}
	return rules
}

// onAll reports whether every ABI has call c of ABI a: the target r, and
// its compat ABIs subs.
func onAll(a, r *resolver, subs []resolver, c *call) bool {
	if c.id >= 0 { // table.number, written out for its common case
		if r.table.byID[c.id] < 0 {
			return false
		}
		for k := range subs {
			if subs[k].table.byID[c.id] < 0 {
				return false
			}
		}
		return true
	}
	name := a.table.name(a.arch, int(c.nr)) // a name libseccomp lacks, looked up by name
	if _, ok := r.table.number(r.arch, c.id, name); !ok {
		return false
	}
	for k := range subs {
		if _, ok := subs[k].table.number(subs[k].arch, c.id, name); !ok {
			return false
		}
	}
	return true
}

// emit appends the ABI's calls to syscalls, as entries for arch on (0:
// every ABI of the policy), and notes conditional rules that overlap. The
// calls every ABI has (call.onAll) are the target's (first) to emit, as
// entries of every ABI.
func (r *resolver) emit(em *emitter, syscalls []seccomp.Syscall, on seccomp.Arch, first bool) []seccomp.Syscall {
	for i := range r.calls {
		c := &r.calls[i]
		at := on
		if c.onAll {
			if !first {
				continue
			}
			at = 0
		}
		name := r.table.name(r.arch, int(c.nr))
		if c.state > 0 {
			syscalls = put(syscalls, name, int(c.nr), em.only(r.entries[c.state-1].action), at)
			continue
		}
		n := 0
		for p := -c.state; p != 0; p = r.pending[p-1].prev {
			n++
		}
		rules := em.rules[:n:n]
		em.rules = em.rules[n:]
		em.from = slices.Grow(em.from[:0], n)[:n]
		for k, p := n-1, -c.state; p != 0; k, p = k-1, r.pending[p-1].prev {
			rules[k], em.from[k] = r.pending[p-1].rule, r.pending[p-1].from
		}
		r.noteOverlaps(name, rules, em.from)
		syscalls = put(syscalls, name, int(c.nr), rules, at)
	}
	if r.stub() {
		syscalls = put(syscalls, r.table.name(r.arch, r.maxNr), r.maxNr, em.only(r.def), on)
	}
	return syscalls
}

// put appends an entry to s field by field: two fields' write barriers,
// where appending a whole Syscall while the collector runs moves it under
// a bulk barrier, which walks the type's pointers.
//
// Every entry has its number beside its name, which spares the compiler
// a lookup of the name: an entry of every ABI of a policy of several, its
// number on the target (Syscall.Nr).
func put(s []seccomp.Syscall, name string, nr int, rules []seccomp.Rule, on seccomp.Arch) []seccomp.Syscall {
	n := len(s)
	if n == cap(s) {
		s = append(s, seccomp.Syscall{})
	} else {
		s = s[:n+1]
	}
	e := &s[n]
	e.Name, e.Nr, e.Rules, e.Arch = name, nr, rules, on
	return s
}

// knownElsewhere reports whether a name the target lacks is a system call
// of another arch: one of seccomp.Arches(), or one libseccomp knows (id,
// its id, is not -1).
func (r *resolver) knownElsewhere(id int32, name string) bool {
	// libseccomp's table knows nearly every name; the arches' tables the
	// few it may lack.
	if id >= 0 {
		return true
	}
	if r.others == nil {
		r.others = slices.DeleteFunc(seccomp.Arches(), func(a seccomp.Arch) bool { return a == r.arch })
	}
	for _, a := range r.others {
		if _, ok := a.SyscallNumber(name); ok {
			return true
		}
	}
	return false
}

// decodingNotes turns the notes decoding took into the resolver's, each
// naming its entry, its field and where it stands.
func (r *resolver) decodingNotes() {
	line, lineStart, at := 1, 0, 0 // position, carried from note to note
	src := r.doc.src
	for _, n := range r.doc.pending {
		if r.skipNote(true) {
			continue
		}
		if n.off < at {
			line, lineStart, at = 1, 0, 0
		}
		for ; at < n.off; at++ {
			if src[at] == '\n' {
				line, lineStart = line+1, at+1
			}
		}
		where := ""
		if n.entry >= 0 {
			where = r.label(n.entry) + ": "
		}
		if n.path != "" {
			where += n.path
			if n.index >= 0 {
				where += fmt.Sprintf("[%d]", n.index)
			}
			where += ": "
		}
		pos := fmt.Sprintf("line %d, column %d", line, n.off-lineStart+1)
		switch n.kind {
		case noteUnknown:
			r.strictf("%sunknown field %q (%s): ignored", where, n.key, pos)
		case noteFolded:
			r.strictf("%sfield %q (%s) read as %q, as encoding/json (runc, Docker) reads it; a reader that minds case ignores it", where, n.key, pos, n.field)
		case noteDuplicate:
			r.strictf("%sfield %q given twice (%s): the last counts, as encoding/json (runc, Docker) reads it", where, n.key, pos)
		}
	}
}

// errnoRet is the errno entry i (-1 for the default) returns:
// containers/common's errno, a name or a number, wins over errnoRet.
func (r *resolver) errnoRet(i int, errno string, ret optUint, errnoField, retField string) (optUint, error) {
	if errno == "" {
		return ret, nil
	}
	prefix := ""
	if i >= 0 {
		prefix = r.label(i) + ": "
	}
	n, err := errnoNumber(targets[r.arch].scmp, errno)
	if err != nil {
		return optUint{}, fmt.Errorf("%s%s: %w", prefix, errnoField, err)
	}
	// errnoRet written beside a name in Linux's generic numbers (as
	// containers/common's own profile has it: "ENOSYS" and 38) names
	// the same error on MIPS, where the name's number is another.
	if generic, _ := errnoNumber("", errno); ret.set && ret.v != n && ret.v != generic {
		r.strictf("%s%s %q (%d) and %s %d differ: %s counts, as containers/common reads it; Docker reads %s",
			prefix, errnoField, errno, n, retField, ret.v, errnoField, retField)
	}
	return optUint{n, true}, nil
}

// addRules adds entry i's rules to a call with libseccomp's precedence,
// and notes the rules it drops that would have decided otherwise.
func (r *resolver) addRules(c *call, i int, e *entry) {
	dropped := func(from int, a seccomp.Action, by int, uncond seccomp.Action) {
		if a != uncond && !r.skipNote(false) {
			name := r.table.name(r.arch, int(c.nr))
			// libseccomp drops it too: a skip, not a change of meaning
			// from runc's.
			r.notef("%s: %q rule (%s) dropped: %s decides %s unconditionally", r.label(from), name, a, r.label(by), uncond)
		}
	}
	if c.state > 0 {
		by := int(c.state - 1)
		dropped(i, e.action, by, r.entries[by].action)
		return
	}
	if e.uncond {
		if c.state < 0 {
			// The call's conditional rules, first to last.
			list := r.listScratch[:0]
			for p := -c.state; p != 0; p = r.pending[p-1].prev {
				list = append(list, p-1)
			}
			for k := len(list) - 1; k >= 0; k-- {
				pr := &r.pending[list[k]]
				dropped(int(pr.from), pr.rule.Action, i, e.action)
			}
			r.listScratch = list
		}
		c.state = int32(i) + 1
		return
	}
	add := func(rule seccomp.Rule) {
		r.pending = append(r.pending, pendingRule{rule: rule, from: int32(i), prev: -c.state})
		c.state = -int32(len(r.pending))
	}
	if e.split {
		for k := range e.conds {
			add(seccomp.Rule{Action: e.action, Conds: e.conds[k : k+1 : k+1]})
		}
		return
	}
	add(seccomp.Rule{Action: e.action, Conds: e.conds})
}

// maxOverlapRules bounds the rules of one call that noteOverlaps compares
// pairwise: more could not fit the kernel's 4,096 instructions anyway.
const maxOverlapRules = 4096

// noteOverlaps notes conditional rules of one call that may both hold and
// decide differently; from are the entries the rules came from. The policy
// tries them in profile order; libseccomp orders a syscall's rules its own
// way (by argument index, then operator), so for an argument vector both
// hold for, runc's filter may decide otherwise.
func (r *resolver) noteOverlaps(name string, rules []seccomp.Rule, from []int32) {
	if len(rules) > maxOverlapRules {
		return
	}
	for i, a := range rules {
		for j := i + 1; j < len(rules); j++ {
			if b := rules[j]; a.Action != b.Action && !disjoint(a.Conds, b.Conds) {
				if r.skipNote(true) {
					return
				}
				r.strictf("%s and %s: %q rules (%s, %s) may both hold: tried in profile order, where libseccomp may order them otherwise",
					r.label(int(from[i])), r.label(int(from[j])), name, a.Action, b.Action)
				return
			}
		}
	}
}

// disjoint reports whether two lists of conditions can never both hold,
// by the simplest proof: one fixes an argument's value by equality, and
// the other has a condition on that argument that the value fails.
func disjoint(a, b []seccomp.Cond) bool {
	for _, x := range a {
		for _, y := range b {
			if x.Arg != y.Arg {
				continue
			}
			if x.Op == seccomp.OpEqual && !holds(y, x.Value) || y.Op == seccomp.OpEqual && !holds(x, y.Value) {
				return true
			}
		}
	}
	return false
}

// holds reports whether a 64-bit condition holds for argument value v.
func holds(c seccomp.Cond, v uint64) bool {
	switch c.Op {
	case seccomp.OpEqual:
		return v == c.Value
	case seccomp.OpNotEqual:
		return v != c.Value
	case seccomp.OpLess:
		return v < c.Value
	case seccomp.OpLessEqual:
		return v <= c.Value
	case seccomp.OpGreater:
		return v > c.Value
	case seccomp.OpGreaterEqual:
		return v >= c.Value
	case seccomp.OpMaskedEqual:
		return v&c.Mask == c.Value
	}
	return true // unknown: no proof
}

// permissive reports whether runc leaves out its ENOSYS patch for a default
// action: one that lets system calls run.
func permissive(a seccomp.Action) bool {
	return a == seccomp.Allow || a == seccomp.Log || a.Ret()&^0xFFFF == seccomp.Trace(0).Ret()
}

// entry is one validated syscalls[] entry.
type entry struct {
	names  []string
	ids    []int32 // the names' ids (nameSlots.id)
	action seccomp.Action
	// conds are the entry's conditions, those that always hold left out.
	// With split unset they make one rule (AND); with split set, two
	// args share an index and runc made each arg a rule of its own (OR).
	// uncond is set when no condition is left, or when one of the ORed
	// rules always holds.
	conds  []seccomp.Cond
	split  bool
	uncond bool
	// never is set when no rule of the entry can hold: its one rule
	// (AND) has a condition that never holds, or every ORed one has.
	never bool
	// keep is whether Docker's filters keep the entry for the target.
	keep bool
}

func (r *resolver) entry(i int, e *entry) error {
	sc := &r.doc.syscalls[i]
	if sc.null {
		return fmt.Errorf("syscalls[%d]: null entry", i)
	}
	wrap := func(field string, err error) error {
		return fmt.Errorf("%s: %s: %w", r.label(i), field, err)
	}
	switch {
	case sc.name != "" && len(sc.names) != 0:
		return fmt.Errorf("%s: name and names are both set: use one", r.label(i))
	case sc.name != "":
		e.names = []string{sc.name}
	case len(sc.names) == 0:
		return fmt.Errorf("%s: no name or names", r.label(i))
	default:
		e.names = sc.names
	}
	lo := len(r.ids)
	for j, name := range e.names {
		if name == "" {
			return fmt.Errorf("%s: names[%d]: empty name", r.label(i), j)
		}
		r.ids = append(r.ids, r.slots.id(name))
	}
	e.ids = r.ids[lo:len(r.ids):len(r.ids)]
	ret, err := r.errnoRet(i, sc.errno, sc.errnoRet, "errno", "errnoRet")
	if err != nil {
		return err
	}
	act, err := action(sc.action, ret)
	if err != nil {
		return wrap("action", err)
	}
	e.action = act

	lo = len(r.conds)
	var perIndex [6]int
	always, never := false, false
	for j, a := range sc.args {
		c, err := cond(a)
		if err != nil {
			return wrap(fmt.Sprintf("args[%d]", j), err)
		}
		perIndex[c.Arg]++
		if perIndex[c.Arg] > 1 {
			e.split = true
		}
		// A condition that always holds is no condition: libseccomp
		// drops it, and a rule left with none is unconditional.
		if alwaysHolds(c) {
			always = true
			continue
		}
		never = never || neverHolds(c)
		r.conds = append(r.conds, c)
	}
	hi := len(r.conds)
	e.conds = r.conds[lo:hi:hi]
	switch {
	case len(sc.args) == 0:
		e.uncond = true
	case e.split:
		e.uncond = always // one of the ORed rules always holds
		if !e.uncond && never {
			// The ORed rule of a condition that never holds never
			// applies; runc's filter tests it in vain.
			e.conds = slices.DeleteFunc(e.conds, neverHolds)
			e.never = len(e.conds) == 0
		}
	default:
		e.uncond = hi == lo
		e.never = never // the one rule (AND) never applies
	}
	if e.uncond {
		e.conds = nil
	}

	inc, err := r.matches(sc.includes)
	if err != nil {
		return wrap("includes", err)
	}
	exc, err := r.matches(sc.excludes)
	if err != nil {
		return wrap("excludes", err)
	}
	e.keep = (sc.includes == nil || inc.all) && (sc.excludes == nil || !exc.any)
	if never && !e.uncond && e.keep {
		for j, a := range sc.args {
			if c, _ := cond(a); neverHolds(c) && !r.skipNote(true) {
				r.strictf("%s: args[%d] (%s) can never hold (comparisons are unsigned): its rule never applies", r.label(i), j, c)
			}
		}
	}
	if err := r.checkCaps(i, sc.includes, "includes"); err != nil {
		return err
	}
	return r.checkCaps(i, sc.excludes, "excludes")
}

// filterResult says which of a filter's conditions hold: all that it sets,
// or any of them.
type filterResult struct{ all, any bool }

// matches evaluates a Docker filter for the target; an unset filter sets
// nothing, so that all its conditions hold and none does.
func (r *resolver) matches(f *docFilter) (filterResult, error) {
	res := filterResult{all: true}
	if f == nil {
		return res, nil
	}
	check := func(ok bool) {
		res.all = res.all && ok
		res.any = res.any || ok
	}
	if len(f.arches) != 0 {
		for j, a := range f.arches {
			if !dockerArches[a] {
				return res, fmt.Errorf("arches[%d]: unknown arch %q (Docker's names: amd64, arm64, riscv64, x86, x32, arm, ...)", j, a)
			}
		}
		check(slices.Contains(f.arches, targets[r.host].docker))
	}
	// includes needs every cap; excludes drops the entry on any.
	for _, c := range f.caps {
		check(slices.Contains(r.caps, c))
	}
	if f.hasKernel {
		check(r.kernel == nil || !r.kernel.less(f.minKernel))
	}
	return res, nil
}

// checkCaps notes capability names Linux does not have: Docker compares
// them with the process's capabilities, which never include them, so that
// the entry's filter cannot mean what its author meant.
func (r *resolver) checkCaps(i int, f *docFilter, field string) error {
	if f == nil {
		return nil
	}
	for j, c := range f.caps {
		if !slices.Contains(linuxCaps[:], c) && !r.skipNote(true) {
			r.strictf("%s: %s: caps[%d]: unknown capability %q: no process has it", r.label(i), field, j, c)
		}
	}
	return nil
}

// resolveArches checks the profile's arches and, for the target, takes
// those it lists beside it (architectures, or the target's archMap entry)
// as the ABIs to compile with it, noting those without a syscall table,
// which the program leaves to the bad-arch action.
func (r *resolver) resolveArches(doc *document) error {
	if len(doc.architectures) != 0 && len(doc.archMap) != 0 {
		return fmt.Errorf("architectures and archMap are both set: use one")
	}
	for i, a := range doc.architectures {
		if !scmpArches[specs.Arch(a)] {
			return fmt.Errorf("architectures[%d]: unknown arch %q", i, a)
		}
	}
	listed := doc.architectures
	var mapped []string
	target := string(targets[r.host].scmp)
	for i, m := range doc.archMap {
		if !scmpArches[specs.Arch(m.arch)] {
			return fmt.Errorf("archMap[%d].architecture: unknown arch %q", i, m.arch)
		}
		for j, sub := range m.subArches {
			if !scmpArches[specs.Arch(sub)] {
				return fmt.Errorf("archMap[%d].subArchitectures[%d]: unknown arch %q", i, j, sub)
			}
		}
		if m.arch == target && listed == nil && mapped == nil {
			mapped = m.subArches
			if mapped == nil {
				mapped = []string{}
			}
		}
	}
	var others []string
	for _, list := range [][]string{listed, mapped} {
		for _, a := range list {
			if a != target && !slices.Contains(others, a) {
				others = append(others, a)
			}
		}
	}
	if r.isCompat {
		return nil
	}
	var unsupported []string
	for _, name := range others {
		abi, ok := scmpTarget(name)
		if !ok {
			unsupported = append(unsupported, name)
			continue
		}
		r.compat = append(r.compat, abi)
	}
	if len(unsupported) != 0 {
		r.archNotes++ // a note a compat ABI does not take
		r.notef("architectures: %s not compiled (known, but no syscall table here): their system calls get the bad-arch action, %s",
			strings.Join(unsupported, ", "), seccomp.KillThread)
	}
	return nil
}

// action converts a libseccomp action name and its errnoRet.
func action(name string, errnoRet optUint) (seccomp.Action, error) {
	data := errnoRet.v
	noData := func(a seccomp.Action) (seccomp.Action, error) {
		if errnoRet.set {
			return 0, fmt.Errorf("%s takes no errnoRet (got %d)", name, data)
		}
		return a, nil
	}
	switch specs.LinuxSeccompAction(name) {
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
		if !errnoRet.set {
			return seccomp.Errno(syscall.EPERM), nil
		}
		if data > seccomp.MaxErrno {
			return 0, fmt.Errorf("errnoRet %d out of range 0..%d", data, seccomp.MaxErrno)
		}
		return seccomp.Errno(syscall.Errno(data)), nil
	case specs.ActTrace:
		if !errnoRet.set {
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

// op converts a libseccomp comparison name.
func op(name string) (seccomp.Op, bool) {
	switch specs.LinuxSeccompOperator(name) {
	case specs.OpEqualTo:
		return seccomp.OpEqual, true
	case specs.OpNotEqual:
		return seccomp.OpNotEqual, true
	case specs.OpLessThan:
		return seccomp.OpLess, true
	case specs.OpLessEqual:
		return seccomp.OpLessEqual, true
	case specs.OpGreaterThan:
		return seccomp.OpGreater, true
	case specs.OpGreaterEqual:
		return seccomp.OpGreaterEqual, true
	case specs.OpMaskedEqual:
		return seccomp.OpMaskedEqual, true
	}
	return 0, false
}

// cond converts one arg into a 64-bit condition.
func cond(a docArg) (seccomp.Cond, error) {
	if a.index > 5 {
		return seccomp.Cond{}, fmt.Errorf("index %d out of range 0..5", a.index)
	}
	o, ok := op(a.op)
	if !ok {
		if a.op == "" {
			return seccomp.Cond{}, fmt.Errorf("op missing")
		}
		return seccomp.Cond{}, fmt.Errorf("unknown op %q", a.op)
	}
	c := seccomp.Cond{Arg: int(a.index), Op: o, Value: a.value, Width: 64}
	if o == seccomp.OpMaskedEqual {
		// libseccomp masks the datum too: arg & value == valueTwo & value.
		c.Mask, c.Value = a.value, a.valueTwo&a.value
	}
	return c, nil
}

// neverHolds reports whether a 64-bit condition holds for no argument:
// arg < 0, arg > 2^64-1 (a masked equal's datum is masked, so it cannot
// have bits outside the mask).
func neverHolds(c seccomp.Cond) bool {
	return c.Op == seccomp.OpLess && c.Value == 0 || c.Op == seccomp.OpGreater && c.Value == math.MaxUint64
}

// alwaysHolds reports whether libseccomp drops the condition as one that
// holds for every argument: a masked-equal with mask 0.
func alwaysHolds(c seccomp.Cond) bool {
	return c.Op == seccomp.OpMaskedEqual && c.Mask == 0
}

// quoteList quotes names as %q would, joined by ", ".
func quoteList(names []string) string { return string(appendQuoteList(nil, names)) }

func appendQuoteList(b []byte, names []string) []byte {
	for i, n := range names {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = appendQuoted(b, n)
	}
	return b
}

// appendQuoted appends s quoted as %q would.
func appendQuoted(b []byte, s string) []byte {
	if plain(s) {
		return append(append(append(b, '"'), s...), '"') // as %q would, without its scan
	}
	return strconv.AppendQuote(b, s)
}

// plain reports whether a name is made of what system call names are:
// lower-case letters, digits and underscores.
func plain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}
