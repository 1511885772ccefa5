package profile

import (
	"fmt"
	"strconv"

	mobyseccomp "github.com/moby/profiles/seccomp"
)

// Parse reads a profile in JSON, as Import reads it, into Docker's types:
// Docker's format, an OCI linux.seccomp object (a subset of it), or a
// whole OCI config.json, whose linux.seccomp it takes. containers/common's
// errno names become errnoRet numbers, as that library makes them. A
// decoding error names the entry and the field. Parse takes no notes:
// Import reports the fields it ignores.
func Parse(data []byte) (*mobyseccomp.Seccomp, error) {
	doc, err := decode(string(data)) // a copy: the result keeps its strings
	if err != nil {
		return nil, err
	}
	p, err := doc.toMoby()
	if err != nil {
		return nil, fmt.Errorf("profile: %w", err)
	}
	return p, nil
}

// label names entry i in errors and notes: its index and its first name.
func (d *document) label(i int) string {
	e := &d.syscalls[i]
	return entryLabel(i, e.name, e.names)
}

// entryLabel names an entry: its index and its first name.
func entryLabel(i int, name string, names []string) string {
	return string(appendEntryLabel(nil, i, name, names))
}

// appendEntryLabel appends entryLabel's text to b: as fmt would write
// "syscalls[%d] (%q)" and "syscalls[%d] (%q and %d more)", without its
// scan of the format.
func appendEntryLabel(b []byte, i int, name string, names []string) []byte {
	b = strconv.AppendInt(append(b, "syscalls["...), int64(i), 10)
	b = append(b, ']')
	more := 0
	switch {
	case name != "":
	case len(names) > 0:
		name, more = names[0], len(names)-1
	default:
		return b
	}
	b = appendQuoted(append(b, " ("...), name)
	if more > 0 {
		b = strconv.AppendInt(append(b, " and "...), int64(more), 10)
		b = append(b, " more"...)
	}
	return append(b, ')')
}
