package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The committed zsysnum.go is what the generator makes from the committed
// inputs and go.mod's x/sys: no one edited it by hand or forgot go
// generate.
func TestGeneratedUpToDate(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}} {{.Version}}", "golang.org/x/sys").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dir, version, ok := strings.Cut(strings.TrimSpace(string(out)), " ")
	if !ok {
		t.Fatalf("go list: %q", out)
	}
	root := filepath.Join("..", "..")
	got, err := generate(root, dir, version)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join(root, "zsysnum.go"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("zsysnum.go is stale: run go generate from the repository root")
	}
}

func write(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestParsePrivate(t *testing.T) {
	names, err := parsePrivate("arm_private.h")
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]string{0xf0001: "breakpoint", 0xf0002: "cacheflush", 0xf0003: "usr26", 0xf0004: "usr32", 0xf0005: "set_tls", 0xf0006: "get_tls"}
	if len(names) != len(want) {
		t.Errorf("got %v, want %v", names, want)
	}
	for nr, name := range want {
		if names[nr] != name {
			t.Errorf("%#x: got %q, want %q", nr, names[nr], name)
		}
	}

	const base = "#define __ARM_NR_BASE\t(__NR_SYSCALL_BASE+0x0f0000)\n"
	bad := []struct{ name, text, wantErr string }{
		{"no base", "#define __ARM_NR_set_tls\t(__ARM_NR_BASE+5)\n", "before the calls"},
		{"base twice", base + base, "defined once"},
		{"unparsed define", base + "#define __ARM_NR_set_tls\t(__ARM_NR_BASE + 5)\n", "want #define"},
		{"number twice", base + "#define __ARM_NR_a\t(__ARM_NR_BASE+5)\n#define __ARM_NR_b\t(__ARM_NR_BASE+5)\n", "repeats"},
		{"name twice", base + "#define __ARM_NR_a\t(__ARM_NR_BASE+5)\n#define __ARM_NR_a\t(__ARM_NR_BASE+6)\n", "repeats"},
		{"none", base, "no private calls"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			_, err := parsePrivate(write(t, "p.h", c.text))
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("got %v, want an error with %q", err, c.wantErr)
			}
		})
	}
}

func TestParseTbl(t *testing.T) {
	first := write(t, "a.tbl", "# comment\n0\tcommon\tread\tsys_read\n13\t64\trt_sigaction\tsys_rt_sigaction\n512\tx32\trt_sigaction\tcompat_sys_rt_sigaction\n")
	names, err := parseTbl(first, write(t, "b.tbl", "463\tcommon\tsetxattrat\tsys_setxattrat\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]string{x32SyscallBit: "read", x32SyscallBit | 512: "rt_sigaction", x32SyscallBit | 463: "setxattrat"}
	if len(names) != len(want) {
		t.Errorf("got %v, want %v", names, want)
	}
	for nr, name := range want {
		if names[nr] != name {
			t.Errorf("%#x: got %q, want %q", nr, names[nr], name)
		}
	}

	bad := []struct{ name, later, wantErr string }{
		{"number of a common entry again", "0\tcommon\tfoo\tsys_foo\n", "number 0 is both read and foo"},
		{"number of a 64-bit entry again", "13\tcommon\tfoo\tsys_foo\n", "number 13 is both"},
		{"name again", "600\tcommon\tread\tsys_read\n", "named twice"},
		{"unknown abi", "600\ti386\tfoo\tsys_foo\n", "unknown abi"},
		{"short line", "600\tcommon\n", "want <number> <abi> <name>"},
		{"bad number", "x\tcommon\tfoo\tsys_foo\n", "invalid syntax"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			_, err := parseTbl(first, write(t, "b.tbl", c.later))
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("got %v, want an error with %q", err, c.wantErr)
			}
		})
	}
}
