// allocverify driver shim (not part of Go): before Go 1.21,
// (*pageAlloc).free takes a third argument, scavenged bool
// (Go 1.19: free(base, npages uintptr, scavenged bool)).

//go:build go1.19 && !go1.21

package runtime

const allocVerifyFreeHasScavenged = true

func allocVerifyFree(p *pageAlloc, base, npages uintptr, scavenged bool) {
	p.free(base, npages, scavenged)
}
