package seccomp

// This file derives x32's plan from x86_64's where the policy lets it, as
// the importer writes profiles: x32 has no call x86_64 lacks (its own
// numbers, 512 and up, are x86_64's calls of the same names), so where
// every x32 entry is an x86_64 one too, or the twin of one (same name, same
// rules), and each x86_64 number has one entry, x32's calls are x86_64's
// that x32 has, renumbered. That spares x32 the per-entry work of a plan
// (planABI): on Docker's profile, some 4 of the 15 µs planning three ABIs
// takes.

// maxTwins bounds the entries for one ABI alone that deriveX32 matches
// pairwise; past it, x32 is planned.
const maxTwins = 64

// planRecord is what x86_64's plan notes for deriveX32: by call, the entry
// it came from (with ownEntry set for one of x86_64's alone), or -1 for
// several; whether every number had one entry; its entries for it alone;
// and of its entries of every ABI, how many, x32's highest number of them,
// and whether x32 lacks one.
type planRecord struct {
	on       bool
	alone    bool
	callFrom []int32
	own      []uint32
	every    int
	top32    int
	missing  bool
	// derived is set when the last compile derived x32's plan.
	derived bool
}

// ownEntry marks, in planRecord.callFrom, an entry for x86_64 alone.
const ownEntry = 1 << 30

// start readies r to record a plan.
func (r *planRecord) start() {
	*r = planRecord{on: true, alone: true, top32: -1, callFrom: r.callFrom[:0], own: r.own[:0]}
}

// from is entry i as callFrom notes it.
func (r *planRecord) from(p *Policy, i uint32) int32 {
	if p.Syscalls[i].Arch != 0 {
		return int32(i) | ownEntry
	}
	return int32(i)
}

// deriveX32 fills x32's plan from x86_64's (x64, recorded in rec), for the
// entries applies32, and reports whether it could; if not, x32 is to be
// planned.
func (p *Policy) deriveX32(w *workspace, x64, x32 *plan, rec *planRecord, applies32 []uint32) bool {
	if !rec.on || !rec.alone || rec.missing || len(rec.callFrom) != len(x64.calls) || rec.every > len(applies32) || len(rec.own) > maxTwins {
		return false
	}
	info64, info32 := archInfos[ArchX86_64], archInfos[ArchX32]
	cross := crossNumbers(info64, info32)
	first := info64.table.first

	// x86_64's entries for it alone, and x32's, matched by name and rules;
	// x32's list is the entries of every ABI (which x86_64's plan has
	// looked at), then its own (groupedApplies).
	own64, n64 := rec.own, len(rec.own)
	var twin64 [maxTwins]bool // own64[k] has a twin for x32
	top := rec.top32          // x32's highest number named (UnknownENOSYS)
	own32 := applies32[rec.every:]
	if len(own32) > maxTwins {
		return false
	}
	for _, i := range own32 {
		sc := &p.Syscalls[i]
		if sc.Arch != ArchX32 || sc.Name == "" {
			return false
		}
		k := 0
		for ; k < n64; k++ {
			o := &p.Syscalls[own64[k]]
			if !twin64[k] && sameString(o.Name, sc.Name) && rulesEqual(o.Rules, sc.Rules) {
				break
			}
		}
		nr, ok := info32.byName[sc.Name]
		if k == n64 || !ok || sc.Nr != 0 && sc.Nr != nr {
			return false // no twin: x32's entry is its own; or one to be refused
		}
		twin64[k] = true
		top = max(top, nr)
	}
	for k := range n64 {
		if !twin64[k] {
			if _, ok := info32.byName[p.Syscalls[own64[k]].Name]; ok {
				return false // x32 has the call but not the entry
			}
		}
	}

	// x86_64's calls that x32 has, placed by x32's number.
	base := uint32(info32.table.first)
	if cap(w.nrs) < len(info32.table.names) {
		w.nrs = make([]uint32, len(info32.table.names))
	}
	slots := w.nrs[:len(info32.table.names)]
	clear(slots)
	for k, c := range x64.calls {
		from := rec.callFrom[k]
		if from < 0 {
			return false
		}
		if from&ownEntry != 0 {
			t := 0
			for t < n64 && own64[t] != uint32(from&^ownEntry) {
				t++
			}
			if t == n64 || !twin64[t] {
				continue // x86_64's alone
			}
		}
		at := int(c.nr) - first
		if at < 0 || at >= len(cross) || cross[at] == 0 {
			return false
		}
		s := uint32(cross[at]-1) - base
		if s >= uint32(len(slots)) || slots[s] != 0 {
			return false
		}
		slots[s] = uint32(k) + 1
	}
	*x32 = plan{arch: ArchX32, def: p.Default, badArch: p.BadArch, enosysAbove: -1, tableBase: base &^ 31,
		calls: x32.calls[:0], chains: x32.chains[:0], floors: x32.floors[:0], scratch: x32.scratch, chainLabels: x32.chainLabels[:0], muxRules: x32.muxRules, muxConds: x32.muxConds}
	if p.UnknownENOSYS && top >= 0 {
		x32.enosysAbove = int64(top)
	}
	if x32.chains == nil {
		x32.chains, x32.floors = make([][]Rule, 0, 8), make([]int, 0, 8)
	}
	for s, k := range slots {
		if k == 0 {
			continue
		}
		c := x64.calls[k-1]
		c.nr = base + uint32(s)
		if c.hasRules() {
			rules := x64.chains[c.chain]
			c.chain = int32(len(x32.chains))
			x32.chains = append(x32.chains, rules)
			for _, r := range rules {
				x32.ceiling += ruleCeiling(r)
			}
		}
		x32.addCall(c)
	}
	return true
}
