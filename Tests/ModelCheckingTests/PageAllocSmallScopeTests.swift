import Testing
import ModelChecking
@testable import Models

@Suite("PageAllocSmallScope: the port, exhaustively, on a small geometry")
struct PageAllocSmallScopeTests {
    @Test("the faithful port keeps every invariant in every state up to depth 6 (1431 states)")
    func faithful() {
        let r = Checker(PageAllocSmallScope(.faithful, depth: 6)).run()
        #expect(r.verdict == .ok)
        #expect(r.states == 1431 && r.complete)
    }

    @Test("the pre-fix variant breaks searchAddr; the shortest counterexample is the #40191 shape")
    func preFix() throws {
        let r = Checker(PageAllocSmallScope(.preFix40191, depth: 6)).run()
        #expect(r.verdict == .violates("searchAddr"))
        let cx = try #require(r.discovery("searchAddr"))
        #expect(cx.trace.steps.map(\.action) == ["grow A", "grow B", "grow C", "alloc 512", "alloc-range B", "alloc 12"])
    }
}
