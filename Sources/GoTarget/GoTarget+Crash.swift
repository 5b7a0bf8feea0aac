// Reading a Go runtime's death: the fatal error or panic and the top of
// its stack from the child's standard error, and where a hung runtime was
// (its SIGQUIT dump).

import Foundation
import Vocabulary
import TraceFormat
import Targets

extension GoTarget {
    /// From Go's SIGQUIT dump, the top frames (function lines only) of the
    /// stack that runs the page allocator (a frame of mpagealloc.go's
    /// `pageAlloc`), else of the first goroutine or "runtime stack:" block.
    static func hangStack(_ text: String) -> [String] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var blocks: [[String]] = []
        var current: [String]?
        for l in lines {
            if l == "runtime stack:" || (l.hasPrefix("goroutine ") && l.hasSuffix(":")) {
                if let c = current { blocks.append(c) }
                current = []
            } else if l.isEmpty {
                if let c = current { blocks.append(c) }
                current = nil
            } else if !l.hasPrefix("\t"), current != nil {
                current!.append(l.replacingOccurrences(of: #"\([^()]*\)$"#, with: "(...)", options: .regularExpression))
            }
        }
        if let c = current { blocks.append(c) }
        let chosen = blocks.first { $0.contains { $0.contains("pageAlloc") } } ?? blocks.first { !$0.isEmpty } ?? []
        return Array(chosen.prefix(8))
    }

    /// Go's fatal message and the top of the failing goroutine's stack.
    static func parseCrash(_ text: String, signal: Int32?, exitStatus: Int32?) -> TargetCrash {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var message: [String] = []
        for l in lines where l.hasPrefix("fatal error: ") || l.hasPrefix("panic: ") || l.hasPrefix("[signal ")
            || l.hasPrefix("unexpected fault address") || l.hasPrefix("runtime: ") || l.hasPrefix("PC=")
            || (l.hasPrefix("SIG") && l.contains(": ")) {
            if message.count < 8 { message.append(l) }
        }
        // The failing stack: "runtime stack:" (a throw or fault on the system
        // stack, where the allocator runs) if Go printed one, else the first
        // running goroutine.
        var stack: [String] = []
        let start = lines.firstIndex(of: "runtime stack:")
            ?? lines.firstIndex(where: { $0.hasPrefix("goroutine ") && $0.hasSuffix(":") })
        if let g = start {
            var k = g + 1
            while k < lines.count, stack.count < 8, !lines[k].isEmpty {
                let l = lines[k]
                if !l.hasPrefix("\t") {
                    // Function lines only; arguments and addresses are noise.
                    stack.append(l.replacingOccurrences(of: #"\([^()]*\)$"#, with: "(...)", options: .regularExpression))
                }
                k += 1
            }
        }
        if message.isEmpty { message = Array(lines.filter { !$0.isEmpty }.prefix(3)) }
        return TargetCrash(signal: signal, exitStatus: exitStatus, message: message.joined(separator: "\n"), stackTop: stack)
    }
}
