package profile

// The decoder's scanning functions as they were before their fast paths
// (commit 733f65f), kept as a reference for the differential tests in
// decode_fast_test.go: each xRef is the old x, calling only other xRefs.

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// wsRef is the decoder's old ws: skips JSON's whitespace.
func (d *decoder) wsRef() {
	src, i := d.src, d.pos
	for i < len(src) && isSpaceRef[src[i]] {
		i++
	}
	d.pos = i
}

// stopsStringRef marks the bytes str stops at: the closing quote, and those
// strSlow handles (a backslash, control characters, non-ASCII).
var stopsStringRef = func() (t [256]bool) {
	for c := range 256 {
		t[c] = c == '"' || c == '\\' || c < 0x20 || c >= 0x80
	}
	return t
}()

// isSpaceRef is JSON's whitespace, as a table: one load a byte.
var isSpaceRef = [256]bool{' ': true, '\t': true, '\n': true, '\r': true}

// peekRef is the decoder's old peek: skips whitespace and returns the next byte, or 0 at the end.
func (d *decoder) peekRef() byte {
	d.wsRef()
	if d.pos >= len(d.src) {
		return 0
	}
	return d.src[d.pos]
}

// describeRef is the decoder's old describe: names what is at the position, for a syntax error.
func (d *decoder) describeRef() string {
	if d.pos >= len(d.src) {
		return "unexpected end of JSON input"
	}
	c := d.src[d.pos]
	if c < 0x20 || c >= 0x7f {
		return fmt.Sprintf("unexpected byte %#02x", c)
	}
	return fmt.Sprintf("unexpected %q", c)
}

// kindRef is the decoder's old kind: names the JSON value at the position, for a type error.
func (d *decoder) kindRef() string {
	switch c := d.peekRef(); {
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
		if err := d.numberRef(); err != nil {
			return "number"
		}
		lit := d.src[start:d.pos]
		d.pos = start
		return "number " + lit
	}
	return "value"
}

// typeErrRef is the decoder's old typeErr: reports a value of the wrong kind, if it is well-formed JSON;
// else the syntax error.
func (d *decoder) typeErrRef(path, want string) error {
	off := d.pos
	kind := d.kindRef()
	if kind == "value" {
		return d.errAt(d.pos, "%s, want a value", d.describeRef())
	}
	return &decodeError{off: off, typ: true, path: path, msg: fmt.Sprintf("JSON %s where %s belongs", kind, want)}
}

// nullRef is the decoder's old null: consumes a null, and reports whether there was one.
func (d *decoder) nullRef() (bool, error) {
	if d.peekRef() != 'n' {
		return false, nil
	}
	if !strings.HasPrefix(d.src[d.pos:], "null") {
		return false, d.errAt(d.pos, "%s, want a value", d.describeRef())
	}
	d.pos += 4
	return true, nil
}

// openRef is the decoder's old open: consumes the '{' or '[' that starts an object or array.
func (d *decoder) openRef(c byte, path, want string) error {
	if d.peekRef() != c {
		return d.typeErrRef(path, want)
	}
	d.depth++
	if d.depth > maxDepth {
		return d.errAt(d.pos, "nested deeper than %d arrays and objects", maxDepth)
	}
	d.pos++
	return nil
}

// memberRef is the decoder's old member: reads the next member's key and its colon, or the '}' that ends
// the object (ok false).
func (d *decoder) memberRef(first bool) (key string, off int, ok bool, err error) {
	c := d.peekRef()
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
			c = d.peekRef()
		default:
			return "", 0, false, d.errAt(d.pos, "%s, want ',' or '}'", d.describeRef())
		}
	}
	if c != '"' {
		return "", 0, false, d.errAt(d.pos, "%s, want a field name", d.describeRef())
	}
	off = d.pos
	if key, err = d.strRef(); err != nil {
		return "", 0, false, err
	}
	if d.peekRef() != ':' {
		return "", 0, false, d.errAt(d.pos, "%s, want ':'", d.describeRef())
	}
	d.pos++
	return key, off, true, nil
}

// elemRef is the decoder's old elem: reports whether another array element follows, or consumes the
// ']' that ends the array.
func (d *decoder) elemRef(first bool) (bool, error) {
	c := d.peekRef()
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
	return false, d.errAt(d.pos, "%s, want ',' or ']'", d.describeRef())
}

// strRef is the decoder's old str: reads a string; one without escapes is a slice of the input.
func (d *decoder) strRef() (string, error) {
	src, start := d.src, d.pos+1
	for i := start; i < len(src); i++ {
		if c := src[i]; stopsStringRef[c] {
			if c == '"' {
				d.pos = i + 1
				return src[start:i], nil
			}
			return d.strSlowRef(start, i) // an escape, a control character or non-ASCII
		}
	}
	d.pos = len(src)
	return "", d.errAt(d.pos, "unexpected end of JSON input in a string")
}

// strSlowRef is the decoder's old strSlow: reads the rest of a string that has escapes, control
// characters or non-ASCII bytes, from i on.
func (d *decoder) strSlowRef(start, i int) (string, error) {
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
				r, n, err := d.unicodeEscapeRef(i)
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

// unicodeEscapeRef is the decoder's old unicodeEscape: reads \uXXXX at i, and the low half of a surrogate pair
// after it; a lone surrogate is an error, not a U+FFFD.
func (d *decoder) unicodeEscapeRef(i int) (rune, int, error) {
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

// numberRef is the decoder's old number: scans a JSON number, checking its grammar.
func (d *decoder) numberRef() error {
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
		return d.errAt(i, "%s in a number", d.describeRef())
	}
	if i < len(d.src) && d.src[i] == '.' {
		i++
		if !digits() {
			d.pos = i
			return d.errAt(i, "%s in a number", d.describeRef())
		}
	}
	if i < len(d.src) && (d.src[i] == 'e' || d.src[i] == 'E') {
		i++
		if i < len(d.src) && (d.src[i] == '+' || d.src[i] == '-') {
			i++
		}
		if !digits() {
			d.pos = i
			return d.errAt(i, "%s in a number", d.describeRef())
		}
	}
	d.pos = i
	return nil
}

// uintRef is the decoder's old uint: reads an unsigned integer of bits bits; null leaves it unset, as
// encoding/json does.
func (d *decoder) uintRef(path string, bits int) (optUint, error) {
	switch c := d.peekRef(); {
	case c == 'n':
		_, err := d.nullRef()
		return optUint{}, err
	case c < '0' || c > '9':
		return optUint{}, d.typeErrRef(path, fmt.Sprintf("a %d-bit unsigned integer", bits))
	}
	start := d.pos
	if err := d.numberRef(); err != nil {
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
		return optUint{}, d.typeErrRef(path, fmt.Sprintf("a %d-bit unsigned integer", bits))
	}
	return optUint{v, true}, nil
}

// stringRef is the decoder's old string: reads a string field; null leaves it empty, as encoding/json
// does.
func (d *decoder) stringRef(path string) (string, error) {
	switch d.peekRef() {
	case '"':
		return d.strRef()
	case 'n':
		_, err := d.nullRef()
		return "", err
	}
	return "", d.typeErrRef(path, "a string")
}

// stringsRef is the decoder's old strings: reads an array of strings into the arena; null is nil.
func (d *decoder) stringsRef(path string) ([]string, error) {
	if d.peekRef() == 'n' {
		_, err := d.nullRef()
		return nil, err
	}
	if err := d.openRef('[', path, "an array"); err != nil {
		return nil, err
	}
	lo := len(d.strs)
	// Most elements are strings without escapes, each followed by ',' or
	// ']': read those in one loop. Anything else goes back to where the
	// last one ended, for the general loop to read.
	src, i, back, first := d.src, d.pos, d.pos, true
	for {
		for i < len(src) && isSpaceRef[src[i]] {
			i++
		}
		if i == len(src) || src[i] != '"' {
			break
		}
		j := i + 1
		for j < len(src) && !stopsStringRef[src[j]] {
			j++
		}
		if j == len(src) || src[j] != '"' {
			break
		}
		d.strs = append(d.strs, src[i+1:j])
		i, back, first = j+1, j+1, false
		for i < len(src) && isSpaceRef[src[i]] {
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
		more, err := d.elemRef(first)
		if err != nil {
			return nil, err
		}
		if !more {
			break
		}
		var s string
		if d.peekRef() == '"' { // elem left the position on the element, or at the end
			s, err = d.strRef()
		} else {
			s, err = d.stringRef(path)
		}
		if err != nil {
			return nil, err
		}
		d.strs = append(d.strs, s)
	}
	hi := len(d.strs)
	return d.strs[lo:hi:hi], nil
}

// skipRef is the decoder's old skip: reads any value, checking its syntax: what the schema lacks. It
// keeps no stack but a bit per open container, so nesting costs no
// memory.
func (d *decoder) skipRef() error {
	base := d.depth
	for {
		switch c := d.peekRef(); {
		case c == '{' || c == '[':
			if err := d.openRef(c, "", ""); err != nil {
				return err
			}
			var more bool
			var err error
			if c == '{' {
				d.kinds |= 1 << d.depth
				_, _, more, err = d.memberRef(true)
			} else {
				d.kinds &^= 1 << d.depth
				more, err = d.elemRef(true)
			}
			if err != nil {
				return err
			}
			if more {
				continue // read the first element or member's value
			}
		case c == '"':
			if _, err := d.strRef(); err != nil {
				return err
			}
		case c == '-' || c >= '0' && c <= '9':
			if err := d.numberRef(); err != nil {
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
				return d.errAt(d.pos, "%s, want a value", d.describeRef())
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
				_, _, more, err = d.memberRef(false)
			} else {
				more, err = d.elemRef(false)
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
