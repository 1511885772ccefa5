package profile

import "github.com/sandboxkit/seccomp"

// UsesErrnoNames reports whether a profile decodes with containers/common's
// errno or defaultErrno, which encoding/json into Docker's types ignores:
// the fuzzer's oracle cannot judge such input.
func UsesErrnoNames(data []byte) bool {
	doc, err := decode(string(data))
	if err != nil {
		return false
	}
	if doc.defaultErrno != "" {
		return true
	}
	for _, e := range doc.syscalls {
		if e.errno != "" {
			return true
		}
	}
	return false
}

// Targets returns the arches the importer resolves profiles for, in a
// stable order: seccomp.Arches() may hold more (their tables tell a
// name's typo from a name another arch has).
func Targets() []seccomp.Arch {
	var t []seccomp.Arch
	for _, a := range seccomp.Arches() {
		if _, ok := targets[a]; ok {
			t = append(t, a)
		}
	}
	return t
}
