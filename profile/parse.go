package profile

import (
	"fmt"

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
