package profile

import (
	"flag"
	"fmt"
	"hash/fnv"
	"os"
	"strings"
	"testing"
)

// The golden file holds what decode returned, before its fast paths
// (commit 733f65f), for each crafted input of goldenFamilies: one line a
// family, its number of cases and a hash of their results (each a
// document, notes included, or an error's text). Regenerate it with
// -update only when decoding is meant to change; then say so in the
// commit. To find the case that differs, write every case's result with
// -golden.dump=FILE here and at that commit, and diff the two.
var (
	updateGolden = flag.Bool("update", false, "rewrite testdata/decode_golden.txt from the decoder as it is")
	dumpGolden   = flag.String("golden.dump", "", "write every golden case's input and result to this file")
)

const goldenFile = "testdata/decode_golden.txt"

// decodeResult is decode's answer to src as text: its document, every
// field and note, or its error.
func decodeResult(src string) string {
	doc, err := decode(src)
	if err != nil {
		return "error: " + err.Error()
	}
	return dumpDocument(doc, src)
}

func dumpDocument(doc *document, src string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "defaultAction %q\ndefaultErrnoRet %#v\ndefaultErrno %q\n", doc.defaultAction, doc.defaultErrnoRet, doc.defaultErrno)
	fmt.Fprintf(&b, "architectures %#v\nflags %#v\n", doc.architectures, doc.flags)
	fmt.Fprintf(&b, "listenerPath %q\nlistenerMetadata %q\n", doc.listenerPath, doc.listenerMetadata)
	fmt.Fprintf(&b, "archMap %#v\nociSyscalls %v\nsrc is input %v\n", doc.archMap, doc.ociSyscalls, doc.src == src)
	fmt.Fprintf(&b, "syscalls nil %v\n", doc.syscalls == nil)
	for i, e := range doc.syscalls {
		inc, exc := e.includes, e.excludes
		e.includes, e.excludes = nil, nil
		fmt.Fprintf(&b, "syscall %d %#v\n", i, e)
		if inc != nil {
			fmt.Fprintf(&b, "  includes %#v\n", *inc)
		}
		if exc != nil {
			fmt.Fprintf(&b, "  excludes %#v\n", *exc)
		}
	}
	for _, n := range doc.pending {
		fmt.Fprintf(&b, "note %#v\n", n)
	}
	return b.String()
}

// goldenTemplate is a profile with every kind of value the schema reads
// or skips. Each %k marks a place of kind k, where a case puts
// whitespace (or a byte that is none); %s marks where a case puts a
// string's content.
const goldenTemplate = `%0{%1"defaultAction"%2:%3"SCMP_ACT_ERRNO"%4,%5"defaultErrnoRet"%2:%3 1%15,%5"architectures"%2:%3[%6"SCMP_ARCH_X86_64"%7,%8"SCMP_ARCH_X86"%9]%4,` +
	`%5"archMap"%2:%3[%13{%1"architecture"%2:%3"SCMP_ARCH_X86_64"%4,%5"subArchitectures"%2:%3[%6"SCMP_ARCH_X86"%9]%11}%4,%13{%14}%4,%13null%16]%4,` +
	`%5"flags"%2:%3[%14]%4,%5"Unknown"%2:%3[%12{%1"a"%2:%3[%12 1%15,%12true%16,%12null%16,%12"x"%12,%12-2.5e+3%15]%11}%12,%12[%14]%12]%4,` +
	`%5"syscalls"%2:%3[%13{%1"names"%2:%3[%6"read"%7,%8"write"%7,%8"openat"%9]%4,%5"action"%2:%3"SCMP_ACT_ALLOW"%4,` +
	`%5"args"%2:%3[%13{%1"index"%2:%3 0%15,%5"value"%2:%3 18446744073709551615%15,%5"valueTwo"%2:%3 0%15,%5"op"%2:%3"SCMP_CMP_EQ"%11}%13]%4,` +
	`%5"includes"%2:%3{%1"caps"%2:%3[%6"CAP_SYS_ADMIN"%9]%4,%5"minKernel"%2:%3"4.8"%11}%4,%5"excludes"%2:%3{%1"arches"%2:%3[%14]%11}%4,` +
	`%5"Comment"%2:%3"%s"%11}%4,%13{%1"name"%2:%3"%s"%4,%5"action"%2:%3"SCMP_ACT_ERRNO"%4,%5"errnoRet"%2:%3 1%15}%13]%11}%10`

const goldenKinds = 17

// fillTemplate puts ws at the places of kind k (k < 0: none), and s as
// the two strings' content.
func fillTemplate(k int, ws, s string) string {
	var b strings.Builder
	t := goldenTemplate
	for i := 0; i < len(t); i++ {
		if t[i] != '%' {
			b.WriteByte(t[i])
			continue
		}
		if t[i+1] == 's' {
			if s == "" {
				s = "x"
			}
			b.WriteString(s)
			i++
			continue
		}
		j := i + 1
		for j < len(t) && t[j] >= '0' && t[j] <= '9' {
			j++
		}
		var n int
		fmt.Sscan(t[i+1:j], &n)
		if n == k {
			b.WriteString(ws)
		}
		i = j - 1
	}
	return b.String()
}

// wsPatterns make a run of n bytes of whitespace, or n bytes of it and
// then one that is not.
var wsPatterns = []struct {
	name string
	make func(n int) string
}{
	{"tabs", func(n int) string { return strings.Repeat("\t", n) }},
	{"spaces", func(n int) string { return strings.Repeat(" ", n) }},
	{"newline-tabs", func(n int) string { return "\n" + strings.Repeat("\t", n) }},
	{"newline-spaces", func(n int) string { return "\n" + strings.Repeat(" ", n) }},
	{"crlf-tabs", func(n int) string { return "\r\n" + strings.Repeat("\t", n) }},
	{"mixed", func(n int) string { return strings.Repeat(" \t\n\r", 6)[:n] }},
	{"newlines", func(n int) string { return strings.Repeat("\n", n) }},
	{"tabs-vt", func(n int) string { return strings.Repeat("\t", n) + "\x0b" }},
	{"spaces-nul", func(n int) string { return strings.Repeat(" ", n) + "\x00" }},
	{"tabs-0x89", func(n int) string { return strings.Repeat("\t", n) + "\x89" }},
	{"spaces-0xa0", func(n int) string { return strings.Repeat(" ", n) + "\xa0" }},
	{"newline-tabs-0x0c", func(n int) string { return "\n" + strings.Repeat("\t", n) + "\x0c" }},
}

// stringSpecials are what a string may hold that the fast paths stop at
// or must not stop at.
var stringSpecials = []struct{ name, s string }{
	{"quote", `"`},
	{"backslash-quote", `\"`},
	{"escape-n", `\n`},
	{"escape-slash", `\/`},
	{"escape-u", `\u00e9`},
	{"escape-pair", `\ud83d\ude00`},
	{"lone-surrogate", `\ud83d`},
	{"bad-escape", `\x`},
	{"bad-u", `\u12g4`},
	{"backslash", `\`},
	{"ctl-0x00", "\x00"},
	{"ctl-0x1f", "\x1f"},
	{"tab", "\t"},
	{"del-0x7f", "\x7f"},
	{"space", " "},
	{"0x21", "!"},
	{"0x5b", "["},
	{"0x5d", "]"},
	{"utf8-2", "é"},
	{"utf8-3", "€"},
	{"utf8-4", "😀"},
	{"utf8-trunc", "\xe2\x82"},
	{"lone-0x80", "\x80"},
	{"0xff", "\xff"},
	{"overlong", "\xc0\x80"},
	{"surrogate-utf8", "\xed\xa0\x80"},
	{"0xa2", "\xa2"},
	{"0xdc", "\xdc"},
}

// goldenFamily is a set of cases whose results hash to one line of the
// golden file.
type goldenFamily struct {
	name  string
	cases []string
}

// goldenFamilies are the crafted inputs: whitespace runs of 0..20 bytes at
// every kind of place, strings with a special at every offset near their
// end, and every prefix of the template (an input that ends anywhere).
func goldenFamilies() []goldenFamily {
	var fams []goldenFamily
	for k := range goldenKinds {
		for _, p := range wsPatterns {
			f := goldenFamily{name: fmt.Sprintf("ws/kind%d/%s", k, p.name)}
			for n := 0; n <= 20; n++ {
				f.cases = append(f.cases, fillTemplate(k, p.make(n), "x"))
			}
			fams = append(fams, f)
		}
	}
	// Strings: the special at every offset of a string of up to 17
	// bytes of ASCII around it, in every place a string is read; and
	// those strings cut off after the special (an input that ends in a
	// string).
	places := []struct {
		name string
		make func(s string) string
	}{
		{"template", func(s string) string { return fillTemplate(-1, "", s) }},
		{"names", func(s string) string {
			return `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["a","` + s + `","b"],"action":"SCMP_ACT_ALLOW"}]}`
		}},
		{"names-indented", func(s string) string {
			return "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\n\t\t\t\t\"" + s + "\",\n\t\t\t\t\"b\"\n\t\t\t],\"action\":\"SCMP_ACT_ALLOW\"}]}"
		}},
		{"key", func(s string) string { return `{"defaultAction":"SCMP_ACT_ERRNO","` + s + `":1,"syscalls":[]}` }},
		{"skipped", func(s string) string {
			return `{"defaultAction":"SCMP_ACT_ERRNO","x":{"y":["` + s + `"]},"syscalls":[]}`
		}},
		{"field", func(s string) string { return `{"defaultAction":"` + s + `","syscalls":[]}` }},
		{"end-names", func(s string) string { return `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["` + s }},
		{"end-field", func(s string) string { return `{"defaultAction":"` + s }},
		{"end-key", func(s string) string { return `{"` + s }},
	}
	for _, pl := range places {
		for _, sp := range stringSpecials {
			f := goldenFamily{name: fmt.Sprintf("string/%s/%s", pl.name, sp.name)}
			for n := 0; n <= 17; n++ {
				for _, at := range []int{0, n / 2, n} {
					if at == n/2 && (n < 2 || n%3 != 0) {
						continue // the middle of a few lengths: a special with ASCII each side
					}
					s := "abcdefghijklmnopq"[:n]
					f.cases = append(f.cases, pl.make(s[:at]+sp.s+s[at:]))
				}
			}
			fams = append(fams, f)
		}
	}
	// Every prefix of the template, compact and indented with tabs.
	for _, ws := range []string{"", "\n\t\t"} {
		full := fillTemplate(3, ws, "tail")
		for lo := 0; lo < len(full); lo += 64 {
			f := goldenFamily{name: fmt.Sprintf("prefix/ws%d/from%d", len(ws), lo)}
			for n := lo; n < min(lo+64, len(full)+1); n++ {
				f.cases = append(f.cases, full[:n])
			}
			fams = append(fams, f)
		}
	}
	return fams
}

// line is the family's line of the golden file: its name, its number of
// cases and a hash of their results.
func (f goldenFamily) line(dump *strings.Builder) string {
	h := fnv.New64a()
	for i, c := range f.cases {
		r := decodeResult(c)
		fmt.Fprintf(h, "%d\x00%s\x00", len(r), r)
		if dump != nil {
			fmt.Fprintf(dump, "%s case %d: %q\n%s\n", f.name, i, c, r)
		}
	}
	return fmt.Sprintf("%s %d %016x", f.name, len(f.cases), h.Sum64())
}

// TestDecodeGolden checks that decode still returns, for every crafted
// input, exactly what it returned before its fast paths.
func TestDecodeGolden(t *testing.T) {
	fams := goldenFamilies()
	var dump *strings.Builder
	if *dumpGolden != "" {
		dump = new(strings.Builder)
	}
	var got strings.Builder
	for _, f := range fams {
		got.WriteString(f.line(dump))
		got.WriteString("\n")
	}
	if dump != nil {
		if err := os.WriteFile(*dumpGolden, []byte(dump.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if *updateGolden {
		if err := os.WriteFile(goldenFile, []byte(got.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	data, err := os.ReadFile(goldenFile)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	lines := strings.Split(strings.TrimSuffix(got.String(), "\n"), "\n")
	if len(lines) != len(want) {
		t.Fatalf("%d families, %s has %d", len(lines), goldenFile, len(want))
	}
	cases := 0
	for i, f := range fams {
		cases += len(f.cases)
		if lines[i] != want[i] {
			t.Errorf("family %s: got %q, %s has %q", f.name, lines[i], goldenFile, want[i])
		}
	}
	t.Logf("%d cases in %d families", cases, len(fams))
}
