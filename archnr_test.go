package seccomp

// testNrs returns the system call numbers worth trying on arch, in
// order: 0-1023, the arch's own table with 64 numbers either side (mips
// numbers start at 4000 or 5000, x32's at bit 30), and the calls of its
// sparse part (arm's private ones) with 2 either side. Callers add the
// constants the program compares with.
func testNrs(arch Arch) []uint32 {
	_, info, err := arch.lookup()
	if err != nil {
		panic(err)
	}
	nrs := make([]uint32, 0, 1024+len(info.table.names)+128)
	for nr := range uint32(1024) {
		nrs = append(nrs, nr)
	}
	first := max(1024, info.table.first-64)
	for nr := first; nr < info.table.first+len(info.table.names)+64; nr++ {
		nrs = append(nrs, uint32(nr))
	}
	return append(nrs, sparseNrs(info)...)
}

// sparseNrs returns the numbers of the table's sparse part with 2 either
// side, in order.
func sparseNrs(info *archInfo) []uint32 {
	var nrs []uint32
	for _, s := range info.table.sparse {
		for nr := max(s.nr-2, 0); nr <= s.nr+2; nr++ {
			if len(nrs) == 0 || uint32(nr) > nrs[len(nrs)-1] {
				nrs = append(nrs, uint32(nr))
			}
		}
	}
	return nrs
}

// nrOn returns the nth number of arch's ABI: n itself, or on x32 n with
// bit 30 set.
func nrOn(arch Arch, n int) int {
	_, info, err := arch.lookup()
	if err != nil {
		panic(err)
	}
	return info.nrBase + n
}

// tableNrs returns the numbers of arch's table, and a few beyond it and
// around its sparse part.
func tableNrs(arch Arch) []uint32 {
	_, info, err := arch.lookup()
	if err != nil {
		panic(err)
	}
	var nrs []uint32
	for i := range len(info.table.names) + 16 {
		nrs = append(nrs, uint32(info.table.first+i))
	}
	return append(nrs, sparseNrs(info)...)
}

// evalRet runs the program on d and returns its return value and the
// instructions it executed.
func (p Program) evalRet(d Data) (uint32, int, error) {
	v, err := p.Eval(d)
	return v.Ret, v.Executed, err
}

// on returns d as a call made with arch's ABI: d.Nr counted from the
// ABI's first number (bit 30 on x32; -1 stays -1), and arch's value in
// d.Arch.
func on(arch Arch, d Data) Data {
	if d.Nr != 0xFFFFFFFF {
		d.Nr += uint32(nrOn(arch, 0))
	}
	d.Arch = Arch(arch.auditArch())
	return d
}

// foreign returns an arch value whose calls arch's programs never serve.
func foreign(arch Arch) Arch {
	if arch == ArchX86 {
		return ArchAArch64
	}
	return ArchX86
}
