// A Z3 context and the reference-counted handle every term holds.
//
// Ownership: the context is created with Z3_mk_context_rc, so Z3 frees an AST as
// soon as its reference count drops to zero. Every AST Swift keeps is wrapped in an
// `ASTRef` the moment Z3 returns it: `init` increments the count, `deinit`
// decrements it. Each `ASTRef` (and each `Solver` and `Model`) holds the `Z3Context`
// strongly, so the context is deleted only after the last object that needs it. The
// context's own caches (bit-vector sorts) hold raw references it releases in its
// `deinit` before Z3_del_context, so there is no reference cycle.
//
// Errors: the error handler is switched off and every call is followed by a check of
// Z3_get_error_code; an error means this layer misused the API (a bug in the
// checker), so it traps with Z3's message.

import CZ3

/// A Z3 context: the factory and owner of terms, solvers and models.
///
/// Not thread-safe: use one context from one task at a time (different contexts are
/// independent).
public final class Z3Context {
    /// The underlying C handle.
    public let raw: Z3_context
    private var bitVecSorts: [Int: Z3_sort] = [:]
    private var boolSortRaw: Z3_sort?

    /// Z3 objects (terms, sorts, solvers, models) this layer holds a reference to
    /// right now: +1 at every `*_inc_ref`, -1 at every `*_dec_ref`. When everything
    /// built in a round of work has been dropped it is back where it was, which the
    /// ownership tests check.
    public private(set) var liveHandles = 0

    /// Counts one taken (`+1`) or given back (`-1`) Z3 reference.
    func account(_ delta: Int) { liveHandles += delta }

    public init() {
        let config = Z3_mk_config()
        raw = Z3_mk_context_rc(config)
        Z3_del_config(config)
        Z3_set_error_handler(raw, nil)
    }

    deinit {
        for sort in bitVecSorts.values {
            Z3_dec_ref(raw, Z3_sort_to_ast(raw, sort))
        }
        if let boolSortRaw {
            Z3_dec_ref(raw, Z3_sort_to_ast(raw, boolSortRaw))
        }
        Z3_del_context(raw)
    }

    /// Traps if the last API call failed.
    @inline(__always)
    func check(_ what: @autoclosure () -> String = "Z3 call") {
        let code = Z3_get_error_code(raw)
        if code != Z3_OK {
            let message = String(cString: Z3_get_error_msg(raw, code))
            preconditionFailure("\(what()): Z3 error \(code.rawValue): \(message)")
        }
    }

    /// The sort of bit-vectors of `width` bits (cached).
    func bitVecSort(_ width: Int) -> Z3_sort {
        precondition(width > 0, "bit-vector width must be positive")
        if let sort = bitVecSorts[width] { return sort }
        let sort = Z3_mk_bv_sort(raw, UInt32(width))!
        check("Z3_mk_bv_sort")
        Z3_inc_ref(raw, Z3_sort_to_ast(raw, sort))
        account(1)
        bitVecSorts[width] = sort
        return sort
    }

    /// The boolean sort (cached).
    func boolSort() -> Z3_sort {
        if let boolSortRaw { return boolSortRaw }
        let sort = Z3_mk_bool_sort(raw)!
        check("Z3_mk_bool_sort")
        Z3_inc_ref(raw, Z3_sort_to_ast(raw, sort))
        account(1)
        boolSortRaw = sort
        return sort
    }

    /// Wraps a freshly returned AST (taking a reference to it).
    func wrap(_ ast: Z3_ast?, _ what: @autoclosure () -> String) -> ASTRef {
        check(what())
        guard let ast else { preconditionFailure("\(what()) returned no AST") }
        return ASTRef(self, ast)
    }

    func symbol(_ name: String) -> Z3_symbol {
        let s = Z3_mk_string_symbol(raw, name)!
        check("Z3_mk_string_symbol")
        return s
    }
}

/// A counted reference to one Z3 AST.
public final class ASTRef {
    public let context: Z3Context
    public let raw: Z3_ast

    init(_ context: Z3Context, _ raw: Z3_ast) {
        self.context = context
        self.raw = raw
        Z3_inc_ref(context.raw, raw)
        context.account(1)
    }

    deinit {
        Z3_dec_ref(context.raw, raw)
        context.account(-1)
    }

    /// The term in SMT-LIB2 syntax.
    public var smtlib2: String {
        String(cString: Z3_ast_to_string(context.raw, raw))
    }
}
