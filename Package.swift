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
        // Simulated OS memory: the four states of runtime/mem.go.
        .target(name: "OSMemory"),
        // The faithful port of runtime/mpagealloc.go and its helpers.
        // Dynamic exclusivity checks off in the port's hot path only: they cost
        // about a fifth of its time (measured with callgrind); bounds checks,
        // overflow checks and preconditions stay on.
        .target(name: "PageAlloc", dependencies: ["OSMemory", "SummaryCore"],
                swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"])]),
        // The obviously-correct allocator the port is compared against.
        .target(name: "Reference", dependencies: ["PageAlloc"]),
        // Traces, runner, generator, shrinker.
        .target(name: "Checking", dependencies: ["PageAlloc", "Reference", "OSMemory"]),
        // Explicit-state model checker; depends on nothing. Cross-module
        // optimization roughly triples its states/s (measured).
        .target(name: "ModelChecking", swiftSettings: [.unsafeFlags(["-cross-module-optimization"])]),
        // The models the checker checks, with their Promela twins.
        .target(name: "Models", dependencies: ["ModelChecking", "Checking", "PageAlloc", "Reference"], path: "Models",
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
                "Checking", "PageAlloc", "OSMemory", "ModelChecking", "Models", "Proofs", "Prover", "SummaryCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "OSMemoryTests", dependencies: ["OSMemory"]),
        .testTarget(name: "PageAllocTests", dependencies: ["PageAlloc", "OSMemory", "SummaryCore"]),
        .testTarget(name: "CheckingTests", dependencies: ["Checking", "PageAlloc", "Reference", "OSMemory",
                                                        .product(name: "Yams", package: "Yams")],
                    exclude: ["Scenarios"]),
        // The real-Go target: skipped (and said so) without a Go toolchain.
        .testTarget(name: "GoTargetTests", dependencies: ["Checking", "PageAlloc"]),
        .testTarget(name: "ProverTests", dependencies: ["Proofs", "Prover", "SummaryCore"]),
        .testTarget(name: "ModelCheckingTests", dependencies: ["ModelChecking", "Models"], exclude: ["Promela"]),
    ]
)
