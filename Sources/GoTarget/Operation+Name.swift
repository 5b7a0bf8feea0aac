// Within this module (and as `GoTarget.Operation`), `Operation` is the trace's
// operation, not Foundation's.

import TraceFormat

public typealias Operation = TraceFormat.Operation
