#!/usr/bin/env bash
# Installs what the comparison needs (libseccomp's headers for cgo, a C
# compiler, pkg-config) and runs it: go run . [-n RUNS] [-budget DUR].
# Firecracker's seccompiler is not in Debian's archive (it ships from
# crates.io), so it is not compared.
set -euo pipefail
cd "$(dirname "$0")"
if ! pkg-config --exists libseccomp 2>/dev/null || ! command -v gcc >/dev/null; then
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	$sudo apt-get update -qq
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libseccomp-dev pkg-config gcc >/dev/null
fi
export CGO_ENABLED=1
exec go run . "$@"
