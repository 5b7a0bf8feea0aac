// allocverify driver shim (not part of Go): before Go 1.26 there are no
// random heap-base padding pages.

//go:build go1.19 && !go1.26

package runtime

const allocVerifyHasPadding = false

func allocVerifyPad(p *pageAlloc, base, npages uintptr) {}
