//go:build race

package seccomp

// raceEnabled reports a build with the race detector.
const raceEnabled = true
