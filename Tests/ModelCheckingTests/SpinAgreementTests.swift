// The second engine: SPIN must reach the same verdict as the Swift engine on
// every twin, controls included, and the same state counts on the textbook
// models (whose Promela is written statement for statement like the Swift).
// Skipped, with the reason shown, when spin or gcc is not installed.

import Foundation
import ModelChecking
import Models
import Testing

let spinMissing = "spin or gcc is not installed (apt-get install -y spin gcc)"

func textbookPromela(_ file: String) -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Promela").appendingPathComponent(file).path
}

@Suite("SPIN agreement", .enabled(if: SpinRunner.isInstalled, Comment(rawValue: spinMissing)))
struct SpinAgreementTests {
    static let twins = ModelCatalog.all.filter { $0.twin != nil }.map { "\($0.model)/\($0.variant)" }

    @Test("SPIN and the Swift engine agree on every twin", arguments: twins)
    func agree(twin: String) throws {
        let parts = twin.split(separator: "/").map(String.init)
        let spin = try runSpin(name: parts[0], variant: parts[1])
        let swift = try #require(try runModels(names: [parts[0]], variant: parts[1],
                                               options: CheckOptions(parallelism: .sequential, progress: false)).first)
        #expect(spin.passed, "SPIN: \(spin.spin.verdictText), expected \(spin.twin.expected)")
        #expect(spin.spin.invalidEndState == swift.actual.deadlock)
        #expect(!spin.spin.assertionViolated)
        #expect(spin.spin.statesStored > 0)
        if swift.actual.deadlock {
            // Both engines count the same deadlocked states: the twins'
            // variables determine each other at a deadlock.
            #expect(spin.spin.errors == swift.result.discovery("deadlock")?.stateCount)
            #expect(!spin.spin.trail.isEmpty)
            #expect(spin.spin.firstError?.hasPrefix("invalid end state") == true)
        } else {
            #expect(spin.spin.errors == 0)
            #expect(spin.spin.trail.isEmpty)
        }
    }

    /// The trail comes back as numbered steps named after the Swift rules.
    @Test("UFFD pre-fix trail reads as the Swift trace does")
    func readableTrail() throws {
        let spin = try runSpin(name: "UFFDStopTheWorld", variant: "preFix")
        let actions = spin.spin.trail.compactMap(\.action)
        #expect(actions.contains { $0.hasPrefix("plainLoad") })
        #expect(actions.contains("stopTheWorld"))
        #expect(spin.spin.trail.map(\.number) == Array(1...spin.spin.trail.count))
        let text = spin.render()
        #expect(text.contains("trail ("))
        #expect(text.contains("(stopTheWorld)"))
        // The deadlock's blocked processes: the reader (still faulting), the
        // releaser (preempted) and the GC trigger (waiting for the stop).
        let blocked = spin.spin.finalPlaces.filter { $0.hasSuffix(": blocked") }
        #expect(blocked.contains { $0.hasPrefix("Reader:") })
        #expect(blocked.contains { $0.hasPrefix("Releaser:") })
        #expect(blocked.contains { $0.hasPrefix("GCTrigger:") && $0.contains("worldStopped") })
        #expect(spin.spin.finalPlaces.contains { $0.hasPrefix("ChildHandler:") && $0.hasSuffix("valid end state") })
        #expect(spin.spin.trail.allSatisfy { !$0.process.hasPrefix(":") })
    }

    @Test("textbook state counts match SPIN's", arguments: [
        ("philosophers.pml", ["N=3"], 14, "deadlock"),
        ("philosophers.pml", ["N=5"], 82, "deadlock"),
        ("peterson.pml", [], 38, "ok"),
        ("brokenmutex.pml", [], 52, "assertion"),
    ])
    func textbook(file: String, defines: [String], states: Int, verdict: String) throws {
        let path = file == "philosophers.pml" ? promelaPath(file) : textbookPromela(file)
        let result = try SpinRunner.verify(modelPath: path, options: SpinOptions(defines: defines, wantTrail: false))
        #expect(result.statesStored == states)
        #expect(result.verdictText == verdict)
    }

    @Test("a broken Promela file is an error carrying SPIN's message")
    func brokenPromela() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("broken-\(UUID().uuidString).pml").path
        try "active proctype P() { x = 1 }\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect {
            try SpinRunner.verify(modelPath: path)
        } throws: { error in
            guard case SpinError.commandFailed(let command, _, let output) = error else { return false }
            return command.hasPrefix("spin -a") && output.contains("undeclared")
        }
    }
}
