// allocverify driver shim (not part of Go): since Go 1.21,
// (*pageAlloc).free is free(base, npages uintptr); the scavenged flag of the
// request is ignored.

//go:build go1.21

package runtime

const allocVerifyFreeHasScavenged = false

func allocVerifyFree(p *pageAlloc, base, npages uintptr, scavenged bool) {
	p.free(base, npages)
}
