// The actions of OSMemoryStates: the mem.go calls as a contract client makes
// them, and the page allocator's operations built from them.

import ModelChecking

extension OSMemoryStates {
    typealias S = State

    // MARK: mem.go, one function per call: transition plus accounting

    /// Mirrors sysAlloc: None -> Ready; sysStat += n; mappedReady += n.
    static func sysAlloc(_ s: inout S, _ r: Range<Int>) {
        for k in r { s.unit[k] = .ready }
        s.sysStat += r.count
        s.mappedReady += r.count
        addRegion(&s, r, .sysAlloc)
    }

    /// Mirrors sysReserve: None -> Reserved; no accounting.
    static func sysReserve(_ s: inout S, _ r: Range<Int>) {
        for k in r { s.unit[k] = .reserved }
        addRegion(&s, r, .sysReserve)
    }

    /// Mirrors sysMap: Reserved -> Prepared; sysStat += n.
    static func sysMap(_ s: inout S, _ r: Range<Int>, stat: WritableKeyPath<S, Int> = \.sysStat) {
        if r.contains(where: { s.unit[$0] != .reserved }) { breach(&s, "sysMap of non-Reserved \(r)") }
        for k in r { s.unit[k] = .prepared }
        s[keyPath: stat] += r.count
    }

    /// Mirrors sysUsed(v, n, prepared): Prepared/Ready -> Ready;
    /// mappedReady += prepared, which must be the exact Prepared amount.
    static func sysUsed(_ s: inout S, _ r: Range<Int>, prepared: Int) {
        if r.contains(where: { s.unit[$0] != .prepared && s.unit[$0] != .ready }) {
            breach(&s, "sysUsed of memory neither Prepared nor Ready \(r)")
        }
        if prepared != r.filter({ s.unit[$0] == .prepared }).count {
            breach(&s, "sysUsed's prepared is not the exact Prepared amount \(r)")
        }
        for k in r { s.unit[k] = .ready }
        s.mappedReady += prepared
    }

    /// Mirrors sysUnused: Ready -> Prepared; mappedReady -= n.
    static func sysUnused(_ s: inout S, _ r: Range<Int>) {
        if r.contains(where: { s.unit[$0] != .ready }) { breach(&s, "sysUnused of non-Ready \(r)") }
        for k in r { s.unit[k] = .prepared }
        s.mappedReady -= r.count
    }

    /// Mirrors sysFault: Ready -> Reserved; mappedReady -= n.
    static func sysFault(_ s: inout S, _ r: Range<Int>) {
        if r.contains(where: { s.unit[$0] != .ready }) { breach(&s, "sysFault of non-Ready \(r)") }
        for k in r { s.unit[k] = .reserved }
        if !s.faulted.isEmpty { for k in r { s.faulted[k] = true } }
        s.mappedReady -= r.count
    }

    /// Mirrors sysFree: any state -> None; sysStat -= n; mappedReady -= n.
    static func sysFree(_ s: inout S, _ r: Range<Int>) {
        if region(s, r, origins: [.sysAlloc, .sysReserve]) == nil { s.inexactFree = true }
        for k in r { s.unit[k] = .none }
        if !s.faulted.isEmpty { for k in r { s.faulted[k] = false } }
        if !s.huge.isEmpty { for k in r { s.huge[k] = false } }  // the mapping, and its hint, are gone
        s.sysStat -= r.count
        s.mappedReady -= r.count
        s.regions.removeAll { $0.base == r.lowerBound && $0.length == r.count }
    }

    /// Mirrors sysUnreserve: Reserved -> None; no accounting.
    static func sysUnreserve(_ s: inout S, _ r: Range<Int>) {
        if region(s, r, origins: [.sysReserve]) == nil { s.inexactFree = true }
        for k in r { s.unit[k] = .none }
        if !s.faulted.isEmpty { for k in r { s.faulted[k] = false } }
        if !s.huge.isEmpty { for k in r { s.huge[k] = false } }
        s.regions.removeAll { $0.base == r.lowerBound && $0.length == r.count }
    }

    static func addRegion(_ s: inout S, _ r: Range<Int>, _ origin: Region.Origin) {
        s.regions.append(Region(base: r.lowerBound, length: r.count, origin: origin))
        s.regions.sort { $0.base < $1.base }
    }

    /// The region exactly [r) obtained by one of `origins`, if any.
    static func region(_ s: S, _ r: Range<Int>, origins: [Region.Origin]) -> Region? {
        s.regions.first { $0.base == r.lowerBound && $0.length == r.count && origins.contains($0.origin) }
    }

    static func breach(_ s: inout S, _ what: String) {
        if s.breach == nil { s.breach = what }
    }

    /// Touching memory: anything but Ready is a fault or undefined.
    static func access(_ s: inout S, _ k: Int, _ what: String) {
        if s.unit[k] != .ready && s.badAccess == nil { s.badAccess = "\(what) touches \(s.unit[k]) unit \(k)" }
    }

    // MARK: The contract client

    static func contractRules(_ variant: Variant) -> [Rule<State>] {
        var rules: [Rule<State>] = []
        let n = contractUnits
        let asCommented = variant == .contractAsCommented
        let hints = variant == .contractWithHugePages
        for length in 1...n {
            for base in 0...(n - length) {
                let r = base..<(base + length)
                let all: @Sendable (S, Mem) -> Bool = { s, m in r.allSatisfy { s.unit[$0] == m } }
                let exact: @Sendable (S) -> Bool = { s in region(s, r, origins: [.sysAlloc, .sysReserve]) != nil }
                let reservation: @Sendable (S) -> Bool = { s in region(s, r, origins: [.sysReserve]) != nil }
                let unfaulted: @Sendable (S) -> Bool = { s in asCommented || !r.contains { s.faulted[$0] } }
                let label = "\(r)"
                rules.append(Rule("client", "sysAlloc\(label)", when: { all($0, .none) }) { sysAlloc(&$0, r) })
                rules.append(Rule("client", "sysReserve\(label)", when: { all($0, .none) }) { sysReserve(&$0, r) })
                // As accounted, faulted memory is never mapped or released
                // again: sysFault keeps it in sysStat, so sysMap would count it
                // twice, sysUnreserve would leak it and sysFree would take it
                // off mappedReady a second time.
                rules.append(Rule("client", "sysMap\(label)", when: { s in all(s, .reserved) && unfaulted(s) }) {
                    sysMap(&$0, r)
                })
                rules.append(Rule("client", "sysUsed\(label)", when: { s in
                    r.allSatisfy { s.unit[$0] == .prepared || s.unit[$0] == .ready } && r.contains { s.unit[$0] == .prepared }
                }) { s in
                    sysUsed(&s, r, prepared: r.filter { s.unit[$0] == .prepared }.count)
                })
                rules.append(Rule("client", "sysUnused\(label)", when: { all($0, .ready) }) { sysUnused(&$0, r) })
                rules.append(Rule("client", "sysFault\(label)", when: { all($0, .ready) }) { sysFault(&$0, r) })
                rules.append(Rule("client", "sysFree\(label)", when: { s in
                    exact(s) && (asCommented || all(s, .ready))
                }) { sysFree(&$0, r) })
                rules.append(Rule("client", "sysUnreserve\(label)", when: { s in
                    reservation(s) && all(s, .reserved) && unfaulted(s)
                }) {
                    sysUnreserve(&$0, r)
                })
                if variant == .controlUnusedPrepared {
                    // Broken client: sysUnused of memory that is only Prepared.
                    rules.append(Rule("client", "sysUnused(prepared)\(label)", when: { all($0, .prepared) }) { sysUnused(&$0, r) })
                }
                if variant == .controlFaultPrepared {
                    // Broken client: sysFault of memory that is only Prepared.
                    rules.append(Rule("client", "sysFault(prepared)\(label)", when: { all($0, .prepared) }) { sysFault(&$0, r) })
                }
                if hints {
                    // Mirrors sysHugePage / sysNoHugePage: a hint on mapped
                    // memory (madvise); no state transition, no accounting.
                    let mapped: @Sendable (S) -> Bool = { s in r.allSatisfy { s.unit[$0] != .none } }
                    rules.append(Rule("client", "sysHugePage\(label)", when: mapped) { s in for k in r { s.huge[k] = true } })
                    rules.append(Rule("client", "sysNoHugePage\(label)", when: mapped) { s in for k in r { s.huge[k] = false } })
                }
                if variant == .controlSubsetFree {
                    // A free of Ready memory inside a region that is not the region.
                    rules.append(Rule("client", "sysFree(subset)\(label)", when: { s in
                        !exact(s) && all(s, .ready)
                            && s.regions.contains { $0.base <= base && base + length <= $0.base + $0.length }
                    }) { sysFree(&$0, r) })
                }
            }
        }
        return rules
    }
}
