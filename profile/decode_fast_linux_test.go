package profile

import (
	"encoding/json"
	"testing"
)

// TestScannersMatchReferenceOnDocker checks the fast paths where they
// pay: every scanner from every offset of Docker's default profile,
// indented as moby's default.json is.
func TestScannersMatchReferenceOnDocker(t *testing.T) {
	data, err := json.MarshalIndent(DockerDefault(), "", "\t")
	if err != nil {
		t.Fatal(err)
	}
	src := string(data)
	for pos := 0; pos <= len(src); pos++ {
		compareScanners(t, src, pos)
		if t.Failed() {
			return
		}
	}
}
