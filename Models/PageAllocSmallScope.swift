// PageAllocSmallScope: the page allocator port itself as a transition
// system, checked exhaustively (up to a depth bound) instead of randomly.
//
// What it models: Go's pageAlloc (the Swift port, PageAlloc) on the `small`
// geometry (28-bit heap, 8 root entries of 8 chunks, 64-byte OS pages so a
// leaf summary page covers one root entry), next to the reference allocator.
// One actor, the heap's client, takes one of a small set of operations:
//   grow of piece A (chunk 1, root entry 0), B (chunk 9, one chunk into root
//   entry 1, so that entry's first chunk is never grown) or C (chunk 17,
//   root entry 2); alloc of 1, 12 or 512 pages; alloc-range of all but the
//   last page of B; free of the lowest allocated run.
// A state is the reference allocator's state together with everything the
// port would show a debugger: searchAddr, start/end, every readable summary
// and every grown chunk's bitmaps. Two operation sequences that reach the
// same such state are the same state; the sequence is kept as a witness.
// Every state is checked with every invariant of Checking's registry (the
// full walk) and with the reference comparison of each result.
//
// What is abstracted: addresses and sizes are limited to the pieces and
// sizes above; the heap never grows elsewhere. The shape of golang/go#40191
// (a root entry whose first pages are not grown, holding a short free run,
// skipped by find on the way to a larger run further up) is inside this
// domain, so the pre-fix variant must break the searchAddr invariant.

import Checking
import ModelChecking
import PageAlloc
import PortAdapter
import Vocabulary
import Reference
import TraceFormat
import Targets

public struct PageAllocSmallScope: Model {
    public enum Variant: String, CaseIterable, Sendable {
        case faithful
        case preFix40191

        public var expected: Verdict { self == .faithful ? .ok : .violates("searchAddr") }
        public var summary: String {
            self == .faithful ? "the faithful port: every invariant in every state up to the bound"
                : "find returns firstFree.base unmapped (before the fix of golang/go#40191)"
        }
    }

    /// The abstract state, and a witness sequence that reaches it.
    public struct State: Hashable, Sendable {
        /// Operations from the empty heap (not part of the state's identity).
        public var ops: [TraceFormat.Operation]
        public var reference: ReferenceAllocator
        /// searchAddr, start, end, summaries, bitmaps: the port's state.
        public var port: [UInt64]
        /// The first finding on the way here (its signature), if any.
        public var finding: String?
        public var detail: String?

        public static func == (l: State, r: State) -> Bool {
            l.reference == r.reference && l.port == r.port && l.finding == r.finding
        }
        public func hash(into h: inout Hasher) {
            h.combine(reference)
            h.combine(port)
            h.combine(finding)
        }
    }

    public let variant: Variant
    public let name = "PageAllocSmallScope"
    let geometry = Geometry.small
    /// The depth (operations) the table checks to. The space is unbounded
    /// (operations can go on for ever), so the bound is the checker's
    /// `maxDepth`, never a rule guard: a run cut off there says so.
    public static let defaultDepth = 8

    public init(_ variant: Variant) {
        self.variant = variant
    }

    static let chunk = Geometry.pallocChunkBytes
    static let pieceA: UInt64 = 1 * chunk, pieceB: UInt64 = 9 * chunk, pieceC: UInt64 = 17 * chunk

    /// The operation domain.
    var domain: [(String, @Sendable (ReferenceAllocator) -> TraceFormat.Operation?)] {
        let c = Self.chunk
        func grow(_ b: UInt64) -> @Sendable (ReferenceAllocator) -> TraceFormat.Operation? {
            { r in r.grown.contains(r.page(b)) ? nil : .grow(base: b, bytes: c) }
        }
        return [
            ("grow A", grow(Self.pieceA)),
            ("grow B", grow(Self.pieceB)),
            ("grow C", grow(Self.pieceC)),
            ("alloc 1", { r in r.grown.isEmpty ? nil : .alloc(npages: 1) }),
            ("alloc 12", { r in r.grown.isEmpty ? nil : .alloc(npages: 12) }),
            ("alloc 512", { r in r.grown.isEmpty ? nil : .alloc(npages: 512) }),
            ("alloc-range B", { r in
                let k = r.page(Self.pieceB)
                return r.free.contains(k..<(k + 511)) ? .allocRange(base: Self.pieceB, npages: 511) : nil
            }),
            ("free lowest run", { r in
                guard let run = r.allocated.intervals.first else { return nil }
                return .free(base: r.address(run.lowerBound), npages: UInt64(run.count), scavenged: false)
            }),
        ]
    }

    /// Replays `ops` on a fresh port and reference with the full invariant
    /// walk after each operation, and summarizes where it ends.
    func evaluate(_ ops: [TraceFormat.Operation]) -> State {
        let v: Vocabulary.Variant = variant == .faithful ? .faithful : .preFix40191
        let runner = Runner(targets: [try! PortTarget(geometry: geometry, variant: v)], checking: .full, variant: v)
        var finding: Finding?
        for op in ops {
            switch runner.apply(op) {
            case .applied: continue
            case .refused(let why): preconditionFailure("model proposed an invalid operation \(op): \(why)")
            case let .finding(f, _): finding = f
            }
            break
        }
        // The port's state as the seam reports it (a full snapshot), never
        // by reaching into the port: searchAddr, start, end, every summary
        // the port has (an unmapped one as 0xdead), the bitmaps of every
        // grown chunk.
        var key: [UInt64] = []
        if !runner.broken, case let .applied(_, state?) = runner.targets[0].snapshot(.full) {
            key = [state.searchAddr, state.start, state.end]
            for level in state.summaries {
                for e in level { key.append(UInt64(e.index)); key.append(e.mapped ? e.raw : 0xdead) }
            }
            for c in state.chunks where c.present && runner.reference.grown.contains(c.chunk * 512) {
                key.append(c.chunk)
                for w in 0..<16 { key.append(c.words[w]) }
            }
        }
        return State(ops: ops, reference: runner.reference.withoutScavGen, port: key, finding: finding?.kind.signature,
                     detail: finding?.description)
    }

    public var initialStates: [State] { [evaluate([])] }

    public var rules: [Rule<State>] {
        return domain.map { (label, make) in
            Rule("client", label, when: { s in s.finding == nil && make(s.reference) != nil }) { s in
                s = self.evaluate(s.ops + [make(s.reference)!])
            }
        }
    }

    public var properties: [Property<State>] {
        Invariant.all.map { inv in
            Property.always(inv.name, doc: inv.statement) { s in
                s.finding != "invariant:\(inv.name)" && !(s.finding ?? "").hasPrefix("invariant:\(inv.name):")
            }
        } + [
            Property.always("results", doc: "every result equals the reference's and nothing faults or throws") { s in
                guard let f = s.finding else { return true }
                return f.hasPrefix("invariant:")
            },
            Property.sometimes("heapFull", doc: "some state has every grown page allocated") { s in
                !s.reference.grown.isEmpty && s.reference.free.isEmpty
            },
        ]
    }

    /// Bounded exploration: every state is a legitimate place to stop.
    public func isTerminal(_ state: State) -> Bool { true }

    public func fields(of s: State) -> [StateField] {
        [StateField("lastOp", s.ops.last?.traceText ?? "-"),
         StateField("ops", String(s.ops.count)),
         StateField("searchAddr", "0x" + String(s.port.first ?? 0, radix: 16)),
         StateField("finding", s.detail ?? "-")]
    }

    public func fingerprint(of s: State) -> UInt64 {
        var f = Fingerprinter()
        for x in s.port { f.combine(x) }
        for iv in s.reference.free.intervals { f.combine(iv.lowerBound); f.combine(iv.upperBound) }
        for iv in s.reference.grown.intervals { f.combine(iv.lowerBound); f.combine(iv.upperBound) }
        for iv in s.reference.scavenged.intervals { f.combine(iv.lowerBound); f.combine(iv.upperBound) }
        for b in (s.finding ?? "").utf8 { f.combine(byte: b) }
        return f.value
    }
}
