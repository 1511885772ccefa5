package main

// Checks the profile importer against the filter runc really loads: a child
// (./runcload, built with -tags seccomp) asks moby's profiles module for the
// OCI object Docker hands to runc for Docker's default profile and a
// capability set, loads it with runc's libcontainer/seccomp (libseccomp plus
// runc's patchbpf ENOSYS stub), and stops; we attach with ptrace and read
// the filter the kernel holds with PTRACE_SECCOMP_GET_FILTER, then compare
// its verdicts, on each ABI it serves (x86_64, i386, x32: runcabi.go), with
// our program compiled from our import of the same profile.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/net/bpf"

	"github.com/sandboxkit/seccomp"
	"github.com/sandboxkit/seccomp/internal/ptracefilter"
	"github.com/sandboxkit/seccomp/profile"
)

// capSet is one capability set the container keeps.
type capSet struct {
	name string
	caps []string
}

// dockerRunCaps are the capabilities docker run keeps by default (moby's
// oci/caps.DefaultCapabilities).
var dockerRunCaps = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
	"CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
	"CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
}

// keyedCaps returns the capabilities Docker's default profile's includes
// and excludes name, sorted.
func keyedCaps() []string {
	var caps []string
	for _, sc := range profile.DockerDefault().Syscalls {
		if sc.Includes != nil {
			caps = append(caps, sc.Includes.Caps...)
		}
		if sc.Excludes != nil {
			caps = append(caps, sc.Excludes.Caps...)
		}
	}
	slices.Sort(caps)
	return slices.Compact(caps)
}

// runcCapSets are the sets checked: none, docker run's default, the pair
// the brief names, every capability the profile keys on alone, and all of
// them. short keeps the first three and the last.
func runcCapSets(short bool) []capSet {
	keyed := keyedCaps()
	sets := []capSet{
		{"none", nil},
		{"docker-run-default", dockerRunCaps},
		{"SYS_ADMIN+SYS_PTRACE", []string{"CAP_SYS_ADMIN", "CAP_SYS_PTRACE"}},
	}
	if !short {
		for _, c := range keyed {
			sets = append(sets, capSet{strings.TrimPrefix(c, "CAP_"), []string{c}})
		}
	}
	return append(sets, capSet{"all-keyed", keyed})
}

// runcLoaded is what the child reports, and the filter read back.
type runcLoaded struct {
	OCI        *specs.LinuxSeccomp `json:"oci"`
	Unknown    []string            `json:"unknown"`
	Libseccomp string              `json:"libseccomp"`
	Runc       string              `json:"runc"`
	prog       seccomp.Program
}

var runcBuild struct {
	sync.Mutex
	bin string
}

// runcLoader builds ./runcload with -tags seccomp (go's build cache makes
// it cheap after the first time) into a temporary directory, which
// cleanupRuncLoader removes.
func runcLoader() (string, error) {
	runcBuild.Lock()
	defer runcBuild.Unlock()
	if runcBuild.bin != "" {
		return runcBuild.bin, nil
	}
	src, err := runcloadDir()
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "runcload")
	if err != nil {
		return "", err
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("building the runc loader: %w", err)
	}
	bin := filepath.Join(dir, "runcload")
	cmd := exec.Command(goTool, "build", "-tags", "seccomp", "-o", bin, ".")
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("go build -tags seccomp ./runcload: %w\n%s", err, out)
	}
	runcBuild.bin = bin
	return bin, nil
}

func cleanupRuncLoader() {
	runcBuild.Lock()
	defer runcBuild.Unlock()
	if runcBuild.bin != "" {
		os.RemoveAll(filepath.Dir(runcBuild.bin))
		runcBuild.bin = ""
	}
}

// runcloadDir finds the loader's source: ./runcload from the compare
// module's directory (the working directory of go test and of run.sh), or
// beside this file.
func runcloadDir() (string, error) {
	if _, err := os.Stat(filepath.Join("runcload", "main.go")); err == nil {
		return "runcload", nil
	}
	if _, file, _, ok := runtime.Caller(0); ok {
		d := filepath.Join(filepath.Dir(file), "runcload")
		if _, err := os.Stat(filepath.Join(d, "main.go")); err == nil {
			return d, nil
		}
	}
	return "", errors.New("runcload source not found: run from the compare directory")
}

// loadRunc runs the loader for caps and reads back the filter its main
// thread holds.
func loadRunc(caps []string) (*runcLoaded, error) {
	bin, err := runcLoader()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "-caps", strings.Join(caps, ","))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	fail := func(err error) (*runcLoaded, error) {
		cmd.Process.Kill()
		cmd.Wait()
		return nil, fmt.Errorf("runcload %v: %w; stderr: %s", caps, err, strings.TrimSpace(stderr.String()))
	}
	dec := json.NewDecoder(out)
	var rl runcLoaded
	if err := dec.Decode(&rl); err != nil {
		return fail(err)
	}
	var loaded struct {
		TID int `json:"tid"`
	}
	if err := dec.Decode(&loaded); err != nil {
		return fail(err)
	}
	if loaded.TID != cmd.Process.Pid {
		return fail(fmt.Errorf("filter loaded into thread %d, not the main thread", loaded.TID))
	}
	if err := waitStopped(loaded.TID); err != nil {
		return fail(err)
	}
	raw, err := dumpFilter(loaded.TID)
	if err != nil {
		return fail(err)
	}
	rl.prog = seccomp.Program{Arch: seccomp.ArchX86_64, Instructions: raw}
	return &rl, nil
}

// waitStopped waits until the thread is in group stop (state T).
func waitStopped(tid int) error {
	path := fmt.Sprintf("/proc/%d/task/%d/stat", tid, tid)
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		// pid (comm) state ...: comm may hold spaces and parentheses.
		if i := bytes.LastIndexByte(b, ')'); i >= 0 && i+2 < len(b) && b[i+2] == 'T' {
			return nil
		}
		time.Sleep(5 * time.Millisecond)
	}
	return errors.New("the loader did not stop")
}

// dumpFilter attaches to the stopped thread and returns the filter it
// holds, checking that it holds exactly one.
func dumpFilter(tid int) ([]bpf.RawInstruction, error) {
	filters, err := ptracefilter.Read(tid)
	if err != nil {
		return nil, err
	}
	if len(filters) != 1 {
		return nil, fmt.Errorf("PTRACE_SECCOMP_GET_FILTER: thread %d holds %d filters, want 1", tid, len(filters))
	}
	return filters[0], nil
}

// runcDiff is a group of inputs on one (ABI, syscall number) where the two
// programs decide differently, or where our program and our policy's
// Decide do.
type runcDiff struct {
	abi        runcABI
	nr         uint32
	runcActs   []seccomp.Action // Analyze: what each can return
	oursActs   []seccomp.Action
	n          int       // concrete inputs that differ
	args       [6]uint64 // the smallest of them
	runc, ours uint32
	// unexplainedN counts the differing inputs nothing explains.
	unexplainedN int
	// decideN counts inputs where our program and our policy's Decide
	// disagree (decideArgs the last, decide Decide's verdict): a bug.
	decideN    int
	decideArgs [6]uint64
	decide     uint32
	// why explains the difference (runc's libseccomp's syscall table, -1
	// by design, x32's argument halves); empty when nothing explains
	// every input.
	why string
}

func (d runcDiff) String() string {
	name, ok := d.abi.abi.SyscallName(int(d.nr))
	if !ok {
		name = "?"
	}
	nr := fmt.Sprint(d.nr)
	if d.nr > 0xFFFF {
		nr = fmt.Sprintf("%#x", d.nr)
	}
	s := fmt.Sprintf("%s nr %s (%s): runc can return %v, ours %v", d.abi.name, nr, name, d.runcActs, d.oursActs)
	if d.n > 0 {
		s += fmt.Sprintf("; %d inputs differ (%d unexplained), e.g. args %#x: runc %s, ours %s", d.n, d.unexplainedN, trimArgs(d.args), retString(d.runc), retString(d.ours))
	}
	if d.decideN > 0 {
		s += fmt.Sprintf("; OUR PROGRAM DIFFERS FROM OUR POLICY on %d inputs, e.g. args %#x: Decide %s", d.decideN, trimArgs(d.decideArgs), retString(d.decide))
	}
	if d.why != "" {
		s += " — " + d.why
	}
	return s
}

func trimArgs(a [6]uint64) []uint64 {
	n := 6
	for n > 1 && a[n-1] == 0 {
		n--
	}
	return a[:n]
}

// execStats are instructions executed (Analyze's MaxExecuted), median and
// max, over the syscalls of one class of the x86_64 table.
type execStats struct{ runc, ours []int }

// runcResult is the comparison for one capability set.
type runcResult struct {
	set                capSet
	runcSize, oursSize int
	checked            int            // inputs compared, every ABI
	checkedABI         map[string]int // per ABI (runcABI.name)
	diffs              []runcDiff     // (ABI, number) pairs that differ
	diffsABI           map[string]int // per ABI
	bounds             []string       // per ABI, the highest number below each stub's ENOSYS range
	otherABI           map[string]int // "aarch64: runc X, ours Y" → inputs
	exec               [numClasses]execStats
	runcCached         int // of runc's unconditional allows on the table
	runcAllowed        int
	oursCached         int // of ours
	allowed            int
	ociSame            bool // FromOCI(the object runc got) compiles to the same program as FromDocker
	notes              []string
	loaded             *runcLoaded
}

// compareRunc compares the filter runc loaded for set with our program.
func compareRunc(set capSet, rl *runcLoaded) (*runcResult, error) {
	return compareRuncWith(set, rl, nil)
}

// compareRuncWith is compareRunc with our policy changed by mutate, if not
// nil, before it is compiled: the tests check that a change is seen.
func compareRuncWith(set capSet, rl *runcLoaded, mutate func(*seccomp.Policy)) (*runcResult, error) {
	opts := profile.Options{Arch: seccomp.ArchX86_64, Caps: set.caps}
	pol, notes, err := profile.FromDocker(profile.DockerDefault(), opts)
	if err != nil {
		return nil, err
	}
	if mutate != nil {
		mutate(pol)
	}
	ours, err := pol.Compile()
	if err != nil {
		return nil, err
	}
	if err := rl.prog.Validate(); err != nil {
		return nil, fmt.Errorf("runc: %w", err)
	}
	res := &runcResult{set: set, runcSize: len(rl.prog.Instructions), oursSize: len(ours.Instructions),
		otherABI: map[string]int{}, checkedABI: map[string]int{}, diffsABI: map[string]int{}, notes: notes, loaded: rl}

	ociPol, _, err := profile.FromOCI(rl.OCI, opts)
	if err != nil {
		return nil, fmt.Errorf("FromOCI: %w", err)
	}
	ociProg, err := ociPol.Compile()
	if err != nil {
		return nil, err
	}
	res.ociSame = slices.Equal(ociProg.Instructions, ours.Instructions)

	// Each ABI runc's filter serves (Docker's archMap for x86_64) is
	// checked alike: runc's verdict against our program's, and our
	// program's against our policy's own (Policy.Decide).
	unknown := map[string]bool{}
	for _, n := range rl.Unknown {
		unknown[n] = true
	}
	rng := rand.New(rand.NewPCG(3, 4))
	generic := genericArgs(rng)
	for _, abi := range runcABIs {
		if err := res.checkABI(abi, pol, ours, rl, unknown, generic, rng); err != nil {
			return nil, err
		}
	}

	// Other arches: the bad-arch action in both, tallied.
	tally := func(abi string, arch, nr uint32, args [6]uint64) error {
		in := seccomp.Data{Nr: nr, Arch: seccomp.Arch(arch), Args: args}
		r1, err := verdict(rl.prog, in)
		if err != nil {
			return fmt.Errorf("runc: %w", err)
		}
		r2, err := verdict(ours, in)
		if err != nil {
			return fmt.Errorf("ours: %w", err)
		}
		res.otherABI[fmt.Sprintf("%s: runc %s, ours %s", abi, retString(r1), retString(r2))]++
		return nil
	}
	for _, a := range []struct {
		name string
		arch uint32
	}{{"aarch64", uint32(seccomp.ArchAArch64)}, {"arm", 0x40000028}} {
		for nr := uint32(0); nr < 1024; nr++ {
			if err := tally(a.name, a.arch, nr, [6]uint64{}); err != nil {
				return nil, err
			}
		}
		if err := tally(a.name, a.arch, 0xFFFFFFFF, [6]uint64{}); err != nil {
			return nil, err
		}
	}

	// Size and speed over the x86_64 table, classed by our program.
	class, err := classify(ours)
	if err != nil {
		return nil, err
	}
	for nr, c := range class {
		ar, err := rl.prog.Analyze(nr)
		if err != nil {
			return nil, err
		}
		ao, err := ours.Analyze(nr)
		if err != nil {
			return nil, err
		}
		if len(ar.Actions) == 1 && ar.Actions[0] == seccomp.Allow {
			res.runcAllowed++
			if ar.Cached {
				res.runcCached++
			}
		}
		res.exec[c].runc = append(res.exec[c].runc, ar.MaxExecuted)
		res.exec[c].ours = append(res.exec[c].ours, ao.MaxExecuted)
		if c == allowed {
			res.allowed++
			if ao.Cached {
				res.oursCached++
			}
		}
	}
	return res, nil
}

// argWeight orders reproducers: fewer non-zero args first, then smaller.
func argWeight(a [6]uint64) int {
	w := 0
	for i, x := range a {
		if x != 0 {
			w += 1 << 20
			w += i << 8
			if x > 0xFFFFFFFF {
				w += 64
			}
		}
	}
	return w
}

// unexplained returns the differences checkABI does not explain.
func (r *runcResult) unexplained() []runcDiff {
	var out []runcDiff
	for _, d := range r.diffs {
		if d.why == "" {
			out = append(out, d)
		}
	}
	return out
}

// otherABILines returns the tally of other ABIs, sorted.
func (r *runcResult) otherABILines() []string {
	var out []string
	for k, n := range r.otherABI {
		out = append(out, fmt.Sprintf("%s: %d inputs", k, n))
	}
	sort.Strings(out)
	return out
}

func (r *runcResult) summary() string {
	names := ""
	if len(r.set.caps) > 0 {
		names = " " + strings.Join(r.set.caps, ",")
	}
	var per []string
	for _, a := range runcABIs {
		per = append(per, fmt.Sprintf("%s %d inputs, %d numbers differ", a.name, r.checkedABI[a.name], r.diffsABI[a.name]))
	}
	return fmt.Sprintf("caps %s%s: runc %d insns, ours %d; %s (%d numbers not explained); ENOSYS above: %s; x86_64 executed med/max (our classes) allowed runc %s, ours %s; arg-checked runc %s, ours %s; denied runc %s, ours %s; x86_64 allows cached runc %d/%d, ours %d/%d; FromOCI(runc's object) same program: %v",
		r.set.name, names, r.runcSize, r.oursSize, strings.Join(per, ", "), len(r.unexplained()), strings.Join(r.bounds, ", "),
		medMax(r.exec[allowed].runc), medMax(r.exec[allowed].ours),
		medMax(r.exec[argChecked].runc), medMax(r.exec[argChecked].ours),
		medMax(r.exec[denied].runc), medMax(r.exec[denied].ours),
		r.runcCached, r.runcAllowed, r.oursCached, r.allowed, r.ociSame)
}

// runcAvailable says why the runc comparison cannot run here, or "".
func runcAvailable() string {
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		return "needs linux/amd64"
	}
	if os.Geteuid() != 0 {
		return "needs root (CAP_SYS_ADMIN to load without no_new_privs and to read the filter back)"
	}
	return ""
}

// printRuncSummary is main's hook: one line per capability set checked.
func printRuncSummary() {
	if why := runcAvailable(); why != "" {
		fmt.Printf("runc check skipped: %s.\n", why)
		return
	}
	defer cleanupRuncLoader()
	var head string
	total, bad, unexpl := 0, 0, 0
	var lines []string
	for _, set := range runcCapSets(true) {
		rl, err := loadRunc(set.caps)
		if err != nil {
			fmt.Printf("runc check failed: %v\n", err)
			return
		}
		r, err := compareRunc(set, rl)
		if err != nil {
			fmt.Printf("runc check failed: %v\n", err)
			return
		}
		head = fmt.Sprintf("runc %s (libseccomp %s), filter read back from the kernel", rl.Runc, rl.Libseccomp)
		total += r.checked
		bad += len(r.diffs)
		unexpl += len(r.unexplained())
		lines = append(lines, "  - "+r.summary())
		var explained []string
		for _, d := range r.diffs {
			if d.why != "" {
				explained = append(explained, fmt.Sprintf("%s %#x", d.abi.name, d.nr))
				continue
			}
			lines = append(lines, "    - NOT EXPLAINED: "+d.String())
		}
		if len(explained) > 0 {
			lines = append(lines, fmt.Sprintf("    - explained by libseccomp %s's syscall tables (rules it cannot name, and the lower ENOSYS bound), -1 by design, or x32's argument high halves (deliberate): %s", rl.Libseccomp, strings.Join(explained, ", ")))
		}
	}
	fmt.Printf("%s vs our import of Docker's default profile (x86_64, i386 and x32, every ABI runc's filter serves): %d inputs, %d (set, number) pairs decided differently, %d of them not explained (libseccomp's syscall tables, -1 by design, socketcall failing closed, x32 high halves).\n", head, total, bad, unexpl)
	for _, l := range lines {
		fmt.Println(l)
	}
}
