// allocverify driver shim (not part of Go): since Go 1.21,
// (*pageAlloc).scavenge is scavenge(nbytes, shouldStop, force).

//go:build go1.21

package runtime

func allocVerifyScavenge(p *pageAlloc, nbytes uintptr, force bool) uintptr {
	return p.scavenge(nbytes, nil, force)
}

func allocVerifyNextGen(p *pageAlloc) {
	p.scav.index.nextGen()
}
