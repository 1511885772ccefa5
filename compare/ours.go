package main

import (
	"github.com/sandboxkit/seccomp"
)

func oursCompiler(layout seccomp.Layout) compiler {
	return compiler{
		name: "ours " + layout.String(),
		compile: func(p *seccomp.Policy) (seccomp.Program, error) {
			return p.CompileLayout(layout)
		},
	}
}
