package profile

// UsesErrnoNames reports whether a profile decodes with containers/common's
// errno or defaultErrno, which encoding/json into Docker's types ignores:
// the fuzzer's oracle cannot judge such input.
func UsesErrnoNames(data []byte) bool {
	doc, err := decode(data)
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
