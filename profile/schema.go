package profile

import (
	"fmt"
	"math/bits"
	"strconv"
	"strings"

	"github.com/sandboxkit/seccomp"
)

// The fields of each object of the schema: the union of what the OCI
// runtime spec's LinuxSeccomp (runtime-spec v1.3.0), Docker's format
// (github.com/moby/profiles/seccomp v0.3.0) and containers/common's
// (pkg/seccomp/types.go: errno, defaultErrno) define. Any other field is
// noted.
var (
	topFields     = []string{"defaultAction", "defaultErrnoRet", "defaultErrno", "architectures", "flags", "listenerPath", "listenerMetadata", "archMap", "syscalls"}
	archMapFields = []string{"architecture", "subArchitectures"}
	syscallFields = []string{"names", "name", "action", "errnoRet", "errno", "args", "comment", "includes", "excludes"}
	argFields     = []string{"index", "value", "valueTwo", "op"}
	filterFields  = []string{"caps", "arches", "minKernel"}
)

// noteKind is what a decoding note is about.
type noteKind uint8

const (
	noteUnknown   noteKind = iota // a field the schema lacks
	noteFolded                    // a field spelled in another case
	noteDuplicate                 // a field given twice
)

// pendingNote is a decoding note, kept until the entry's names are known.
type pendingNote struct {
	kind  noteKind
	entry int    // syscalls[] index, or -1
	path  string // the object within the entry or the document: "args", "includes", ...
	index int    // within path's array, or -1
	key   string // the field as written
	field string // the schema's field it was read as
	off   int
}

// field finds key among fields: exactly, else case-insensitively as
// encoding/json does (which is how runc and Docker read it). It notes an
// unknown, folded or duplicate field, and returns -1 for an unknown one,
// which the caller skips. seen has bit i set for each field i read.
func (d *decoder) field(key string, off int, fields []string, seen *uint16, path string, index int, merging uint16) (int, error) {
	f := exactField(key, fields)
	if f < 0 {
		for i, name := range fields {
			if strings.EqualFold(key, name) {
				f = i
				d.note(noteFolded, path, index, key, name, off)
				break
			}
		}
	}
	if f < 0 {
		d.note(noteUnknown, path, index, key, "", off)
		return -1, nil
	}
	if *seen&(1<<f) != 0 {
		if merging&(1<<f) != 0 {
			// encoding/json merges a second object into the first, and
			// a second array of objects into the first's elements: no
			// reader would guess what that means.
			where := fields[f]
			if path != "" {
				where = path + "." + where
			}
			return -1, &decodeError{off: off, path: where, typ: true, msg: "given twice: encoding/json, as runc reads it, merges the two; give it once"}
		}
		d.note(noteDuplicate, path, index, key, fields[f], off)
	}
	*seen |= 1 << f
	return f, nil
}

// exactField finds key among fields by a switch, which Go compiles to a
// search by length and content: cheaper than comparing with each name.
func exactField(key string, fields []string) int {
	i := -1
	switch key {
	case "defaultAction", "names", "architecture", "index", "caps":
		i = 0
	case "defaultErrnoRet", "name", "subArchitectures", "value", "arches":
		i = 1
	case "defaultErrno", "action", "valueTwo", "minKernel":
		i = 2
	case "architectures", "errnoRet", "op":
		i = 3
	case "flags", "errno":
		i = 4
	case "listenerPath", "args":
		i = 5
	case "listenerMetadata", "comment":
		i = 6
	case "archMap", "includes":
		i = 7
	case "syscalls", "excludes":
		i = 8
	}
	if i < 0 || i >= len(fields) || fields[i] != key {
		return -1 // a name of another object's schema
	}
	return i
}

func (d *decoder) note(kind noteKind, path string, index int, key, field string, off int) {
	d.doc.pending = append(d.doc.pending, pendingNote{kind: kind, entry: d.entry, path: path, index: index, key: key, field: field, off: off})
}

// top reads the document: a profile, or an OCI config.json, whose
// linux.seccomp it reads. It takes input as encoding/json's map of the top
// level would: a config has a "linux" key and neither "defaultAction" nor
// "syscalls".
func (d *decoder) top() error {
	if null, err := d.null(); null || err != nil {
		return err
	}
	start := d.pos
	var linux, hasAction, hasSyscalls bool
	if err := d.profile(func(key string) {
		switch key {
		case "linux":
			linux = true
		case "defaultAction":
			hasAction = true
		case "syscalls":
			hasSyscalls = true
		}
	}); err != nil {
		return err
	}
	if !linux || hasAction || hasSyscalls {
		return nil
	}

	// A config.json: read it again for the last linux.seccomp, as
	// encoding/json would take it, and nothing else of it.
	end := d.pos
	d.doc = &document{}
	d.pos = start
	seccomp := -1
	if err := d.open('{', "", "an object"); err != nil {
		return err
	}
	for first := true; ; first = false {
		key, _, ok, err := d.member(first)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		if !strings.EqualFold(key, "linux") {
			if err := d.skip(); err != nil {
				return err
			}
			continue
		}
		if null, err := d.null(); err != nil {
			return err
		} else if null {
			continue
		}
		if err := d.open('{', "config.json: linux", "an object"); err != nil {
			return err
		}
		for first := true; ; first = false {
			key, _, ok, err := d.member(first)
			if err != nil {
				return err
			}
			if !ok {
				break
			}
			if strings.EqualFold(key, "seccomp") {
				seccomp = d.pos
			}
			if err := d.skip(); err != nil {
				return err
			}
		}
	}
	d.pos = seccomp
	if seccomp < 0 {
		return fmt.Errorf("config.json: linux.seccomp: missing")
	}
	if null, err := d.null(); err != nil {
		return err
	} else if null {
		return fmt.Errorf("config.json: linux.seccomp: missing")
	}
	if err := d.profile(nil); err != nil {
		return err
	}
	d.pos = end
	return nil
}

// profile reads a profile object; sawKey, if set, sees every key.
func (d *decoder) profile(sawKey func(string)) error {
	if err := d.open('{', "", "an object"); err != nil {
		return err
	}
	doc := d.doc
	var seen uint16
	for first := true; ; first = false {
		key, off, ok, err := d.member(first)
		if err != nil {
			return err
		}
		if !ok {
			return nil
		}
		if sawKey != nil {
			sawKey(key)
		}
		f, err := d.field(key, off, topFields, &seen, "", -1, 1<<7|1<<8) // archMap, syscalls
		if err != nil {
			return err
		}
		switch f {
		case 0:
			doc.defaultAction, err = d.string("defaultAction")
		case 1:
			doc.defaultErrnoRet, err = d.uint("defaultErrnoRet", strconv.IntSize)
		case 2:
			doc.defaultErrno, err = d.string("defaultErrno")
		case 3:
			doc.architectures, err = d.strings("architectures")
		case 4:
			doc.flags, err = d.strings("flags")
		case 5:
			doc.listenerPath, err = d.string("listenerPath")
		case 6:
			doc.listenerMetadata, err = d.string("listenerMetadata")
		case 7:
			err = d.archMap()
		case 8:
			err = d.syscalls()
		default:
			err = d.skip()
		}
		if err != nil {
			return err
		}
	}
}

func (d *decoder) archMap() error {
	d.doc.archMap = nil
	if null, err := d.null(); null || err != nil {
		return err
	}
	if err := d.open('[', "archMap", "an array"); err != nil {
		return err
	}
	for first := true; ; first = false {
		more, err := d.elem(first)
		if err != nil || !more {
			return err
		}
		var m archMapping
		if null, err := d.null(); err != nil {
			return err
		} else if !null {
			if err := d.open('{', "archMap", "an object"); err != nil {
				return err
			}
			var seen uint16
			for first := true; ; first = false {
				key, off, ok, err := d.member(first)
				if err != nil {
					return err
				}
				if !ok {
					break
				}
				f, err := d.field(key, off, archMapFields, &seen, "archMap", len(d.doc.archMap), 0)
				if err != nil {
					return err
				}
				switch f {
				case 0:
					m.arch, err = d.string("archMap.architecture")
				case 1:
					m.subArches, err = d.strings("archMap.subArchitectures")
				default:
					err = d.skip()
				}
				if err != nil {
					return err
				}
			}
		}
		if d.doc.archMap == nil {
			// Room for what real profiles have (Docker's: 9) in one
			// allocation, not five; none for an empty archMap, which
			// stays nil.
			d.doc.archMap = make([]archMapping, 0, 16)
		}
		d.doc.archMap = append(d.doc.archMap, m)
	}
}

func (d *decoder) syscalls() error {
	d.doc.syscalls = nil
	if null, err := d.null(); null || err != nil {
		return err
	}
	if err := d.open('[', "syscalls", "an array"); err != nil {
		return err
	}
	// Every entry is an object: room for as many as the input has, up to
	// what a real profile has; more grow as they come.
	d.doc.syscalls = d.mem.syscalls.take(min(strings.Count(d.src[d.pos:], "{")/2, 256))
	for first := true; ; first = false {
		more, err := d.elem(first)
		if err != nil || !more {
			return err
		}
		if len(d.doc.syscalls) == seccomp.MaxRules {
			// Each entry is a rule at least: the core would refuse the
			// policy, so stop before reading (and holding) the rest.
			return fmt.Errorf("syscalls: over %d entries (seccomp.MaxRules): %w", seccomp.MaxRules, seccomp.ErrTooLarge)
		}
		d.doc.syscalls = append(d.doc.syscalls, docSyscall{})
		if err := d.syscall(&d.doc.syscalls[len(d.doc.syscalls)-1], len(d.doc.syscalls)-1); err != nil {
			return err
		}
	}
}

// syscall reads one syscalls[] entry.
func (d *decoder) syscall(e *docSyscall, i int) error {
	if entryFastPath && d.syscallFast(e) {
		return nil
	}
	if null, err := d.null(); err != nil || null {
		e.null = null
		return err
	}
	if err := d.open('{', "syscalls", "an object"); err != nil {
		return err
	}
	d.entry, d.entryStart = i, d.pos-1
	var seen uint16
	for first := true; ; first = false {
		key, off, ok, err := d.member(first)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		f, err := d.field(key, off, syscallFields, &seen, "", -1, 1<<5|1<<7|1<<8) // args, includes, excludes
		if err != nil {
			return err
		}
		switch f {
		case 0:
			e.names, err = d.strings("names")
		case 1:
			e.name, err = d.string("name")
		case 2:
			e.action, err = d.string("action")
		case 3:
			e.errnoRet, err = d.uint("errnoRet", strconv.IntSize)
		case 4:
			e.errno, err = d.string("errno")
		case 5:
			e.args, err = d.argList()
		case 6:
			e.comment, err = d.string("comment")
		case 7:
			e.includes, err = d.filter(includesPath)
		case 8:
			e.excludes, err = d.filter(excludesPath)
		default:
			err = d.skip()
		}
		if err != nil {
			return err
		}
	}
	// The resolver would refuse these too; refusing them here keeps the
	// memory a hostile profile of empty entries costs in proportion to
	// what a real entry costs.
	switch {
	case e.name == "" && len(e.names) == 0:
		return &decodeError{off: d.entryStart, typ: true, msg: "no name or names"}
	case e.action == "":
		return &decodeError{off: d.entryStart, typ: true, path: "action", msg: "missing"}
	}
	d.entry = -1
	return nil
}

func (d *decoder) argList() ([]docArg, error) {
	if null, err := d.null(); null || err != nil {
		return nil, err
	}
	if err := d.open('[', "args", "an array"); err != nil {
		return nil, err
	}
	lo := len(d.args)
	for first := true; ; first = false {
		more, err := d.elem(first)
		if err != nil {
			return nil, err
		}
		if !more {
			break
		}
		var a docArg
		if null, err := d.null(); err != nil {
			return nil, err
		} else if !null {
			if err := d.open('{', "args", "an object"); err != nil {
				return nil, err
			}
			var seen uint16
			for first := true; ; first = false {
				key, off, ok, err := d.member(first)
				if err != nil {
					return nil, err
				}
				if !ok {
					break
				}
				f, err := d.field(key, off, argFields, &seen, "args", len(d.args)-lo, 0)
				if err != nil {
					return nil, err
				}
				var u optUint
				switch f {
				case 0:
					u, err = d.uint("args.index", strconv.IntSize)
					if u.set {
						a.index = u.v
					}
				case 1:
					u, err = d.uint("args.value", 64)
					if u.set {
						a.value = u.v
					}
				case 2:
					u, err = d.uint("args.valueTwo", 64)
					if u.set {
						a.valueTwo = u.v
					}
				case 3:
					a.op, err = d.string("args.op")
				default:
					err = d.skip()
				}
				if err != nil {
					return nil, err
				}
			}
		}
		if len(d.args) == seccomp.MaxConds {
			// Each arg is a condition at least: the core would refuse.
			return nil, fmt.Errorf("args: over %d in all the entries (seccomp.MaxConds): %w", seccomp.MaxConds, seccomp.ErrTooLarge)
		}
		if d.args == nil {
			d.args = d.mem.args.take(64) // Docker's profile has 37
		}
		d.args = append(d.args, a)
	}
	hi := len(d.args)
	return d.args[lo:hi:hi], nil
}

// filterPath names a filter's fields in errors, without building strings.
type filterPath struct{ name, caps, arches, minKernel string }

var (
	includesPath = &filterPath{"includes", "includes.caps", "includes.arches", "includes.minKernel"}
	excludesPath = &filterPath{"excludes", "excludes.caps", "excludes.arches", "excludes.minKernel"}
)

// filter reads includes or excludes; null is nil. Filters are cut from an
// arena.
func (d *decoder) filter(path *filterPath) (*docFilter, error) {
	if null, err := d.null(); null || err != nil {
		return nil, err
	}
	if err := d.open('{', path.name, "an object"); err != nil {
		return nil, err
	}
	if len(d.filters) == cap(d.filters) {
		// Room for one every other entry at first: Docker's profile has
		// 25 in 60 entries.
		d.filters = d.mem.filters.take(max(16, cap(d.doc.syscalls)/2, 2*cap(d.filters)))
	}
	d.filters = append(d.filters, docFilter{})
	f := &d.filters[len(d.filters)-1]
	var seen uint16
	for first := true; ; first = false {
		key, off, ok, err := d.member(first)
		if err != nil {
			return f, err
		}
		if !ok {
			return f, nil
		}
		i, err := d.field(key, off, filterFields, &seen, path.name, -1, 0)
		if err != nil {
			return f, err
		}
		switch i {
		case 0:
			f.caps, err = d.strings(path.caps)
		case 1:
			f.arches, err = d.strings(path.arches)
		case 2:
			err = d.minKernel(f, path)
		default:
			err = d.skip()
		}
		if err != nil {
			return f, err
		}
	}
}

// minKernel reads "<kernel>.<major>" as Docker's KernelVersion does: null
// is no minimum, "" a minimum every kernel meets.
func (d *decoder) minKernel(f *docFilter, path *filterPath) error {
	if null, err := d.null(); null || err != nil {
		f.hasKernel = false
		return err
	}
	off := d.pos
	s, err := d.string(path.minKernel)
	if err != nil {
		return err
	}
	k, err := parseMinKernel(s)
	if err != nil {
		return &decodeError{off: off, path: path.minKernel, typ: true, msg: err.Error()}
	}
	f.minKernel, f.hasKernel = k, true
	return nil
}

// parseMinKernel reads a minKernel as Docker's KernelVersion.UnmarshalJSON
// does: two numbers of 8 bits, not both 0; "" is 0.0.
func parseMinKernel(s string) (kernelVersion, error) {
	if s == "" {
		return kernelVersion{}, nil
	}
	bad := func(why string) (kernelVersion, error) {
		return kernelVersion{}, fmt.Errorf(`invalid kernel version %q, expected "<kernel>.<major>"%s`, s, why)
	}
	major, minor, ok := strings.Cut(s, ".")
	if !ok || strings.Contains(minor, ".") {
		return bad("")
	}
	k, err1 := strconv.ParseUint(major, 10, 8)
	m, err2 := strconv.ParseUint(minor, 10, 8)
	if err1 != nil || err2 != nil {
		return bad("")
	}
	if k == 0 && m == 0 {
		return bad(": version cannot be 0.0")
	}
	return kernelVersion{k, m}, nil
}

// An entry's fast path. Nearly every entry of a real profile is an object
// of the schema's own fields, each once and spelled exactly, each key of
// plain bytes with its colon right after it, with plain strings, short
// integers, and args and filters of the same shape. syscallFast reads
// those with the position in a local variable, a field by a switch on its
// key, and a call a member at most, not several a token; on anything else
// it gives up, leaving nothing the general code reads changed, and that
// code reads the entry from its start, making its errors and notes as
// ever.

// entryFastPath turns syscallFast on; tests turn it off, to compare.
var entryFastPath = true

// skipSpace returns the offset of the first byte at or after i that is
// not JSON whitespace, as ws does.
func skipSpace(src string, i int) int {
	i = indentEnd(src, i)
	for i < len(src) && isSpace[src[i]] {
		i++
	}
	return i
}

// fastKey reads a plain key and the colon right after it, at i, and
// returns it and the offset of its value.
func fastKey(src string, i int) (string, int, bool) {
	if i >= len(src) || src[i] != '"' {
		return "", i, false
	}
	// Most keys are under 8 bytes: plainEnd16's first test, inlined.
	var j int
	if i+9 <= len(src) {
		j = i + 1 + bits.TrailingZeros64(stopBytes(load64(src[i+1:])))>>3
		if j == i+9 {
			j = plainEnd(src, j)
		}
	} else {
		j = plainEnd(src, i+1)
	}
	if j+1 >= len(src) || src[j] != '"' || src[j+1] != ':' {
		return "", i, false
	}
	// Most colons have one space after them, or none.
	k := j + 2
	if k+1 < len(src) && src[k] == ' ' && src[k+1] > ' ' {
		return src[i+1 : j], k + 1, true
	}
	return src[i+1 : j], skipSpace(src, k), true
}

// fastString reads a plain string at i, as string does.
func fastString(src string, i int) (string, int, bool) {
	if i < len(src) && src[i] == '"' {
		if j := plainEnd16(src, i+1); j < len(src) && src[j] == '"' {
			return src[i+1 : j], j + 1, true
		}
	}
	return "", i, false
}

// fastUint reads an integer of at most 19 digits at i that fits in bits
// bits, as uint's fast path does.
func fastUint(src string, i, bits int) (uint64, int, bool) {
	if i < len(src) && src[i] >= '0' && src[i] <= '9' {
		var v uint64
		j := i + 1
		if src[i] != '0' { // a 0 is the whole integer part
			v = uint64(src[i] - '0')
			// At most 19 digits cannot overflow 64 bits.
			for j < len(src) && j-i < 19 && src[j] >= '0' && src[j] <= '9' {
				v = v*10 + uint64(src[j]-'0')
				j++
			}
		}
		if (j == len(src) || !continuesInteger[src[j]] || src[i] == '0' && src[j] >= '0' && src[j] <= '9') &&
			(bits == 64 || v < 1<<bits) {
			return v, j, true
		}
	}
	return 0, i, false
}

// plainEnd16 is plainEnd for the short strings of a profile, which are
// mostly under 16 bytes: it tests 16 without a call.
func plainEnd16(src string, j int) int {
	if j+16 > len(src) {
		return plainEnd(src, j)
	}
	n := bits.TrailingZeros64(stopBytes(load64(src[j:]))) >> 3
	if n == 8 {
		n += bits.TrailingZeros64(stopBytes(load64(src[j+8:]))) >> 3
	}
	if n == 16 {
		return plainEnd(src, j+16)
	}
	return j + n
}

// sepCache holds the bytes that last came after the open of one kind of
// container, between two of its members or elements, and before its
// close: an indented
// profile repeats them for each, as a compact one does, so that one test
// of 8 bytes finds the next instead of a scan of them.
type sepCache struct {
	open, next, close sepBytes
}

// sepBytes are n bytes (0: none yet), as word, under mask.
type sepBytes struct {
	word, mask uint64
	n          int
}

// learn keeps src[i:i+n] as s, if n is at most 8.
func (s *sepBytes) learn(src string, i, n int) {
	if n <= 8 && i+8 <= len(src) {
		s.n, s.mask = n, ^uint64(0)>>(64-8*n)
		s.word = load64(src[i:]) & s.mask
	}
}

// Contexts of the separators syscallFast learns: containers of each kind
// at each depth.
const (
	sepEntry   = iota // an entry's members
	sepNames          // its names' elements
	sepArgs           // its args' elements
	sepArg            // an arg's members
	sepFilter         // a filter's members
	sepStrings        // a filter's caps' or arches' elements
	sepContexts
)

// fastOpen returns the offset of the first member or element of a
// container whose open ends at i, as skipSpace does: by c's test when the
// whitespace and the byte after it are the same as before, else by
// skipSpace, learning them.
func fastOpen(src string, i int, c *sepCache) int {
	if c.open.n != 0 && i+8 <= len(src) && load64(src[i:])&c.open.mask == c.open.word {
		return i + c.open.n - 1
	}
	k := skipSpace(src, i)
	if k < len(src) {
		c.open.learn(src, i, k+1-i)
	}
	return k
}

// fastNext reads what follows a member or element at i: the ',' before
// the next (more true) or the close that ends the container. The bytes
// it reads, from i to the next's first byte or past the close, are only
// whitespace besides the ',' or close; when they are the same as before,
// c's test finds them, and else it learns them.
func fastNext(src string, i int, close byte, c *sepCache) (next int, more, ok bool) {
	if i+8 <= len(src) {
		w := load64(src[i:])
		if c.next.n != 0 && w&c.next.mask == c.next.word {
			return i + c.next.n - 1, true, true // on the next's first byte
		}
		if c.close.n != 0 && w&c.close.mask == c.close.word {
			return i + c.close.n, false, true
		}
	}
	k := skipSpace(src, i)
	if k < len(src) {
		switch src[k] {
		case ',':
			k = skipSpace(src, k+1)
			if k < len(src) {
				c.next.learn(src, i, k+1-i)
			}
			return k, true, true
		case close:
			c.close.learn(src, i, k+1-i)
			return k + 1, false, true
		}
	}
	return k, false, false
}

// fastStrings reads a non-empty array of plain strings at i into the
// arena, as strings does.
func (d *decoder) fastStrings(i int, ctx int) ([]string, int, bool) {
	src := d.src
	if i >= len(src) || src[i] != '[' {
		return nil, i, false
	}
	strs := d.strs // in a local, stored back once
	lo := len(strs)
	c := &d.seps[ctx]
	sep := c.next // fastNext's first test, inlined, from a local
	i = fastOpen(src, i+1, c)
	for {
		if i >= len(src) || src[i] != '"' {
			break
		}
		j := plainEnd16(src, i+1)
		if j >= len(src) || src[j] != '"' {
			break
		}
		strs = append(strs, src[i+1:j])
		// The next string's offset does not wait for the separator's
		// bytes to load, only the branch does.
		if sep.n != 0 && j+9 <= len(src) && load64(src[j+1:])&sep.mask == sep.word {
			i = j + sep.n
			continue
		}
		var more, ok bool
		if i, more, ok = fastNext(src, j+1, ']', c); !ok {
			break
		}
		sep = c.next
		if !more {
			d.strs = strs
			hi := len(strs)
			return strs[lo:hi:hi], i, true
		}
	}
	d.strs = strs
	return nil, i, false
}

// syscallFast reads the entry at d.pos into e if it has the common shape,
// and reports whether it did.
func (d *decoder) syscallFast(e *docSyscall) bool {
	if d.depth+3 > maxDepth { // the entry, an args array and an arg
		return false
	}
	src := d.src
	i := skipSpace(src, d.pos)
	if i >= len(src) || src[i] != '{' {
		return false
	}
	start := i
	strs, args, filters := len(d.strs), len(d.args), d.filters
	x := e // written in place: a copy would take a write barrier a pointer
	var seen uint16
	var took bool // whether filter took a new arena
	i = fastOpen(src, i+1, &d.seps[sepEntry])
	ok := i < len(src) && src[i] != '}' // {} has no names: an error
	for more := true; ok && more; {
		var key string
		if key, i, ok = fastKey(src, i); !ok {
			break
		}
		f := -1
		switch key {
		case "names":
			f = 0
			x.names, i, ok = d.fastStrings(i, sepNames)
		case "name":
			f = 1
			x.name, i, ok = fastString(src, i)
		case "action":
			f = 2
			x.action, i, ok = fastString(src, i)
		case "errnoRet":
			f = 3
			x.errnoRet.v, i, ok = fastUint(src, i, strconv.IntSize)
			x.errnoRet.set = true
		case "errno":
			f = 4
			x.errno, i, ok = fastString(src, i)
		case "args":
			f = 5
			x.args, i, ok = d.fastArgs(i)
		case "comment":
			f = 6
			x.comment, i, ok = fastString(src, i)
		case "includes":
			f = 7
			x.includes, i, ok = d.fastFilter(i, &took)
		case "excludes":
			f = 8
			x.excludes, i, ok = d.fastFilter(i, &took)
		}
		if f < 0 || seen&(1<<f) != 0 {
			ok = false // unknown, folded or duplicate: noted by the general code
		} else {
			seen |= 1 << f
		}
		if ok {
			i, more, ok = fastNext(src, i, '}', &d.seps[sepEntry])
		}
	}
	if !ok || x.name == "" && len(x.names) == 0 || x.action == "" {
		d.strs, d.args = d.strs[:strs], d.args[:args]
		if took {
			d.filters = d.filters[:0] // a new arena: the general code fills it
		} else {
			d.filters = filters
		}
		*e = docSyscall{} // as syscalls gave it
		return false
	}
	d.pos, d.entry, d.entryStart = i, -1, start
	return true
}

// fastArgs reads a non-empty args array of objects, as argList does.
func (d *decoder) fastArgs(i int) ([]docArg, int, bool) {
	src := d.src
	if i >= len(src) || src[i] != '[' {
		return nil, i, false
	}
	lo := len(d.args)
	i = fastOpen(src, i+1, &d.seps[sepArgs])
	for {
		if i >= len(src) || src[i] != '{' {
			return nil, i, false
		}
		var a docArg
		var seen uint16
		i = fastOpen(src, i+1, &d.seps[sepArg])
		ok, more := i < len(src), true
		if ok && src[i] == '}' {
			i, more = i+1, false
		}
		for ok && more {
			var key string
			if key, i, ok = fastKey(src, i); !ok {
				break
			}
			f := -1
			switch key {
			case "index":
				f = 0
				a.index, i, ok = fastUint(src, i, strconv.IntSize)
			case "value":
				f = 1
				a.value, i, ok = fastUint(src, i, 64)
			case "valueTwo":
				f = 2
				a.valueTwo, i, ok = fastUint(src, i, 64)
			case "op":
				f = 3
				a.op, i, ok = fastString(src, i)
			}
			if f < 0 || seen&(1<<f) != 0 {
				ok = false
			} else {
				seen |= 1 << f
			}
			if ok {
				i, more, ok = fastNext(src, i, '}', &d.seps[sepArg])
			}
		}
		if !ok || len(d.args) == seccomp.MaxConds {
			return nil, i, false
		}
		if d.args == nil {
			d.args = d.mem.args.take(64) // as argList does
		}
		d.args = append(d.args, a)
		if i, more, ok = fastNext(src, i, ']', &d.seps[sepArgs]); !ok {
			return nil, i, false
		}
		if !more {
			hi := len(d.args)
			return d.args[lo:hi:hi], i, true
		}
	}
}

// fastFilter reads includes or excludes, an object, as filter does; took
// is set if it took a new arena.
func (d *decoder) fastFilter(i int, took *bool) (*docFilter, int, bool) {
	src := d.src
	if i >= len(src) || src[i] != '{' {
		return nil, i, false
	}
	if len(d.filters) == cap(d.filters) {
		d.filters = d.mem.filters.take(max(16, cap(d.doc.syscalls)/2, 2*cap(d.filters))) // as filter does
		*took = true
	}
	d.filters = append(d.filters, docFilter{})
	f := &d.filters[len(d.filters)-1]
	var seen uint16
	i = fastOpen(src, i+1, &d.seps[sepFilter])
	ok, more := i < len(src), true
	if ok && src[i] == '}' {
		return f, i + 1, true
	}
	for ok && more {
		var key string
		if key, i, ok = fastKey(src, i); !ok {
			break
		}
		k := -1
		switch key {
		case "caps":
			k = 0
			f.caps, i, ok = d.fastStrings(i, sepStrings)
		case "arches":
			k = 1
			f.arches, i, ok = d.fastStrings(i, sepStrings)
		case "minKernel":
			k = 2
			var s string
			if s, i, ok = fastString(src, i); ok {
				var err error
				f.minKernel, err = parseMinKernel(s)
				f.hasKernel, ok = true, err == nil
			}
		}
		if k < 0 || seen&(1<<k) != 0 {
			ok = false
		} else {
			seen |= 1 << k
		}
		if ok {
			i, more, ok = fastNext(src, i, '}', &d.seps[sepFilter])
		}
	}
	return f, i, ok
}
