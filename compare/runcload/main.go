// Command runcload loads Docker's default seccomp profile into itself the
// way Docker and runc do, then stops, so that its parent can read the filter
// the kernel holds with PTRACE_SECCOMP_GET_FILTER (see ../runc.go).
//
// It must be built with -tags seccomp (and cgo): without that tag runc's
// libcontainer/seccomp is a stub that loads nothing.
//
//	runcload [-caps CAP_A,CAP_B]
//
// It writes to stdout, one JSON object a line: the specs.LinuxSeccomp that
// Docker hands to runc for this host and the bounding set, with the names of
// that object that libseccomp cannot resolve; then, once the filter is
// loaded, the thread that holds it. Then it stops itself with SIGSTOP and
// waits to be killed.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strings"

	mobyseccomp "github.com/moby/profiles/seccomp"
	"github.com/opencontainers/runc/libcontainer/seccomp"
	"github.com/opencontainers/runc/libcontainer/specconv"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	libseccomp "github.com/seccomp/libseccomp-golang"
	"golang.org/x/sys/unix"
)

// runc loads its filter without SECCOMP_FILTER_FLAG_TSYNC, into the calling
// thread only: keep main on the main thread, whose tid is the pid.
func init() { runtime.LockOSThread() }

// Header is the first line of output.
type Header struct {
	OCI *specs.LinuxSeccomp `json:"oci"`
	// Unknown lists the syscall names of OCI that libseccomp cannot
	// resolve for the native arch: runc skips their rules.
	Unknown    []string `json:"unknown"`
	Libseccomp string   `json:"libseccomp"`
	// Runc is the version of runc's module this was built with.
	Runc string `json:"runc"`
}

// Loaded is the second line.
type Loaded struct {
	TID int `json:"tid"`
}

func main() {
	caps := flag.String("caps", "", "comma-separated bounding capabilities")
	flag.Parse()
	if err := load(*caps); err != nil {
		fmt.Fprintln(os.Stderr, "runcload:", err)
		os.Exit(1)
	}
}

func load(caps string) error {
	var bounding []string
	if caps != "" {
		bounding = strings.Split(caps, ",")
	}
	// What Docker's daemon does for the default profile (moby's
	// daemon/seccomp_linux.go: seccomp.GetDefaultProfile(s)), with the
	// container's capabilities in s.Process.Capabilities.Bounding.
	spec := &specs.Spec{Process: &specs.Process{Capabilities: &specs.LinuxCapabilities{
		Bounding: bounding, Effective: bounding, Permitted: bounding,
	}}}
	oci, err := mobyseccomp.GetDefaultProfile(spec)
	if err != nil {
		return fmt.Errorf("GetDefaultProfile: %w", err)
	}
	h := Header{OCI: oci}
	ma, mi, mc := seccomp.Version()
	h.Libseccomp = fmt.Sprintf("%d.%d.%d", ma, mi, mc)
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, m := range bi.Deps {
			if m.Path == "github.com/opencontainers/runc" {
				h.Runc = m.Version
			}
		}
	}
	seen := map[string]bool{}
	for _, sc := range oci.Syscalls {
		for _, name := range sc.Names {
			if _, err := libseccomp.GetSyscallFromName(name); err != nil && !seen[name] {
				seen[name] = true
				h.Unknown = append(h.Unknown, name)
			}
		}
	}
	if err := json.NewEncoder(os.Stdout).Encode(h); err != nil {
		return err
	}

	// What runc does: libcontainer/specconv converts the OCI object,
	// libcontainer/seccomp builds the filter with libseccomp, prepends
	// patchbpf's ENOSYS stub and loads it.
	cfg, err := specconv.SetupSeccomp(oci)
	if err != nil {
		return fmt.Errorf("SetupSeccomp: %w", err)
	}
	if _, err := seccomp.InitSeccomp(cfg); err != nil {
		return fmt.Errorf("InitSeccomp: %w", err)
	}
	// From here on the thread runs under Docker's profile: write, getpid,
	// gettid and kill are allowed.
	if err := json.NewEncoder(os.Stdout).Encode(Loaded{TID: unix.Gettid()}); err != nil {
		return err
	}
	for {
		unix.Kill(unix.Getpid(), unix.SIGSTOP)
		unix.Pause()
	}
}
