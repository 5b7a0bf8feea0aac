// The HTML report of one finding: a single self-contained file (inline CSS
// and SVG, no scripts, no external resources) showing the shrunk trace step
// by step with a picture of the heap after each step.

import PageAlloc
import TraceFormat
import Targets
import GoTarget
import Checking
import Reference

/// The heap as seen after one step.
struct HeapSnapshot {
    struct ChunkRow {
        let chunk: UInt64          // linear chunk index
        let base: UInt64           // address of the chunk's first page
        let allocatedRuns: [Range<Int>]  // page indices within the chunk
        let readable: Bool
    }
    var grown: [(base: UInt64, limit: UInt64)] = []
    var rows: [ChunkRow] = []
    var hiddenRows = 0
    var searchAddr: UInt64 = 0
    var searchAddrIsMax = false
    var searchAddrInUse = false
    /// Per level: (index, "start/max/end" or "unmapped") for entries over the grown ranges.
    var summaries: [[(index: Int, text: String)]] = []
}

/// The heap as a target reported it in a full snapshot, for drawing (the
/// same picture for the port and for a Go runtime).
func snapshot(_ state: HeapState, geometry g: Geometry, maxRows: Int = 48) -> HeapSnapshot {
    var s = HeapSnapshot()
    s.grown = state.inUse
    s.searchAddr = state.searchAddr
    s.searchAddrIsMax = state.searchAddr == g.maxSearchAddr
    s.searchAddrInUse = CheckerMath.contains(state.inUse, state.searchAddr, g)
    for c in state.chunks {
        if s.rows.count >= maxRows { s.hiddenRows += 1; continue }
        var runs: [Range<Int>] = []
        let n = Int(Geometry.pallocChunkPages)
        func allocated(_ i: Int) -> Bool { (c.alloc(i / 64) >> UInt64(i % 64)) & 1 == 1 }
        var i = 0
        while c.present && i < n {
            if allocated(i) {
                let j0 = i
                while i < n && allocated(i) { i += 1 }
                runs.append(j0..<i)
            } else { i += 1 }
        }
        s.rows.append(.init(chunk: c.chunk, base: g.unlinear(c.chunk &* Geometry.pallocChunkBytes), allocatedRuns: runs, readable: c.present))
    }
    for l in 0..<g.summaryLevels {
        var entries: [(index: Int, text: String)] = []
        for r in state.inUse {
            let lo = Int(g.linear(r.base) >> UInt64(g.levelShift[l]))
            let hi = Int(g.linear(r.limit &- 1) >> UInt64(g.levelShift[l]))
            for i in lo...min(hi, lo + 15) where entries.count < 32 && !entries.contains(where: { $0.index == i }) {
                guard let e = state.summary(level: l, index: i) else { continue }
                entries.append((i, e.mapped ? CheckerMath.unpack(e.raw, g).slashed : "unmapped"))
            }
        }
        s.summaries.append(entries.sorted { $0.index < $1.index })
    }
    return s
}

func htmlEscape(_ s: String) -> String {
    s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
}

/// The SVG picture of one snapshot: a strip of 512 pages per grown chunk,
/// allocated pages filled, searchAddr as a red marker.
func heapSVG(_ s: HeapSnapshot, geometry g: Geometry, touched: Range<UInt64>?) -> String {
    let rowH = 14, labelW = 170, stripW = 512, top = 4
    let h = top + max(s.rows.count, 1) * rowH + (s.hiddenRows > 0 ? rowH : 0) + 4
    var out = "<svg xmlns='http://www.w3.org/2000/svg' width='\(labelW + stripW + 90)' height='\(h)' font-family='monospace' font-size='10'>"
    if s.rows.isEmpty { out += "<text x='4' y='\(top + 10)'>nothing grown</text>" }
    var prev: UInt64?
    for (k, r) in s.rows.enumerated() {
        let y = top + k * rowH
        let gap = prev.map { r.chunk != $0 + 1 } ?? false
        prev = r.chunk
        if gap { out += "<line x1='0' x2='\(labelW + stripW)' y1='\(y)' y2='\(y)' stroke='#999' stroke-dasharray='3,3'/>" }
        out += "<text x='2' y='\(y + 10)' fill='#333'>chunk \(r.chunk) \(hex(r.base))</text>"
        out += "<rect class='free' x='\(labelW)' y='\(y + 1)' width='\(stripW)' height='\(rowH - 3)' fill='\(r.readable ? "#e8f0e8" : "#f6d6d6")' stroke='#aaa' stroke-width='0.5'/>"
        for run in r.allocatedRuns {
            out += "<rect class='alloc' x='\(labelW + run.lowerBound)' y='\(y + 1)' width='\(run.count)' height='\(rowH - 3)' fill='#3b7dd8'/>"
        }
        if let t = touched {
            // The pages the step touched, outlined.
            let lo = max(t.lowerBound, r.chunk * Geometry.pallocChunkPages), hi = min(t.upperBound, (r.chunk + 1) * Geometry.pallocChunkPages)
            if lo < hi {
                out += "<rect x='\(labelW + Int(lo - r.chunk * Geometry.pallocChunkPages))' y='\(y)' width='\(Int(hi - lo))' height='\(rowH - 1)' fill='none' stroke='#f0a000' stroke-width='1.5'/>"
            }
        }
        if s.searchAddrInUse, g.chunk(of: s.searchAddr) == r.chunk {
            let x = labelW + Int(g.linear(s.searchAddr) % Geometry.pallocChunkBytes / Geometry.pageSize)
            out += "<line x1='\(x)' x2='\(x)' y1='\(y - 2)' y2='\(y + rowH)' stroke='#d00' stroke-width='2'/>"
            out += "<text x='\(labelW + stripW + 4)' y='\(y + 10)' fill='#d00'>searchAddr</text>"
        }
    }
    if s.hiddenRows > 0 {
        out += "<text x='2' y='\(top + s.rows.count * rowH + 10)' fill='#666'>… \(s.hiddenRows) more chunks not drawn</text>"
    }
    return out + "</svg>"
}

/// The report of a campaign finding, drawn in `worker` when one is given
/// (drawing replays the code under test; the supervisor never runs it).
func findingHTML(_ f: CampaignFinding, worker: IsolatedWorker? = nil) throws -> String {
    // A worker killed by the last operation: that one is not run again.
    var killer: Finding?
    switch f.shrunk.finding.kind {
    case .crashed, .hung: if f.shrunk.config.targets.runInProcess { killer = f.shrunk.finding }
    default: break
    }
    let title = "\(f.signature) (seed \(f.shrunk.seed), \(f.shrunk.geometry.name), \(f.shrunk.targetName))"
    guard let worker else {
        return try findingHTML(ops: f.shrunk.ops, config: f.shrunk.config, title: title, traceText: f.text, killedBy: killer)
    }
    if let html = try worker.reportHTML(ops: f.shrunk.ops, config: f.shrunk.config, title: title, traceText: f.text, killedBy: killer) {
        return html
    }
    // Drawing killed the worker: the report keeps the trace, without states.
    return "<!doctype html><meta charset='utf-8'><title>\(htmlEscape(title))</title><h1>\(htmlEscape(title))</h1>"
        + "<p>The steps could not be drawn: replaying them killed the supervised worker.</p>"
        + "<pre>\(htmlEscape(f.text))</pre>\n"
}

/// Replays `ops` on a fresh runner of `variant` (the port) and draws every step.
public func findingHTML(ops: [Operation], geometry g: Geometry, variant: Variant, title: String, traceText: String) throws -> String {
    try findingHTML(ops: ops, config: RunConfig(geometry: g, variant: variant), title: title, traceText: traceText)
}

/// Replays `ops` on fresh targets of `config` and draws every step from the
/// last target's full snapshot (a Go runtime's own state when one runs).
/// `killedBy`: the last operation killed (or stalled) the supervised worker;
/// it is shown, not run in this process.
public func findingHTML(ops: [Operation], config: RunConfig, title: String, traceText: String, killedBy: Finding? = nil) throws -> String {
    let g = config.geometry
    let targets: [any AllocatorUnderTest]
    do {
        targets = try config.makeTargets()
    } catch let death as GoStartupDeath {
        return "<!doctype html><meta charset='utf-8'><title>\(htmlEscape(title))</title><h1>\(htmlEscape(title))</h1>"
            + "<p class='inv'>✗ \(htmlEscape(death.crash.signature)): the runtime died while starting, before any operation</p>"
            + "<pre>\(htmlEscape(death.crash.description))</pre><pre>\(htmlEscape(traceText))</pre>\n"
    }
    let runner = Runner(targets: targets, checking: config.checking, variant: config.variant)
    var steps = ""
    var failing: Finding?
    for (i, op) in ops.enumerated() {
        if let k = killedBy, i == ops.count - 1 {
            failing = k
            steps += "<div class='step failing' id='step\(i + 1)'><h3>step \(i + 1): <code>\(htmlEscape(op.traceText))</code></h3>"
            steps += "<p class='inv'>✗ \(htmlEscape(k.kind.signature)): \(htmlEscape(k.kind.description)) (in the supervised worker; not run here)</p></div>\n"
            break
        }
        let outcome = runner.apply(op)
        var result: OpResult?
        var isFailing = false
        switch outcome {
        case let .applied(r): result = r
        case let .refused(why): steps += "<div class='step'><h3>step \(i + 1): \(htmlEscape(op.traceText))</h3><p>refused: \(htmlEscape(why.reason))</p></div>"; continue
        case let .finding(f, r): result = r; failing = f; isFailing = true
        }
        if !isFailing, i == ops.count - 1, let f = runner.finish() { failing = f; isFailing = true }
        guard case let .applied(_, state?) = runner.targets[runner.targets.count - 1].snapshot(.full) else {
            steps += "<div class='step failing' id='step\(i + 1)'><h3>step \(i + 1): <code>\(htmlEscape(traceLine(op, result)))</code></h3>"
            steps += "<p class='inv'>✗ \(htmlEscape(failing?.kind.signature ?? "")): \(htmlEscape(failing?.kind.description ?? "the target gave no state"))</p></div>\n"
            break
        }
        let s = snapshot(state, geometry: g)
        var touched: Range<UInt64>?
        switch (op, result) {
        case let (.alloc(n), .alloc(addr, _)?) where addr != 0: touched = pageRange(g, addr, n)
        case let (.allocRange(b, n), _), let (.free(b, n, _), _): touched = pageRange(g, b, n)
        default: break
        }
        steps += "<div class='step\(isFailing ? " failing" : "")' id='step\(i + 1)'>"
        steps += "<h3>step \(i + 1): <code>\(htmlEscape(traceLine(op, result)))</code></h3>"
        if isFailing, let failing {
            steps += "<p class='inv'>✗ \(htmlEscape(failing.kind.signature)): \(htmlEscape(failing.kind.description))</p>"
        }
        let sa = "searchAddr = \(hex(s.searchAddr))" + (s.searchAddrIsMax ? " (maxSearchAddr)" : "")
            + (s.searchAddrInUse || s.searchAddrIsMax ? "" : " <b class='bad'>outside every grown range</b>")
        steps += "<p>grown: " + s.grown.map { "[\(hex($0.base)), \(hex($0.limit)))" }.joined(separator: " ") + " &nbsp; \(sa)</p>"
        steps += heapSVG(s, geometry: g, touched: touched)
        steps += "<table class='sums'><tr><th>level</th><th>summaries (index: start/max/end) over the grown ranges</th></tr>"
        for (l, entries) in s.summaries.enumerated() {
            let cells = entries.map { "<span class='\($0.text == "unmapped" ? "bad" : "")'>\($0.index): \($0.text)</span>" }.joined(separator: " ")
            steps += "<tr><td>L\(l)</td><td>\(cells)</td></tr>"
        }
        steps += "</table></div>\n"
        if isFailing, runner.broken { break }
        if isFailing { break }
    }
    let css = """
    body{font-family:sans-serif;margin:16px;color:#222} code,pre{font-family:monospace}
    pre{background:#f4f4f4;padding:8px;border:1px solid #ddd;white-space:pre-wrap}
    .step{border:1px solid #ccc;border-radius:4px;padding:6px 10px;margin:10px 0}
    .step h3{margin:2px 0;font-size:14px} .failing{border:3px solid #d00;background:#fff4f4}
    .inv{color:#b00;font-weight:bold} .bad{color:#d00} table.sums{font-size:11px;font-family:monospace;border-collapse:collapse}
    table.sums td,table.sums th{border:1px solid #ddd;padding:2px 4px;text-align:left;vertical-align:top}
    .legend span{display:inline-block;width:12px;height:10px;margin:0 4px 0 10px;vertical-align:middle}
    """
    return """
    <!DOCTYPE html>
    <html><head><meta charset="utf-8"><title>\(htmlEscape(title))</title><style>\(css)</style></head><body>
    <h1>Finding: \(htmlEscape(title))</h1>
    <p>\(failing.map { "<span class='inv'>\(htmlEscape($0.description))</span>" } ?? "the trace no longer fails")</p>
    <p class="legend">each row is one 4 MiB chunk (512 pages, one pixel each):<span style="background:#3b7dd8"></span>allocated
    <span style="background:#e8f0e8;border:1px solid #aaa"></span>free <span style="background:#f6d6d6"></span>bitmap not readable
    <span style="border:2px solid #f0a000"></span>pages the step touched <span style="background:#d00;width:3px"></span>searchAddr</p>
    <h2>Trace</h2><pre>\(htmlEscape(traceText))</pre>
    <h2>Step by step</h2>
    \(steps)
    </body></html>
    """
}

/// Linear page indices of [base, base + npages*pageSize).
func pageRange(_ g: Geometry, _ base: UInt64, _ npages: UInt64) -> Range<UInt64> {
    let p = g.linear(base) / Geometry.pageSize
    return p..<(p + npages)
}
