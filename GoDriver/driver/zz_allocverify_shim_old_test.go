// allocverify driver shim: Go < 1.19 is not supported (not part of Go).

//go:build !go1.19

package runtime

// Deliberate compile error with a readable message.
const allocVerifyUnsupported = "allocverify driver: Go older than 1.19 is not supported" + 0
