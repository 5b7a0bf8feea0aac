// allocverify driver shim: Go >= 1.19 (not part of Go; see
// zz_allocverify_export_test.go). maxSearchAddr is a function since Go 1.19
// (#51913); pageAlloc has summaryMappedReady and inUse.totalBytes.

//go:build go1.19

package runtime

func allocVerifyMaxSearchAddr() uintptr { return maxSearchAddr().addr() }

const allocVerifyHasSummaryMappedReady = true

func allocVerifySummaryMappedReady(p *pageAlloc) uint64 { return uint64(p.summaryMappedReady) }

func allocVerifyInUseTotalBytes(p *pageAlloc) uint64 { return uint64(p.inUse.totalBytes) }
