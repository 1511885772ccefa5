package profile

import (
	"slices"
	"strconv"
	"strings"
	"testing"
)

// scanners are the decoder's reading functions that have fast paths,
// each beside its reference from decode_ref_test.go (the function as it
// was before them). Each reads from the decoder's position and returns
// what it read as text.
var scanners = []struct {
	name     string
	new, ref func(d *decoder) (string, error)
}{
	{"ws", func(d *decoder) (string, error) { d.ws(); return "", nil }, func(d *decoder) (string, error) { d.wsRef(); return "", nil }},
	{"peek", func(d *decoder) (string, error) { return string(d.peek()), nil }, func(d *decoder) (string, error) { return string(d.peekRef()), nil }},
	{"member-first", memberText(true, false), memberText(true, true)},
	{"member-next", memberText(false, false), memberText(false, true)},
	{"elem-first", elemText(true, false), elemText(true, true)},
	{"elem-next", elemText(false, false), elemText(false, true)},
	{"string", (*decoder).stringField, (*decoder).stringFieldRef},
	{"uint32", uintText(32, false), uintText(32, true)},
	{"uint64", uintText(64, false), uintText(64, true)},
	{"uint-int", uintText(strconv.IntSize, false), uintText(strconv.IntSize, true)},
	{"strings", stringsText(false), stringsText(true)},
	{"skip", func(d *decoder) (string, error) { return "", d.skip() }, func(d *decoder) (string, error) { return "", d.skipRef() }},
	{"str", strText(false), strText(true)},
}

func memberText(first, ref bool) func(d *decoder) (string, error) {
	return func(d *decoder) (string, error) {
		read := d.member
		if ref {
			read = d.memberRef
		}
		key, off, ok, err := read(first)
		return key + "|" + strconv.Itoa(off) + "|" + strconv.FormatBool(ok), err
	}
}

func elemText(first, ref bool) func(d *decoder) (string, error) {
	return func(d *decoder) (string, error) {
		read := d.elem
		if ref {
			read = d.elemRef
		}
		more, err := read(first)
		return strconv.FormatBool(more), err
	}
}

func (d *decoder) stringField() (string, error)    { return d.string("field") }
func (d *decoder) stringFieldRef() (string, error) { return d.stringRef("field") }

func uintText(bits int, ref bool) func(d *decoder) (string, error) {
	return func(d *decoder) (string, error) {
		read := d.uint
		if ref {
			read = d.uintRef
		}
		u, err := read("field", bits)
		return strconv.FormatUint(u.v, 10) + "|" + strconv.FormatBool(u.set), err
	}
}

func stringsText(ref bool) func(d *decoder) (string, error) {
	return func(d *decoder) (string, error) {
		read := d.strings
		if ref {
			read = d.stringsRef
		}
		s, err := read("names")
		return strings.Join(s, "\x00") + "|" + strconv.FormatBool(s == nil) + "|" + strconv.Itoa(len(s)) + "|" + strconv.Itoa(cap(s)), err
	}
}

// strText reads a string where one starts: str's callers see to that.
func strText(ref bool) func(d *decoder) (string, error) {
	return func(d *decoder) (string, error) {
		if d.pos >= len(d.src) || d.src[d.pos] != '"' {
			return "not at a string", nil
		}
		read := d.str
		if ref {
			read = d.strRef
		}
		return read()
	}
}

// scanState is all a scanner's call leaves behind.
type scanState struct {
	text         string
	err          decodeError // a decodeError's fields
	otherErr     string      // any other error's text
	pos, depth   int
	kinds        uint64
	strs         []string
	pendingNotes int
}

func stateOf(d *decoder, text string, err error) scanState {
	s := scanState{text: text, pos: d.pos, depth: d.depth, kinds: d.kinds, strs: d.strs, pendingNotes: len(d.doc.pending)}
	if de, ok := err.(*decodeError); ok {
		s.err = *de
	} else if err != nil {
		s.otherErr = err.Error()
	}
	return s
}

func (s scanState) equal(o scanState) bool {
	return s.text == o.text && s.err == o.err && s.otherErr == o.otherErr && s.pos == o.pos && s.depth == o.depth &&
		s.kinds == o.kinds && slices.Equal(s.strs, o.strs) && s.pendingNotes == o.pendingNotes
}

// compareScanners runs every scanner and its reference on src from
// offset pos, with the arena holding a string already (as when an
// earlier array filled it), and reports where they differ.
func compareScanners(t *testing.T, src string, pos int) {
	t.Helper()
	var arenas [2][4]string
	for _, sc := range scanners {
		var st [2]scanState
		for i, f := range []func(*decoder) (string, error){sc.new, sc.ref} {
			d := &decoder{src: src, pos: pos, depth: 3, entry: -1, doc: &document{}}
			d.strs = append(arenas[i][:0], "before")
			text, err := f(d)
			st[i] = stateOf(d, text, err)
		}
		if !st[0].equal(st[1]) {
			t.Errorf("%s on %q from %d:\n got: %+v\nwant: %+v", sc.name, src, pos, st[0], st[1])
		}
	}
}

// scannerInputs are JSON fragments of every shape the fast paths read or
// give up on: whitespace runs of every length before and after each
// token, strings with a special byte at every offset near their end, and
// those fragments cut short anywhere.
func scannerInputs() []string {
	var in []string
	// Whitespace runs of 0..20 bytes of each pattern, before and after
	// the tokens the scanners read.
	for _, p := range wsPatterns {
		for n := 0; n <= 20; n++ {
			w := p.make(n)
			for _, f := range []string{
				`%s"key"%s:%s"value"%s,%s"next"%s:%s12%s}`,
				`%s,%s"key"%s:%s[%s"a"%s,%s"bc"%s]%s}`,
				`%s,%s{%s}%s]%s,%s0%s,%snull%s]`,
			} {
				in = append(in, strings.ReplaceAll(f, "%s", w))
			}
		}
	}
	// Strings with a special at every offset of up to 17 plain bytes,
	// as an array's element, a key and a value.
	for _, sp := range stringSpecials {
		for n := 0; n <= 17; n++ {
			for at := 0; at <= n; at++ {
				if n > 9 && at != 0 && at < n-1 {
					continue // long strings: the special at their ends
				}
				s := "abcdefghijklmnopq"[:n]
				s = s[:at] + sp.s + s[at:]
				in = append(in, "[\n\t\t\""+s+`","x"]`, `,"`+s+`":"`+s+`"}`)
			}
		}
	}
	// Numbers at the edges of uint's fast path.
	for _, num := range []string{
		"0", "00", "01", "0.5", "0e1", "0E+1", "1", "9", "12.", "12.5", "1e3", "1E3", "-1", "-0",
		"4294967295", "4294967296", "9223372036854775807", "9223372036854775808",
		"999999999999999999", "1999999999999999999", "9999999999999999999",
		"18446744073709551615", "18446744073709551616", "99999999999999999999",
		"1234567890123456789012345", "0x10", "1_000",
	} {
		in = append(in, num, num+",", num+"}", num+" ]", ` `+num+`,"x"`)
	}
	return in
}

// TestScannersMatchReference checks each fast path against the function
// as it was, from every offset of every input, and from the start of its
// every prefix (an input that ends anywhere).
func TestScannersMatchReference(t *testing.T) {
	n := 0
	for _, src := range scannerInputs() {
		for pos := 0; pos <= len(src); pos++ {
			compareScanners(t, src, pos)
		}
		for cut := 0; cut < len(src); cut++ {
			compareScanners(t, src[:cut], 0)
		}
		n += 2*len(src) + 1
		if t.Failed() {
			return
		}
	}
	t.Logf("%d calls of each of %d scanners", n, len(scanners))
}

// FuzzScanners compares the fast paths with the functions as they were
// on any input, from any offset.
func FuzzScanners(f *testing.F) {
	for _, s := range scannerInputs() {
		f.Add(s, uint16(0))
	}
	f.Add(fillTemplate(3, "\n\t\t", "tail"), uint16(5))
	f.Fuzz(func(t *testing.T, src string, pos uint16) {
		compareScanners(t, src, int(pos)%(len(src)+1))
	})
}

// TestScannerFunctions pins the fast paths' building blocks on inputs
// whose answers are worked out by hand.
func TestScannerFunctions(t *testing.T) {
	for _, c := range []struct {
		name string
		src  string
		at   int
		want int
	}{
		{"no newline", "\t\t\t\t\t\t\t\t\t", 0, 0},
		{"newline, no indent", "\n\"abcdefgh", 0, 0},
		{"newline, 4 tabs", "\n\t\t\t\t\"abcdefgh", 0, 5},
		{"newline, 8 tabs: the 8 bytes tested", "\n\t\t\t\t\t\t\t\t\t\t\"", 0, 9},
		{"newline, 3 spaces", "\n   \"abcdefgh", 0, 4},
		{"tabs then spaces: one run", "\n\t\t  \"abcdefgh", 0, 3},
		{"too near the end", "\n\t\t\t\t\t\t\t", 0, 0},
		{"just enough", "\n\t\t\t\t\t\t\tx", 0, 8},
		{"from an offset", "xx\n\t\"abcdefgh", 2, 4},
		{"a tab with the high bit", "\n\t\x89\t\t\t\t\t\t", 0, 2},
	} {
		t.Run("indentEnd/"+c.name, func(t *testing.T) {
			if got := indentEnd(c.src, c.at); got != c.want {
				t.Errorf("indentEnd(%q, %d) = %d, want %d", c.src, c.at, got, c.want)
			}
		})
	}
	for _, c := range []struct {
		name string
		src  string
		at   int
		want int
	}{
		{"empty", "", 0, 0},
		{"quote", `abc"`, 0, 3},
		{"backslash", `ab\"`, 0, 2},
		{"control", "a\x1fb", 0, 1},
		{"DEL is plain", "a\x7f\"", 0, 2},
		{"non-ASCII", "ab\xc3\xa9", 0, 2},
		{"to the end", "abc", 1, 3},
	} {
		t.Run("plainEnd/"+c.name, func(t *testing.T) {
			if got := plainEnd(c.src, c.at); got != c.want {
				t.Errorf("plainEnd(%q, %d) = %d, want %d", c.src, c.at, got, c.want)
			}
		})
	}
}
