import Testing
import ModelChecking
@testable import Models

@Suite("PageAllocSmallScope: the port, exhaustively, on a small geometry")
struct PageAllocSmallScopeTests {
    @Test("the faithful port keeps every invariant in every state up to depth 6 (1431 states); the run says it was bounded")
    func faithful() {
        let r = Checker(PageAllocSmallScope(.faithful), options: CheckOptions(maxDepth: 6)).run()
        #expect(r.verdict == .ok)
        #expect(r.states == 1431 && !r.complete && r.maxDepth == 6)
    }

    @Test("the table's row claims ok only to its depth: the bounded run passes as such, and a shallower bound does not meet the claim")
    func boundedClaim() throws {
        let rows = try runModels(names: ["PageAllocSmallScope"], variant: "faithful", maxDepth: 4)
        #expect(rows.count == 1 && !rows[0].result.complete && rows[0].boundedClaim == 4 && rows[0].passed)
        var short = rows[0]
        short.boundedClaim = 5
        #expect(!short.passed)
        short.boundedClaim = nil
        #expect(!short.passed, "without a claim a bounded ok proves nothing")
    }

    @Test("the pre-fix variant breaks searchAddr; the shortest counterexample is the #40191 shape")
    func preFix() throws {
        let r = Checker(PageAllocSmallScope(.preFix40191), options: CheckOptions(maxDepth: 6)).run()
        #expect(r.verdict == .violates("searchAddr"))
        let cx = try #require(r.discovery("searchAddr"))
        #expect(cx.trace.steps.map(\.action) == ["grow A", "grow B", "grow C", "alloc 512", "alloc-range B", "alloc 12"])
    }
}
