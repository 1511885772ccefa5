#!/usr/bin/env bash
# fuzz.sh reruns the project's fuzzing campaign: every fuzz target, two at a
# time, each with one worker (-parallel 1) so that the machine keeps a core
# for other work. The first argument is each target's -fuzztime (default
# 10m); logs go to ${FUZZ_LOGS:-/tmp/seccomp-fuzz}/TARGET.log, and the last
# "execs" line of each is printed at the end. An input that fails is written
# by go test under the package's testdata/fuzz/TARGET/: commit it with the fix.
#
#	scripts/fuzz.sh 10m
set -uo pipefail
cd "$(dirname "$0")/.."
fuzztime=${1:-10m}
logs=${FUZZ_LOGS:-/tmp/seccomp-fuzz}
mkdir -p "$logs"

# Every "func FuzzX(" in a package's tests is a target: package:target.
targets=()
while IFS= read -r line; do
	file=${line%%:*}
	name=$(sed -E 's/^.*func (Fuzz[A-Za-z0-9_]*)\(.*/\1/' <<<"${line#*:}")
	targets+=("./$(dirname "$file"):$name")
done < <(grep -rE --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*\(' . | sed 's|^\./||' | sort)

run() {
	local pkg=${1%%:*} target=${1#*:}
	echo "fuzzing $target in $pkg for $fuzztime"
	go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" -parallel 1 "$pkg" >"$logs/$target.log" 2>&1
	local rc=$?
	echo "$target: exit $rc: $(grep -E 'execs:' "$logs/$target.log" | tail -1)"
	return $rc
}

status=0
for ((i = 0; i < ${#targets[@]}; i += 2)); do
	pids=()
	for t in "${targets[@]:i:2}"; do
		run "$t" &
		pids+=($!)
	done
	for pid in "${pids[@]}"; do
		wait "$pid" || status=1
	done
done
exit $status
