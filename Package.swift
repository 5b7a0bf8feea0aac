// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "AllocVerify",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "verify", targets: ["verify"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // Tests only: parses the CI workflow files.
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
    ],
    targets: [
        // The words every layer speaks: per-GOARCH geometry, the port's
        // variants and scavengers, coverage marks, Go's fatal errors.
        .target(name: "Vocabulary"),
        // Simulated OS memory: the four states of runtime/mem.go.
        .target(name: "OSMemory"),
        // The faithful port of runtime/mpagealloc.go and its helpers.
        // Dynamic exclusivity checks off in the port's hot path only: they cost
        // about a fifth of its time (measured with callgrind); bounds checks,
        // overflow checks and preconditions stay on.
        .target(name: "PageAlloc", dependencies: ["Vocabulary", "OSMemory", "SummaryCore"],
                swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"])]),
        // The pipeline, each module importing only those before it:
        // TraceFormat -> Reference -> Targets -> Checking (the engine), and
        // Targets -> PortAdapter, GoTarget (the code under test behind the
        // seam) -> Campaigns -> verify. The engine imports neither the port
        // nor the Go target: it judges whatever stands behind the seam.
        // Operations, results, the trace syntax, findings.
        .target(name: "TraceFormat", dependencies: ["Vocabulary", "OSMemory"]),
        // The obviously-correct allocator the port is compared against.
        .target(name: "Reference", dependencies: ["Vocabulary", "TraceFormat"]),
        // The seam (AllocatorUnderTest, HeapState) and the child-process
        // plumbing.
        .target(name: "Targets", dependencies: ["Vocabulary", "TraceFormat"]),
        // The port behind the seam.
        .target(name: "PortAdapter", dependencies: ["Targets", "TraceFormat", "PageAlloc", "OSMemory"]),
        // A real Go runtime behind the seam, and TargetChoice (the first
        // module that sees both kinds of target).
        .target(name: "GoTarget", dependencies: ["Targets", "PortAdapter", "TraceFormat", "Vocabulary"]),
        // The engine: runner, generator, invariants, shrinker, replay, over
        // targets it is handed.
        .target(name: "Checking", dependencies: ["SplitMix", "Vocabulary", "SummaryCore", "TraceFormat", "Targets", "Reference"]),
        // Many runs: the parallel check, fuzz campaigns, supervision (worker
        // processes), reports, the historic-bug and speed benchmarks.
        .target(name: "Campaigns", dependencies: ["SplitMix", "Checking", "TraceFormat", "Targets", "PortAdapter", "GoTarget", "Reference", "PageAlloc", "OSMemory", "SummaryCore"]),
        // The project's one PRNG and mixer (SplitMix64); depends on nothing.
        .target(name: "SplitMix"),
        // Explicit-state model checker; depends only on SplitMix. Cross-module
        // optimization roughly triples its states/s (measured).
        .target(name: "ModelChecking", dependencies: ["SplitMix"], swiftSettings: [.unsafeFlags(["-cross-module-optimization"])]),
        // The models the checker checks, with their Promela twins.
        .target(name: "Models", dependencies: ["ModelChecking", "Checking", "TraceFormat", "Targets", "PortAdapter", "PageAlloc", "Reference"], path: "Models",
                exclude: ["README.md"], resources: [.copy("spin")]),
        // pallocSum packing, mergeSummaries, findBitRange64, summarize and the
        // address arithmetic, written once over a word protocol: UInt64 here,
        // Z3 bit-vectors in Prover.
        .target(name: "SummaryCore"),
        // libz3's C API (pkg-config z3; apt libz3-dev) and a small Swift layer.
        .systemLibrary(name: "CZ3", path: "Sources/CZ3", pkgConfig: "z3", providers: [.apt(["libz3-dev"])]),
        .target(name: "Prover", dependencies: ["CZ3", "SummaryCore"]),
        // The proof obligations, their mutated twins, and SMT-LIB emission.
        .target(name: "Proofs", dependencies: ["Prover", "SummaryCore"], path: "proofs",
                exclude: ["generated", "check-smt2.sh", "manifest.sh", "test-manifest.sh", "README.md", "summarize-second-pass"]),
        .executableTarget(
            name: "verify",
            dependencies: [
                "TraceFormat", "Targets", "PortAdapter", "GoTarget", "Checking", "Campaigns", "PageAlloc", "OSMemory", "ModelChecking", "Models", "Proofs", "Prover", "SummaryCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "OSMemoryTests", dependencies: ["OSMemory"]),
        .testTarget(name: "PageAllocTests", dependencies: ["PageAlloc", "OSMemory", "SummaryCore"]),
        .testTarget(name: "CheckingTests", dependencies: ["SplitMix", "TraceFormat", "Targets", "PortAdapter", "GoTarget", "Checking", "Campaigns", "PageAlloc", "Reference", "OSMemory",
                                                        .product(name: "Yams", package: "Yams")]),
        // The real-Go target: skipped (and said so) without a Go toolchain.
        .testTarget(name: "GoTargetTests", dependencies: ["TraceFormat", "Targets", "PortAdapter", "GoTarget", "Checking", "Campaigns", "PageAlloc"]),
        .testTarget(name: "ProverTests", dependencies: ["SplitMix", "Proofs", "Prover", "SummaryCore"]),
        .testTarget(name: "ModelCheckingTests", dependencies: ["SplitMix", "ModelChecking", "Models"], exclude: ["Promela"]),
    ]
)
