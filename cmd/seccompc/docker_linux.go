package main

import (
	mobyseccomp "github.com/moby/profiles/seccomp"

	"github.com/sandboxkit/seccomp/profile"
)

// dockerDefault returns Docker's built-in default profile.
func dockerDefault() (*mobyseccomp.Seccomp, error) { return profile.DockerDefault(), nil }
