import Testing
import Models
import ModelChecking

/// A model whose rule or property carries another declaration: the audit's
/// negative controls (a declaration with a name left out must be caught).
struct Redeclared<Base: Model>: Model {
    let base: Base
    var rule: (index: Int, reads: [String], writes: [String])?
    var property: (index: Int, reads: [String])?

    var name: String { base.name }
    var initialStates: [Base.State] { base.initialStates }
    var rules: [Rule<Base.State>] {
        var out = base.rules
        if let rule { out[rule.index] = out[rule.index].accessing(reads: rule.reads, writes: rule.writes) }
        return out
    }
    var properties: [Property<Base.State>] {
        var out = base.properties
        if let property { out[property.index] = out[property.index].reading(property.reads) }
        return out
    }
    func isTerminal(_ state: Base.State) -> Bool { base.isTerminal(state) }
}

func ruleIndex<M: Model>(_ model: M, _ actor: String, _ name: String) -> Int {
    model.rules.firstIndex { $0.actor == actor && $0.name == name }!
}

/// The seed models declare what every rule reads and writes; the audit
/// holds the declarations to the rules' behaviour on every reachable state,
/// and partial-order reduction with them keeps every verdict and every
/// shortest counterexample's length.
@Suite("Access declarations and partial-order reduction on the seed models")
struct AccessAuditTests {
    static let uffd = UFFDStopTheWorld.Variant.allCases.map { UFFDStopTheWorld($0) }
        + [UFFDStopTheWorld(.fixedInRuntimeHandler, procs: 1, sysmon: true), UFFDStopTheWorld(.preFix, procs: 2, sysmon: true)]
    static let mach = MachWireCoalesce.Variant.allCases.map { MachWireCoalesce($0) }
        + [MachWireCoalesce(.fixed, config: .init(entries: 4, coalesces: 2))]
    static let allocator = OSMemoryStates.Variant.allCases.filter(\.isAllocator).map { OSMemoryStates($0) }

    func expectClean<M: Model>(_ model: M, _ label: String) {
        let report = AccessAudit.audit(model)
        #expect(report.complete, "\(label)")
        #expect(report.findings.isEmpty, "\(label): \(report.findings)")
        #expect(report.declaredRules == model.rules.count, "\(label): \(report.declaredRules) of \(model.rules.count) rules declared")
        let safety = model.properties.filter { $0.kind != .eventually }.count
        #expect(report.declaredProperties == safety, "\(label)")
        #expect(report.states > 1)
    }

    @Test("UFFDStopTheWorld: every rule and safety property is declared, and the audit finds nothing", arguments: uffd.indices)
    func uffdDeclarations(_ i: Int) {
        let m = Self.uffd[i]
        expectClean(m, "\(m.variant!.rawValue) procs=\(m.config.procs)")
    }

    @Test("MachWireCoalesce: every rule and safety property is declared, and the audit finds nothing", arguments: mach.indices)
    func machDeclarations(_ i: Int) {
        expectClean(Self.mach[i], "\(Self.mach[i].variant.rawValue)")
    }

    @Test("OSMemoryStates' allocator: every rule and safety property is declared, and the audit finds nothing")
    func allocatorDeclarations() {
        for m in Self.allocator { expectClean(m, m.variant.rawValue) }
    }

    @Test("the textbook models' declarations pass the audit")
    func textbook() {
        for m in [LocalCounters(n: 3, steps: 3), LocalCounters(n: 3, steps: 3, broken: true)] {
            let report = AccessAudit.audit(m)
            #expect(report.findings.isEmpty, "\(report.findings)")
            #expect(report.declaredRules == m.rules.count)
        }
        #expect(AccessAudit.audit(LockOrder(work: 2)).findings.isEmpty)
    }

    // MARK: Negative controls: each leaves one name out and must be caught.

    @Test("control: a read only the effect needs, left out, is caught (UFFD entersyscall without stwPending)")
    func missingEffectRead() {
        let base = UFFDStopTheWorld(.fixed)
        let r = ruleIndex(base, "G1 reader", "entersyscall")
        let model = Redeclared(base: base, rule: (r, ["g[0].status", "g[0].pc", "g[0].parked", "g[0].p"], ["g[0].status", "p", "g[0].pc"]))
        let findings = AccessAudit.audit(model).findings
        #expect(findings.count == 1)
        #expect(findings.first?.subject == "rule 'G1 reader/entersyscall'")
        #expect(findings.first?.problem.contains("its effect reads something undeclared") == true, "\(findings)")
        #expect(findings.first?.problem.contains("p[0]") == true, "\(findings)")
    }

    @Test("control: a read the guard needs, left out, is caught (UFFD safePoint without stwPending)")
    func missingGuardRead() {
        let base = UFFDStopTheWorld(.fixed)
        let r = ruleIndex(base, "G1 reader", "safePoint")
        let model = Redeclared(base: base, rule: (r, ["g[0].status", "g[0].parked", "g[0].p"], ["p", "g[0].status", "g[0].p"]))
        let findings = AccessAudit.audit(model).findings
        #expect(findings.count == 1)
        #expect(findings.first?.problem.contains("its guard reads something undeclared") == true, "\(findings)")
        #expect(findings.first?.problem.contains("stwPending") == true, "\(findings)")
    }

    @Test("control: a write left out is caught (Mach's W unlock without wEntry)")
    func missingWrite() {
        let base = MachWireCoalesce(.preFix)
        let r = ruleIndex(base, "W wire", "vm_map_unlock (trust me)")
        let model = Redeclared(base: base, rule: (r, ["wpc", "wStartEntry"], ["writer", "wpc"]))
        let findings = AccessAudit.audit(model).findings
        #expect(findings.map(\.problem) == ["writes wEntry, which it does not declare"])
    }

    @Test("control: a property's read left out is caught (UFFD nothingRunsWhileStopped without worldStopped)")
    func missingPropertyRead() {
        let base = UFFDStopTheWorld(.controlRunsWhileStopped)
        let p = base.properties.firstIndex { $0.name == "nothingRunsWhileStopped" }!
        let model = Redeclared(base: base, property: (p, base.roles.indices.map { "g[\($0)].status" }))
        let findings = AccessAudit.audit(model).findings
        #expect(findings.count == 1)
        #expect(findings.first?.subject == "property 'nothingRunsWhileStopped'")
        #expect(findings.first?.problem.contains("worldStopped") == true, "\(findings)")
    }

    @Test("name coverage: a declared name covers its fields and elements, not names that merely start alike")
    func coverage() {
        #expect(AccessAudit.covers("p", "p[1]"))
        #expect(AccessAudit.covers("g[0]", "g[0].status"))
        #expect(AccessAudit.covers("entries", "entries[2].end"))
        #expect(AccessAudit.covers("wVA", "wVA"))
        #expect(!AccessAudit.covers("p", "pagePresent[0]"))
        #expect(!AccessAudit.covers("g[1]", "g[10].pc"))
        #expect(!AccessAudit.covers("wEnd", "wEntry"))
    }

    // MARK: Reduction on the seed models (liveness off: invariants and deadlock)

    func run<M: Model>(_ model: M, por: Bool) -> CheckResult {
        var options = CheckOptions(parallelism: .sequential, progress: false)
        options.partialOrder = por
        options.liveness = false
        options.symmetry = false
        return Checker(model, options: options).run()
    }

    /// Same verdict, examples and shortest counterexample lengths with and
    /// without reduction; the reduced run says what it did.
    func compare<M: Model>(_ model: M, _ label: String) -> (full: Int, reduced: Int, note: String) {
        let full = run(model, por: false), reduced = run(model, por: true)
        #expect(full.complete && reduced.complete, "\(label)")
        #expect(full.verdict == reduced.verdict, "\(label)")
        #expect(full.unreachedExamples == reduced.unreachedExamples, "\(label)")
        #expect(full.discoveries.map(\.property) == reduced.discoveries.map(\.property), "\(label)")
        for (a, b) in zip(full.discoveries, reduced.discoveries) where a.kind != .example {
            #expect(a.trace.steps.count == b.trace.steps.count, "\(label) \(a.property)")
        }
        #expect(reduced.states <= full.states, "\(label)")
        #expect(full.livenessSkipped == nil || full.livenessSkipped == "not asked (--no-liveness)")
        return (full.states, reduced.states, reduced.partialOrder ?? "")
    }

    @Test("UFFDStopTheWorld: the same verdicts and counterexample lengths with and without reduction; the run names what blocks it")
    func uffdReduction() {
        for m in Self.uffd {
            let label = "\(m.variant!.rawValue) procs=\(m.config.procs)"
            let (full, reduced, note) = compare(m, label)
            // Every goroutine step reads its own status, which the scheduler
            // or the stop-the-world writes: no ample set exists.
            #expect(reduced == full, "\(label)")
            #expect(note.hasPrefix("off (no rule can be in an ample set:"), "\(label): \(note)")
        }
    }

    @Test("MachWireCoalesce: the same verdicts and counterexample lengths with and without reduction")
    func machReduction() {
        for m in Self.mach {
            let (full, reduced, note) = compare(m, m.variant.rawValue)
            #expect(reduced == full, "\(m.variant.rawValue)")
            #expect(note.hasPrefix("off (no rule can be in an ample set:"), "\(m.variant.rawValue): \(note)")
        }
    }

    @Test("OSMemoryStates: the same verdicts with and without reduction; one-actor variants say so")
    func osMemoryReduction() {
        for variant in OSMemoryStates.Variant.allCases {
            let (full, reduced, note) = compare(OSMemoryStates(variant), variant.rawValue)
            #expect(reduced == full, "\(variant.rawValue)")
            if variant.isAllocator {
                #expect(note.hasPrefix("off (no rule can be in an ample set:"), "\(variant.rawValue): \(note)")
            } else {
                #expect(note == "off (one actor: there is nothing to reorder)", "\(variant.rawValue): \(note)")
            }
        }
    }

    @Test("PageAllocSmallScope: bounded by design, so the reduction is off and says so; the verdicts and the #40191 counterexample's length are the same with it asked for")
    func smallScope() {
        for variant in PageAllocSmallScope.Variant.allCases {
            var options = CheckOptions(maxDepth: 6, parallelism: .sequential, progress: false)
            options.partialOrder = false
            let full = Checker(PageAllocSmallScope(variant), options: options).run()
            options.partialOrder = true
            let asked = Checker(PageAllocSmallScope(variant), options: options).run()
            #expect(asked.partialOrder?.hasPrefix("off (bounded search") == true, "\(asked.partialOrder ?? "nil")")
            #expect(asked.verdict == full.verdict && asked.states == full.states, "\(variant.rawValue)")
            #expect(asked.failures.map(\.trace.steps.count) == full.failures.map(\.trace.steps.count))
        }
    }

    @Test("liveness: with it on, a model that has it searches without reduction and says how to get both; with it off, it is reported as not checked")
    func livenessSwitch() {
        var options = CheckOptions(parallelism: .sequential, progress: false)
        options.symmetry = false
        let on = Checker(MachWireCoalesce(.fixed), options: options).run()
        #expect(on.partialOrder?.contains("--no-liveness") == true)
        #expect(on.livenessSkipped == nil)
        options.liveness = false
        let off = Checker(MachWireCoalesce(.fixed), options: options).run()
        #expect(off.livenessSkipped == "not asked (--no-liveness)")
        #expect(off.partialOrder?.contains("--no-liveness") == false)
    }
}
