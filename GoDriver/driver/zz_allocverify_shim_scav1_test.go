// allocverify driver shim (not part of Go): in Go 1.19 and 1.20,
// (*pageAlloc).scavenge is scavenge(nbytes, shouldStop); the force flag of
// the request has no counterpart and is ignored.

//go:build go1.19 && !go1.21

package runtime

func allocVerifyScavenge(p *pageAlloc, nbytes uintptr, force bool) uintptr {
	return p.scavenge(nbytes, nil)
}

// Go 1.19 and 1.20 have no scavenge generations.
func allocVerifyNextGen(p *pageAlloc) {}
