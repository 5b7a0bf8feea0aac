// allocverify driver shim (not part of Go): since Go 1.26, mheap.grow marks
// a random number of pages at the start of the heap's first growth allocated
// and scavenged ((*pageAlloc).markRandomPaddingPages), to randomize the
// heap's base address.

//go:build go1.26

package runtime

const allocVerifyHasPadding = true

func allocVerifyPad(p *pageAlloc, base, npages uintptr) {
	p.markRandomPaddingPages(base, npages)
}
