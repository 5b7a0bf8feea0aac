// libFuzzer entry point: bytes -> ByteChoices -> the generator -> the
// differential runner with every invariant. A finding aborts, so libFuzzer
// keeps the input as crash-<sha1>; `verify fuzz --decode FILE` turns it into
// a trace v1 file. Built by Fuzz/LibFuzzer/build.sh (not a SwiftPM target:
// it needs -sanitize=fuzzer, which brings its own main).

import Campaigns
import Checking
import TraceFormat
import Foundation
import PageAlloc

let variant = ProcessInfo.processInfo.environment["PAGEALLOC_FUZZ_VARIANT"].flatMap(Variant.init(rawValue:)) ?? .faithful

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let run: RunOutcome
    do { run = try runBytes(bytes, variant: variant) } catch {
        fatalError("runner could not start: \(error)")
    }
    if let f = run.finding {
        FileHandle.standardError.write(Data("FINDING \(f.kind.signature): \(f.description)\n".utf8))
        abort()
    }
    return 0
}
