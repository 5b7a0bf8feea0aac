// Flattens a state into named leaf fields with `Mirror`, so that a trace step
// can say which fields changed without every model writing a printer.

/// Turns `State(gs: [G(status: .running)], pending: true)` into
/// `gs[0].status = running`, `pending = true`.
///
/// Structs, tuples, classes and collections are opened; enums, optionals and
/// everything else are leaves rendered with `String(describing:)`. The order is
/// the declaration order of stored properties and the index order of
/// collections, so it is deterministic. Sets and dictionaries are leaves
/// (their iteration order is not deterministic) and should not appear in
/// states that reach output.
public enum MirrorFields {
    public static func flatten(_ value: Any) -> [StateField] {
        var out: [StateField] = []
        walk(value, path: "", into: &out)
        return out
    }

    private static func walk(_ value: Any, path: String, into out: inout [StateField]) {
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .struct?, .class?, .tuple?:
            if mirror.children.isEmpty {
                out.append(StateField(path.isEmpty ? "value" : path, String(describing: value)))
                return
            }
            for (offset, child) in mirror.children.enumerated() {
                let label = child.label.map { $0.hasPrefix(".") ? String($0.dropFirst()) : $0 } ?? "\(offset)"
                walk(child.value, path: path.isEmpty ? label : "\(path).\(label)", into: &out)
            }
        case .collection?:
            for (offset, child) in mirror.children.enumerated() {
                walk(child.value, path: "\(path)[\(offset)]", into: &out)
            }
        default:
            out.append(StateField(path.isEmpty ? "value" : path, leafText(value)))
        }
    }

    private static func leafText(_ value: Any) -> String {
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .optional {
            if let child = mirror.children.first { return leafText(child.value) }
            return "nil"
        }
        return String(describing: value)
    }
}
