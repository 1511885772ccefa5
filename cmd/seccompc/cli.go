package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/sandboxkit/seccomp"
	"github.com/sandboxkit/seccomp/profile"
)

const usage = `usage:
  seccompc compile -profile PATH|docker [-arch ARCH] [-layout tree|bitmap]
                   [-caps CAP_A,CAP_B] [-strict] [-format raw|disasm|go [-package NAME] [-var NAME]] [-o FILE]
  seccompc stats   -profile PATH|docker [-arch ...] [-layout ...] [-caps ...] [-strict] [-o FILE]
  seccompc run     -profile PATH|docker [-layout ...] [-caps ...] [-strict] -- COMMAND [ARGS...]
  seccompc explain -profile PATH|docker [-arch ...] [-layout ...] [-caps ...] [-strict] | -program FILE [-arch ...] | -pid PID
                   SYSCALL [ARG0 ... ARG5]
  seccompc learn   -o PROFILE -- COMMAND [ARGS...]
`

// Exit statuses.
const (
	exitFailure  = 1 // writing or loading failed
	exitBadInput = 2 // flags, profile or command are wrong
)

// badInput marks an error as the user's input's fault: exit status 2.
type badInput struct{ err error }

func (e badInput) Error() string { return e.err.Error() }
func (e badInput) Unwrap() error { return e.err }

func badInputf(format string, args ...any) error {
	return badInput{fmt.Errorf(format, args...)}
}

// seccompc runs the command line args (without the program name) and
// returns the exit status. run does not return when it executes the
// command.
func seccompc(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitBadInput
	}
	var err error
	switch cmd, rest := args[0], args[1:]; cmd {
	case "compile":
		err = compile(rest, stdout, stderr)
	case "stats":
		err = stats(rest, stdout, stderr)
	case "run":
		err = run(rest, stdout, stderr)
	case "explain":
		err = explain(rest, stdout, stderr)
	case "learn":
		err = learn(rest, stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		err = badInputf("unknown command %q (want compile, stats, run, explain or learn)", cmd)
	}
	if err == nil {
		return 0
	}
	if code, ok := errors.AsType[commandExit](err); ok {
		return int(code) // the command's own status, already reported
	}
	if h, ok := errors.AsType[helpRequested](err); ok {
		fmt.Fprint(stdout, usage)
		fmt.Fprintf(stdout, "\nflags of %s:\n", h.fs.Name())
		h.fs.SetOutput(stdout)
		h.fs.PrintDefaults()
		return 0
	}
	fmt.Fprintf(stderr, "seccompc: %s\n", oneLine(err.Error()))
	if errors.As(err, new(badInput)) {
		return exitBadInput
	}
	return exitFailure
}

// oneLine keeps an error message to one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// input is what the commands read: a profile imported for an arch,
// compiled with a layout.
type input struct {
	profile string
	arch    string
	layout  string
	caps    string
	strict  bool
}

// archNames lists the supported arches, as -arch's help names them.
func archNames() string {
	var names []string
	for _, a := range seccomp.Arches() {
		names = append(names, a.String())
	}
	return strings.Join(names, ", ")
}

func (in *input) register(fs *flag.FlagSet) {
	fs.StringVar(&in.profile, "profile", "", "profile `PATH`, or docker for Docker's default")
	fs.StringVar(&in.arch, "arch", "", "target `ARCH`, by the kernel's, Go's, Docker's or libseccomp's name: "+archNames()+" (default: the host's)")
	fs.StringVar(&in.layout, "layout", "tree", "dispatch layout: tree or bitmap")
	fs.StringVar(&in.caps, "caps", "", "capabilities for Docker's includes and excludes, comma-separated")
	fs.BoolVar(&in.strict, "strict", false, "refuse a profile with a note on what may change the filter's decisions (unknown fields, names no arch knows, ...)")
}

// compiled is an input's outcome.
type compiled struct {
	pol    *seccomp.Policy
	prog   seccomp.Program
	layout seccomp.Layout
	notes  []string
}

// load imports and compiles the profile the input names, and prints the
// importer's notes on stderr.
func (in *input) load(stderr io.Writer) (*compiled, error) {
	if in.profile == "" {
		return nil, badInputf("-profile: missing (a PATH, or docker)")
	}
	opts := profile.Options{Strict: in.strict}
	if in.arch != "" {
		arch, err := seccomp.ParseArch(in.arch)
		if err != nil {
			return nil, badInputf("-arch: %w", err)
		}
		opts.Arch = arch
	}
	layout, err := seccomp.ParseLayout(in.layout)
	if err != nil {
		return nil, badInputf("-layout: %w", err)
	}
	if opts.Caps, err = parseCaps(in.caps); err != nil {
		return nil, badInputf("-caps: %w", err)
	}

	var (
		pol   *seccomp.Policy
		notes []string
	)
	if in.profile == "docker" {
		docker, derr := dockerDefault()
		if derr != nil {
			return nil, badInput{derr}
		}
		pol, notes, err = profile.FromDocker(docker, opts)
	} else {
		data, rerr := os.ReadFile(in.profile)
		if rerr != nil {
			return nil, badInput{rerr}
		}
		pol, notes, err = profile.Import(data, opts)
	}
	if err != nil {
		return nil, badInputf("%s: %w", in.profile, err)
	}
	for _, n := range notes {
		fmt.Fprintf(stderr, "seccompc: note: %s\n", oneLine(n))
	}
	prog, err := pol.CompileLayout(layout)
	if err != nil {
		return nil, badInputf("%s: %w", in.profile, err)
	}
	return &compiled{pol: pol, prog: prog, layout: layout, notes: notes}, nil
}

// parseCaps reads -caps: "CAP_SYS_ADMIN,sys_ptrace" is CAP_SYS_ADMIN and
// CAP_SYS_PTRACE.
func parseCaps(s string) ([]string, error) {
	var caps []string
	for _, name := range strings.Split(s, ",") {
		c := strings.ToUpper(strings.TrimSpace(name))
		if c == "" {
			continue
		}
		for _, r := range c {
			if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
				return nil, fmt.Errorf("%q is not a capability name", strings.TrimSpace(name))
			}
		}
		if !strings.HasPrefix(c, "CAP_") {
			c = "CAP_" + c
		}
		if !slices.Contains(caps, c) {
			caps = append(caps, c)
		}
	}
	return caps, nil
}

// helpRequested is what parse returns for -h: not an error, but a request
// for the command's flags.
type helpRequested struct{ fs *flag.FlagSet }

func (h helpRequested) Error() string { return "help requested" }

// newFlags returns a flag set that reports errors instead of printing
// them.
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parse parses args into fs; with positional, the arguments after the
// flags are returned, else they are an error.
func parse(fs *flag.FlagSet, args []string, positional bool) ([]string, error) {
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		return nil, helpRequested{fs}
	} else if err != nil {
		return nil, badInputf("%s: %w", fs.Name(), err)
	}
	if !positional && fs.NArg() != 0 {
		return nil, badInputf("%s: unexpected argument %q", fs.Name(), fs.Arg(0))
	}
	return fs.Args(), nil
}

// output opens -o, or returns stdout; close closes what it opened.
func output(path string, stdout io.Writer) (w io.Writer, close func() error, err error) {
	if path == "" {
		return stdout, func() error { return nil }, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, nil, fmt.Errorf("-o: %w", err) // a failure to write: status 1
	}
	return f, f.Close, nil
}

// writeOutput writes data to -o or stdout.
func writeOutput(path string, stdout io.Writer, data []byte) error {
	w, closeFn, err := output(path, stdout)
	if err != nil {
		return err
	}
	if _, err := w.Write(data); err != nil {
		closeFn()
		return fmt.Errorf("writing output: %w", err)
	}
	if err := closeFn(); err != nil {
		return fmt.Errorf("writing output: %w", err)
	}
	return nil
}

func compile(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("compile")
	var in input
	in.register(fs)
	format := fs.String("format", "raw", "output format: raw, disasm, or go (Go source, see -package)")
	out := fs.String("o", "", "write to `FILE` instead of stdout")
	var gopt goOptions
	fs.StringVar(&gopt.pkg, "package", "", "with -format go: the generated file's package `NAME`")
	fs.StringVar(&gopt.name, "var", "", "with -format go: the variable's `NAME` (default Filter)")
	if _, err := parse(fs, args, false); err != nil {
		return err
	}
	if *format != "raw" && *format != "disasm" && *format != "go" {
		return badInputf("-format: unknown format %q (want raw, disasm or go)", *format)
	}
	if err := gopt.check(*format); err != nil {
		return err
	}
	c, err := in.load(stderr)
	if err != nil {
		return err
	}
	var data []byte
	switch *format {
	case "disasm":
		data = []byte(c.prog.Disassemble())
	case "go":
		if data, err = goSource(c.prog, gopt, oneLine("seccompc compile "+strings.Join(args, " "))); err != nil {
			return err
		}
	default:
		if data, err = c.prog.MarshalBinary(); err != nil {
			return err
		}
	}
	return writeOutput(*out, stdout, data)
}

func stats(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("stats")
	var in input
	in.register(fs)
	out := fs.String("o", "", "write to `FILE` instead of stdout")
	if _, err := parse(fs, args, false); err != nil {
		return err
	}
	c, err := in.load(stderr)
	if err != nil {
		return err
	}
	report, err := statsReport(in.profile, c)
	if err != nil {
		return err
	}
	return writeOutput(*out, stdout, []byte(report))
}
