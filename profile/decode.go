package profile

import (
	"fmt"
	"math/bits"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Bounds on what Import reads, so that a service compiling untrusted
// profiles does work and takes memory in proportion to the input, and the
// input is bounded. The package doc states them.
const (
	maxInput = 16 << 20 // bytes of JSON
	maxDepth = 32       // nested arrays and objects
	maxNotes = 1000     // notes kept; one more counts the rest
)

// decoder reads a profile's JSON straight into a document: a scanner made
// for this one schema. It is strict JSON (RFC 8259: no trailing commas,
// comments, bad escapes, invalid UTF-8 or garbage after the value), reads
// field names as encoding/json does (exact match, else case-insensitive),
// and notes every field the schema lacks, at any depth.
type decoder struct {
	src        string // the input: strings without escapes are slices of it
	pos        int
	depth      int
	kinds      uint64 // skip's stack: bit n is set when container n is an object
	doc        *document
	entry      int // the syscalls[] index being decoded, or -1
	entryStart int // and its offset
	// strs and args are arenas: a document's slices are cut from them,
	// so that a profile's hundreds of names cost a few allocations.
	strs    []string
	args    []docArg
	filters []docFilter
	// mem lends the arenas' first arrays, and the entries'.
	mem *scratch
	// seps are the separators syscallFast learns.
	seps [sepContexts]sepCache
}

// decodeError is a syntax error, or a value of the wrong type, at an
// offset of the input.
type decodeError struct {
	off  int
	typ  bool   // a well-formed value the schema does not take
	path string // its field
	msg  string
}

func (e *decodeError) Error() string { return e.msg }

func (d *decoder) errAt(off int, format string, args ...any) error {
	return &decodeError{off: off, msg: fmt.Sprintf(format, args...)}
}

// decode reads src, a profile or an OCI config.json. The document's
// strings are slices of src where they have no escapes.
func decode(src string) (*document, error) {
	return decodeIn(src, new(scratch))
}

// decodeIn is decode with its arenas from mem, which the document holds
// until mem is released.
func decodeIn(src string, mem *scratch) (*document, error) {
	if len(src) > maxInput {
		return nil, fmt.Errorf("profile: %d bytes of JSON, over the limit of %d", len(src), maxInput)
	}
	d := &decoder{src: src, entry: -1, doc: &document{}, mem: mem}
	// Room for every string of a typical profile, which has one in
	// about 32 bytes (names in about 16, indented; keys are no strings here).
	d.strs = mem.strs.take(len(src) / 32)
	err := d.top()
	mem.strs.keep(d.strs)
	mem.args.keep(d.args)
	mem.filters.keep(d.filters)
	mem.syscalls.keep(d.doc.syscalls)
	if err == nil {
		d.ws()
		if d.pos < len(d.src) {
			err = d.errAt(d.pos, "%s after the top-level value", d.describe())
		}
	}
	if err != nil {
		return nil, d.wrap(err)
	}
	d.doc.src = d.src
	return d.doc, nil
}

// wrap turns a decodeError into what Import returns: line and column for
// a syntax error, the entry and field for a type error.
func (d *decoder) wrap(err error) error {
	de, ok := err.(*decodeError)
	if !ok {
		return fmt.Errorf("profile: %w", err)
	}
	line, col := position(d.src, de.off)
	if !de.typ {
		return fmt.Errorf("profile: invalid JSON at line %d, column %d: %s", line, col, de.msg)
	}
	where := de.path
	if d.entry >= 0 {
		where = d.entryLabel()
		if de.path != "" {
			where += ": " + de.path
		}
	}
	if where != "" {
		where += ": "
	}
	return fmt.Errorf("profile: %s%s (line %d, column %d)", where, de.msg, line, col)
}

// entryLabel names the entry being decoded as far as its names decode:
// a lenient second look at the entry finds names after the error.
func (d *decoder) entryLabel() string {
	name, names := d.peekNames()
	return entryLabel(d.entry, name, names)
}

// peekNames finds name and names in the entry that starts at the offset
// the decoder recorded, skipping everything else.
func (d *decoder) peekNames() (string, []string) {
	p := &decoder{src: d.src, pos: d.entryStart, entry: -1, doc: &document{}}
	var name string
	var names []string
	if p.peek() != '{' {
		return "", nil
	}
	p.pos++
	for first := true; ; first = false {
		key, _, ok, err := p.member(first)
		if err != nil || !ok {
			break
		}
		switch {
		case key == "name" && p.peek() == '"':
			name, err = p.str()
		case key == "names" && p.peek() == '[':
			names, err = p.someStrings()
		default:
			err = p.skip()
		}
		if err != nil {
			break
		}
	}
	return name, names
}

// someStrings reads an array, keeping its strings and skipping the rest.
func (d *decoder) someStrings() ([]string, error) {
	var s []string
	if err := d.open('[', "", ""); err != nil {
		return nil, err
	}
	for first := true; ; first = false {
		more, err := d.elem(first)
		if err != nil || !more {
			return s, err
		}
		if d.peek() == '"' {
			str, err := d.str()
			if err != nil {
				return s, err
			}
			s = append(s, str)
		} else if err := d.skip(); err != nil {
			return s, err
		}
	}
}

// position returns the 1-based line and column of the byte at offset.
func position(src string, off int) (line, col int) {
	off = min(max(off, 0), len(src))
	before := src[:off]
	line = 1 + strings.Count(before, "\n")
	col = off - strings.LastIndexByte(before, '\n')
	return line, col
}

// ws skips JSON's whitespace.
func (d *decoder) ws() {
	src, i := d.src, d.pos
	for i < len(src) && isSpace[src[i]] {
		i++
	}
	d.pos = i
}

// plainEnd returns the offset of the first byte at or after i that ends
// a string's plain bytes: its closing quote, or what strSlow reads.
func plainEnd(src string, i int) int {
	// Eight bytes at a time while there are eight: a loop a byte would
	// exit at a varying count, which mispredicts once a string.
	for i+8 <= len(src) {
		if m := stopBytes(load64(src[i:])); m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
		i += 8
	}
	for i < len(src) && !stopsString[src[i]] {
		i++
	}
	return i
}

// stopBytes has the high bit set in each byte of x that stopsString
// marks, and perhaps in bytes above the lowest of them (a borrow carries
// upward), never below it: its lowest set bit marks x's first stop.
func stopBytes(x uint64) uint64 {
	const hi = 0x80 * ones
	quote, backslash := x^('"'*ones), x^('\\'*ones)
	return (x | // non-ASCII
		(x-0x20*ones)&^x | // below 0x20
		(quote-ones)&^quote | // '"'
		(backslash-ones)&^backslash) & hi // '\\'
}

// stopsString marks the bytes str stops at: the closing quote, and those
// strSlow handles (a backslash, control characters, non-ASCII).
var stopsString = func() (t [256]bool) {
	for c := range 256 {
		t[c] = c == '"' || c == '\\' || c < 0x20 || c >= 0x80
	}
	return t
}()

// continuesInteger marks the bytes that can follow a JSON number's
// leading digits within it.
var continuesInteger = [256]bool{'0': true, '1': true, '2': true, '3': true, '4': true, '5': true, '6': true, '7': true, '8': true, '9': true, '.': true, 'e': true, 'E': true}

// indentEnd returns the offset after a newline and up to 8 tabs or
// spaces at i, if there is a newline and one of them; else i.
// Indentation is most of a profile's whitespace, and a loop's exit would
// mispredict its varying length: one test of 8 bytes finds its end.
func indentEnd(src string, i int) int {
	if i+9 <= len(src) && src[i] == '\n' {
		if c := src[i+1]; c == '\t' || c == ' ' {
			// load64 puts src[i+1] in the lowest byte on any machine:
			// the lowest byte that is not c ends the run.
			i += 1 + bits.TrailingZeros64(load64(src[i+1:])^ones*uint64(c))>>3
		}
	}
	return i
}

// ones is 1 in each byte: times a byte, that byte 8 times.
const ones = 0x0101010101010101

// isSpace is JSON's whitespace, as a table: one load a byte.
var isSpace = [256]bool{' ': true, '\t': true, '\n': true, '\r': true}

// peek skips whitespace and returns the next byte, or 0 at the end.
func (d *decoder) peek() byte {
	d.ws()
	if d.pos >= len(d.src) {
		return 0
	}
	return d.src[d.pos]
}

// describe names what is at the position, for a syntax error.
func (d *decoder) describe() string {
	if d.pos >= len(d.src) {
		return "unexpected end of JSON input"
	}
	c := d.src[d.pos]
	if c < 0x20 || c >= 0x7f {
		return fmt.Sprintf("unexpected byte %#02x", c)
	}
	return fmt.Sprintf("unexpected %q", c)
}

// kind names the JSON value at the position, for a type error.
func (d *decoder) kind() string {
	switch c := d.peek(); {
	case c == '"':
		return "string"
	case c == '{':
		return "object"
	case c == '[':
		return "array"
	case c == 't' || c == 'f':
		return "boolean"
	case c == '-' || c >= '0' && c <= '9':
		start := d.pos
		if err := d.number(); err != nil {
			return "number"
		}
		lit := d.src[start:d.pos]
		d.pos = start
		return "number " + lit
	}
	return "value"
}

// typeErr reports a value of the wrong kind, if it is well-formed JSON;
// else the syntax error.
func (d *decoder) typeErr(path, want string) error {
	off := d.pos
	kind := d.kind()
	if kind == "value" {
		return d.errAt(d.pos, "%s, want a value", d.describe())
	}
	return &decodeError{off: off, typ: true, path: path, msg: fmt.Sprintf("JSON %s where %s belongs", kind, want)}
}

// null consumes a null, and reports whether there was one.
func (d *decoder) null() (bool, error) {
	if d.peek() != 'n' {
		return false, nil
	}
	if !strings.HasPrefix(d.src[d.pos:], "null") {
		return false, d.errAt(d.pos, "%s, want a value", d.describe())
	}
	d.pos += 4
	return true, nil
}

// open consumes the '{' or '[' that starts an object or array.
func (d *decoder) open(c byte, path, want string) error {
	if d.peek() != c {
		return d.typeErr(path, want)
	}
	d.depth++
	if d.depth > maxDepth {
		return d.errAt(d.pos, "nested deeper than %d arrays and objects", maxDepth)
	}
	d.pos++
	return nil
}

// member reads the next member's key and its colon, or the '}' that ends
// the object (ok false).
func (d *decoder) member(first bool) (key string, off int, ok bool, err error) {
	// Most members are whitespace, a ',' but for the first, more
	// whitespace, a key of plain bytes and a colon right after it: read
	// those here, anything else from the start in memberSlow.
	src, i := d.src, d.pos
	i = indentEnd(src, i)
	for i < len(src) && isSpace[src[i]] {
		i++
	}
	if !first {
		if i == len(src) || src[i] != ',' {
			return d.memberSlow(first)
		}
		i = indentEnd(src, i+1)
		for i < len(src) && isSpace[src[i]] {
			i++
		}
	}
	if i < len(src) && src[i] == '"' {
		j := plainEnd(src, i+1)
		if j+1 < len(src) && src[j] == '"' && src[j+1] == ':' {
			d.pos = j + 2
			return src[i+1 : j], i, true, nil
		}
	}
	return d.memberSlow(first)
}

// memberSlow is member for any input.
func (d *decoder) memberSlow(first bool) (key string, off int, ok bool, err error) {
	c := d.peek()
	if c == '}' && first {
		d.pos++
		d.depth--
		return "", 0, false, nil
	}
	if !first {
		switch c {
		case '}':
			d.pos++
			d.depth--
			return "", 0, false, nil
		case ',':
			d.pos++
			c = d.peek()
		default:
			return "", 0, false, d.errAt(d.pos, "%s, want ',' or '}'", d.describe())
		}
	}
	if c != '"' {
		return "", 0, false, d.errAt(d.pos, "%s, want a field name", d.describe())
	}
	off = d.pos
	if key, err = d.str(); err != nil {
		return "", 0, false, err
	}
	if d.peek() != ':' {
		return "", 0, false, d.errAt(d.pos, "%s, want ':'", d.describe())
	}
	d.pos++
	return key, off, true, nil
}

// elem reports whether another array element follows, or consumes the
// ']' that ends the array.
func (d *decoder) elem(first bool) (bool, error) {
	c := d.peek()
	if c == ']' && first {
		d.pos++
		d.depth--
		return false, nil
	}
	if first {
		return true, nil
	}
	switch c {
	case ']':
		d.pos++
		d.depth--
		return false, nil
	case ',':
		d.pos++
		return true, nil
	}
	return false, d.errAt(d.pos, "%s, want ',' or ']'", d.describe())
}

// str reads a string; one without escapes is a slice of the input.
func (d *decoder) str() (string, error) {
	src, start := d.src, d.pos+1
	i := plainEnd(src, start)
	if i < len(src) && src[i] == '"' {
		d.pos = i + 1
		return src[start:i], nil
	}
	if i < len(src) {
		return d.strSlow(start, i) // an escape, a control character or non-ASCII
	}
	d.pos = len(src)
	return "", d.errAt(d.pos, "unexpected end of JSON input in a string")
}

// strSlow reads the rest of a string that has escapes, control
// characters or non-ASCII bytes, from i on.
func (d *decoder) strSlow(start, i int) (string, error) {
	var buf []byte // nil while the string is a slice of the input
	for i < len(d.src) {
		c := d.src[i]
		switch {
		case c == '"':
			d.pos = i + 1
			if buf == nil {
				return d.src[start:i], nil
			}
			return string(buf), nil
		case c < 0x20:
			return "", d.errAt(i, "control character %#02x in a string (escape it)", c)
		case c >= utf8.RuneSelf:
			r, n := utf8.DecodeRuneInString(d.src[i:])
			if r == utf8.RuneError && n == 1 {
				return "", d.errAt(i, "invalid UTF-8 in a string")
			}
			if buf != nil {
				buf = append(buf, d.src[i:i+n]...)
			}
			i += n
		case c == '\\':
			if buf == nil {
				buf = append([]byte(nil), d.src[start:i]...)
			}
			if i+1 >= len(d.src) {
				return "", d.errAt(len(d.src), "unexpected end of JSON input in a string")
			}
			esc := d.src[i+1]
			switch esc {
			case '"', '\\', '/':
				buf = append(buf, esc)
			case 'b':
				buf = append(buf, '\b')
			case 'f':
				buf = append(buf, '\f')
			case 'n':
				buf = append(buf, '\n')
			case 'r':
				buf = append(buf, '\r')
			case 't':
				buf = append(buf, '\t')
			case 'u':
				r, n, err := d.unicodeEscape(i)
				if err != nil {
					return "", err
				}
				buf = utf8.AppendRune(buf, r)
				i += n
				continue
			default:
				return "", d.errAt(i, "invalid escape %q in a string", "\\"+string(esc))
			}
			i += 2
		default:
			if buf != nil {
				buf = append(buf, c)
			}
			i++
		}
	}
	return "", d.errAt(len(d.src), "unexpected end of JSON input in a string")
}

// unicodeEscape reads \uXXXX at i, and the low half of a surrogate pair
// after it; a lone surrogate is an error, not a U+FFFD.
func (d *decoder) unicodeEscape(i int) (rune, int, error) {
	hex := func(at int) (rune, bool) {
		if at+6 > len(d.src) || d.src[at] != '\\' || d.src[at+1] != 'u' {
			return 0, false
		}
		v, err := strconv.ParseUint(d.src[at+2:at+6], 16, 16)
		return rune(v), err == nil
	}
	r, ok := hex(i)
	if !ok {
		return 0, 0, d.errAt(i, "invalid \\u escape in a string")
	}
	if !utf16.IsSurrogate(r) {
		return r, 6, nil
	}
	if lo, ok := hex(i + 6); ok {
		if pair := utf16.DecodeRune(r, lo); pair != utf8.RuneError {
			return pair, 12, nil
		}
	}
	return 0, 0, d.errAt(i, "lone surrogate \\u%04x in a string", r)
}

// number scans a JSON number, checking its grammar.
func (d *decoder) number() error {
	i := d.pos
	digits := func() bool {
		start := i
		for i < len(d.src) && d.src[i] >= '0' && d.src[i] <= '9' {
			i++
		}
		return i > start
	}
	if i < len(d.src) && d.src[i] == '-' {
		i++
	}
	switch {
	case i < len(d.src) && d.src[i] == '0':
		i++
	case !digits():
		d.pos = i
		return d.errAt(i, "%s in a number", d.describe())
	}
	if i < len(d.src) && d.src[i] == '.' {
		i++
		if !digits() {
			d.pos = i
			return d.errAt(i, "%s in a number", d.describe())
		}
	}
	if i < len(d.src) && (d.src[i] == 'e' || d.src[i] == 'E') {
		i++
		if i < len(d.src) && (d.src[i] == '+' || d.src[i] == '-') {
			i++
		}
		if !digits() {
			d.pos = i
			return d.errAt(i, "%s in a number", d.describe())
		}
	}
	d.pos = i
	return nil
}

// uint reads an unsigned integer of bits bits; null leaves it unset, as
// encoding/json does.
func (d *decoder) uint(path string, bits int) (optUint, error) {
	// Most are a few digits and then something that is not part of a
	// number: read those here, and anything else from the start below.
	d.ws()
	if v, j, ok := fastUint(d.src, d.pos, bits); ok {
		d.pos = j
		return optUint{v, true}, nil
	}
	switch c := d.peek(); {
	case c == 'n':
		_, err := d.null()
		return optUint{}, err
	case c < '0' || c > '9':
		return optUint{}, d.typeErr(path, fmt.Sprintf("a %d-bit unsigned integer", bits))
	}
	start := d.pos
	if err := d.number(); err != nil {
		return optUint{}, err
	}
	lit := d.src[start:d.pos]
	var v uint64
	if len(lit) < 20 { // at most 19 digits cannot overflow 64 bits
		for i := 0; i < len(lit); i++ {
			c := lit[i]
			if c < '0' || c > '9' {
				v = ^uint64(0) // a fraction or an exponent: a type error below
				break
			}
			v = v*10 + uint64(c-'0')
		}
		if v != ^uint64(0) && (bits == 64 || v < 1<<bits) {
			return optUint{v, true}, nil
		}
	}
	v, err := strconv.ParseUint(lit, 10, bits)
	if err != nil {
		d.pos = start
		return optUint{}, d.typeErr(path, fmt.Sprintf("a %d-bit unsigned integer", bits))
	}
	return optUint{v, true}, nil
}

// string reads a string field; null leaves it empty, as encoding/json
// does.
func (d *decoder) string(path string) (string, error) {
	// Most are plain strings: read those here.
	d.ws()
	src, i := d.src, d.pos
	if i < len(src) && src[i] == '"' {
		if j := plainEnd(src, i+1); j < len(src) && src[j] == '"' {
			d.pos = j + 1
			return src[i+1 : j], nil
		}
	}
	switch d.peek() {
	case '"':
		return d.str()
	case 'n':
		_, err := d.null()
		return "", err
	}
	return "", d.typeErr(path, "a string")
}

// strings reads an array of strings into the arena; null is nil.
func (d *decoder) strings(path string) ([]string, error) {
	if d.peek() == 'n' {
		_, err := d.null()
		return nil, err
	}
	if err := d.open('[', path, "an array"); err != nil {
		return nil, err
	}
	lo := len(d.strs)
	// Most elements are strings without escapes, each followed by ',' or
	// ']': read those in one loop. Anything else goes back to where the
	// last one ended, for the general loop to read.
	src, i, back, first := d.src, d.pos, d.pos, true
	for {
		i = indentEnd(src, i)
		for i < len(src) && isSpace[src[i]] {
			i++
		}
		if i == len(src) || src[i] != '"' {
			break
		}
		j := i + 1
		for j < len(src) && !stopsString[src[j]] {
			j++
		}
		if j == len(src) || src[j] != '"' {
			break
		}
		d.strs = append(d.strs, src[i+1:j])
		i, back, first = j+1, j+1, false
		for i < len(src) && isSpace[src[i]] {
			i++
		}
		if i == len(src) || src[i] != ',' {
			if i < len(src) && src[i] == ']' {
				d.pos = i + 1
				d.depth--
				hi := len(d.strs)
				return d.strs[lo:hi:hi], nil
			}
			break
		}
		i++
	}
	d.pos = back
	for ; ; first = false {
		more, err := d.elem(first)
		if err != nil {
			return nil, err
		}
		if !more {
			break
		}
		var s string
		if d.peek() == '"' { // elem left the position on the element, or at the end
			s, err = d.str()
		} else {
			s, err = d.string(path)
		}
		if err != nil {
			return nil, err
		}
		d.strs = append(d.strs, s)
	}
	hi := len(d.strs)
	return d.strs[lo:hi:hi], nil
}

// skip reads any value, checking its syntax: what the schema lacks. It
// keeps no stack but a bit per open container, so nesting costs no
// memory.
func (d *decoder) skip() error {
	base := d.depth
	for {
		switch c := d.peek(); {
		case c == '{' || c == '[':
			if err := d.open(c, "", ""); err != nil {
				return err
			}
			var more bool
			var err error
			if c == '{' {
				d.kinds |= 1 << d.depth
				_, _, more, err = d.member(true)
			} else {
				d.kinds &^= 1 << d.depth
				more, err = d.elem(true)
			}
			if err != nil {
				return err
			}
			if more {
				continue // read the first element or member's value
			}
		case c == '"':
			if _, err := d.str(); err != nil {
				return err
			}
		case c == '-' || c >= '0' && c <= '9':
			if err := d.number(); err != nil {
				return err
			}
		default:
			lit := "null"
			if c == 't' {
				lit = "true"
			} else if c == 'f' {
				lit = "false"
			}
			if !strings.HasPrefix(d.src[d.pos:], lit) {
				return d.errAt(d.pos, "%s, want a value", d.describe())
			}
			d.pos += len(lit)
		}
		// A value is done: go on to the next element or member of the
		// container it is in, closing the containers it ends.
		for {
			if d.depth == base {
				return nil
			}
			var more bool
			var err error
			if d.kinds&(1<<d.depth) != 0 {
				_, _, more, err = d.member(false)
			} else {
				more, err = d.elem(false)
			}
			if err != nil {
				return err
			}
			if more {
				break
			}
		}
	}
}
