package profile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"

	mobyseccomp "github.com/moby/profiles/seccomp"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// rawProfile is Docker's profile with its syscalls[] left raw, so that a
// decoding error can name its entry.
type rawProfile struct {
	DefaultAction    specs.LinuxSeccompAction   `json:"defaultAction"`
	DefaultErrnoRet  *uint                      `json:"defaultErrnoRet,omitempty"`
	Architectures    []specs.Arch               `json:"architectures,omitempty"`
	Flags            []specs.LinuxSeccompFlag   `json:"flags,omitempty"`
	ListenerPath     string                     `json:"listenerPath,omitempty"`
	ListenerMetadata string                     `json:"listenerMetadata,omitempty"`
	ArchMap          []mobyseccomp.Architecture `json:"archMap,omitempty"`
	Syscalls         []json.RawMessage          `json:"syscalls"`
}

// Parse reads a profile in JSON: Docker's format, an OCI linux.seccomp
// object (a subset of it), or a whole OCI config.json, whose linux.seccomp
// it takes. A decoding error names the entry and the field.
func Parse(data []byte) (*mobyseccomp.Seccomp, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, fmt.Errorf("profile: %w", jsonError(data, err))
	}
	if _, ok := top["linux"]; ok && top["defaultAction"] == nil && top["syscalls"] == nil {
		var cfg struct {
			Linux struct {
				Seccomp json.RawMessage `json:"seccomp"`
			} `json:"linux"`
		}
		if err := json.Unmarshal(data, &cfg); err != nil {
			return nil, fmt.Errorf("profile: config.json: %w", jsonError(data, err))
		}
		if len(cfg.Linux.Seccomp) == 0 || string(cfg.Linux.Seccomp) == "null" {
			return nil, fmt.Errorf("profile: config.json: linux.seccomp: missing")
		}
		data = cfg.Linux.Seccomp
	}

	var raw rawProfile
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("profile: %w", jsonError(data, err))
	}
	p := &mobyseccomp.Seccomp{
		LinuxSeccomp: specs.LinuxSeccomp{
			DefaultAction:    raw.DefaultAction,
			DefaultErrnoRet:  raw.DefaultErrnoRet,
			Architectures:    raw.Architectures,
			Flags:            raw.Flags,
			ListenerPath:     raw.ListenerPath,
			ListenerMetadata: raw.ListenerMetadata,
		},
		ArchMap:  raw.ArchMap,
		Syscalls: make([]*mobyseccomp.Syscall, len(raw.Syscalls)),
	}
	for i, msg := range raw.Syscalls {
		var sc mobyseccomp.Syscall
		if err := json.Unmarshal(msg, &sc); err != nil {
			// Name the entry as far as its names decode.
			var names struct {
				Name  string   `json:"name"`
				Names []string `json:"names"`
			}
			_ = json.Unmarshal(msg, &names)
			return nil, fmt.Errorf("profile: %s: %w", entryLabel(i, names.Name, names.Names), jsonError(msg, err))
		}
		if string(bytes.TrimSpace(msg)) != "null" {
			p.Syscalls[i] = &sc
		}
	}
	return p, nil
}

// jsonError makes a decoding error say where: the line and column of a
// syntax error, the field of a type error.
func jsonError(data []byte, err error) error {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		line, col := position(data, syn.Offset-1)
		return fmt.Errorf("invalid JSON at line %d, column %d: %w", line, col, err)
	}
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		return &typeError{typ}
	}
	return err
}

// typeError is a JSON type error that reads as field: what is wrong.
type typeError struct{ err *json.UnmarshalTypeError }

func (e *typeError) Error() string {
	if e.err.Field == "" {
		return fmt.Sprintf("JSON %s where %s belongs", e.err.Value, jsonKind(e.err.Type))
	}
	// The path names Go's embedded structs; a JSON reader knows none.
	field := strings.NewReplacer("LinuxSyscall.", "", "LinuxSeccomp.", "").Replace(e.err.Field)
	return fmt.Sprintf("%s: JSON %s where %s belongs", field, e.err.Value, jsonKind(e.err.Type))
}

func (e *typeError) Unwrap() error { return e.err }

// jsonKind names what JSON a Go type decodes from.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Slice:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.String:
		return "a string"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return fmt.Sprintf("a %d-bit unsigned integer", t.Bits())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return fmt.Sprintf("a %d-bit integer", t.Bits())
	case reflect.Bool:
		return "a boolean"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	}
	return "a " + t.String()
}

// position returns the 1-based line and column of the byte at offset.
func position(data []byte, offset int64) (line, col int) {
	offset = min(max(offset, 0), int64(len(data)))
	before := data[:offset]
	line = 1 + bytes.Count(before, []byte("\n"))
	col = int(offset) - bytes.LastIndexByte(before, '\n')
	return line, col
}
