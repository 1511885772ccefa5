package profile

import mobyseccomp "github.com/moby/profiles/seccomp"

// DockerDefault returns Docker's built-in default profile, from
// github.com/moby/profiles/seccomp: an allowlist, with EPERM for the rest.
// That module defines it on Linux alone.
func DockerDefault() *mobyseccomp.Seccomp {
	return mobyseccomp.DefaultProfile()
}
