package profile

import "fmt"

// kernelVersion is a kernel's version and major revision: 5.10 for
// "5.10.0-13-amd64". Docker's minKernel compares nothing else.
type kernelVersion struct{ kernel, major uint64 }

// parseKernel reads a version or release string as Docker reads the host's
// release.
func parseKernel(s string) (kernelVersion, error) {
	var k kernelVersion
	if _, err := fmt.Sscanf(s, "%d.%d", &k.kernel, &k.major); err != nil {
		return kernelVersion{}, fmt.Errorf("kernel version %q: want <kernel>.<major>, as in 5.10: %w", s, err)
	}
	return k, nil
}

func (k kernelVersion) less(o kernelVersion) bool {
	return k.kernel < o.kernel || k.kernel == o.kernel && k.major < o.major
}
