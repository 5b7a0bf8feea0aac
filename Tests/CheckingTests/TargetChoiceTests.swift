import Foundation
import Testing
import PageAlloc
@testable import GoTarget
@testable import Checking
@testable import Campaigns

@Suite("TargetChoice: one value for the targets of a run")
struct TargetChoiceTests {
    @Test("--target parses to the choices, the port first; each spells and names itself; bad lists are refused with a reason")
    func parse() throws {
        #expect(try TargetChoice.parseList("port") == [.port()])
        #expect(try TargetChoice.parseList("port@1.27") == [.port(.faithful, .go127)])
        #expect(try TargetChoice.parseList("go,port@1.21") == [.port(.faithful, .go121), .go(GoTargetSpec())])
        for (text, why) in [("port,port", "at most one of each"), ("go,go", "at most one of each"), ("", "not a target"),
                            ("port@1.99", "no scavenger of Go 1.99"), ("rust", "'rust' is not a target")] {
            #expect { try TargetChoice.parseList(text) } throws: { ($0 as? TargetChoiceError)?.description.contains(why) == true }
        }
        let spec = GoTargetSpec(version: "1.27.3", goarch: "386", patches: ["/p/go1.27-issue40191.diff"])
        let both: [TargetChoice] = [.port(.preFix40191, .go127), .go(spec)]
        #expect(both.map(\.spelling) == ["port@1.27", "go"])
        #expect(both.targetName == "port@1.27:preFix40191,go1.27.3/386+go1.27-issue40191")
        #expect(both.variant == .preFix40191 && [TargetChoice.go(spec)].variant == .faithful)
        #expect(both.commandLine == " --variant preFix40191 --target port@1.27,go --go 1.27.3 --goarch 386 --patch /p/go1.27-issue40191.diff")
        #expect([TargetChoice.port()].commandLine == " --variant faithful")
    }

    @Test("the spelling on a replay line parses back to the same choices, completed by the other options")
    func roundTrip() throws {
        let spec = GoTargetSpec(version: "1.21.13")
        for choices: [TargetChoice] in [[.port()], [.port(.preFix38605)], [.port(.faithful, .go121), .go(spec)], [.go(spec)]] {
            let parsed = try TargetChoice.parseList(choices.map(\.spelling).joined(separator: ","))
            #expect(parsed.map { $0.completed(variant: choices.variant, go: spec) } == choices)
        }
    }

    @Test("the worker's JSON carries the choices whole; a config without a target is refused")
    func workerConfig() throws {
        let config = RunConfig(geometry: .i386, targets: [.port(.preFix40191, .go121), .go(GoTargetSpec(version: "1.27.3", goarch: "386"))], ops: 17)
        let wire = try JSONDecoder().decode(WorkerConfig.self, from: JSONEncoder().encode(WorkerConfig(config)))
        let back = try wire.runConfig()
        #expect(back.targets == config.targets && back.ops == 17 && back.geometry == .i386)
        var empty = wire
        empty.targets = []
        #expect(throws: WorkerError.self) { try empty.runConfig() }
    }

    @Test("what the checker asks of a choice: where its code runs, whether it is a whole runtime, its scavenger policy")
    func capabilities() throws {
        #expect(TargetChoice.port().runsInProcess && !TargetChoice.port().failsOnItsOwn && TargetChoice.port().childTimeout == nil)
        let go = TargetChoice.go(GoTargetSpec(version: "1.27.3"))
        #expect(!go.runsInProcess && go.failsOnItsOwn && go.childTimeout != nil)
        #expect(try TargetChoice.port().scavengerPolicy()?.policy == .bitmapIndex)
        #expect(try TargetChoice.port(.faithful, .go127).scavengerPolicy()?.policy == .chunkData)
        // The port alone takes every optional operation its scavenger has.
        let takes119 = try #require(try [TargetChoice.port()].take())
        #expect(takes119.scavenge && !takes119.nextGen && !takes119.padding)
        let takes127 = try #require(try [TargetChoice.port(.faithful, .go127)].take())
        #expect(takes127.scavenge && takes127.nextGen && takes127.padding)
        #expect(try [TargetChoice.port()].fixedGeometry() == nil)
        #expect(try TargetChoice.port(.preFix40191).makeTarget(.amd64).name == "port:preFix40191")
    }
}
