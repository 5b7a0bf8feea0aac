// Within this module (and as `Checking.Operation`), `Operation` is the trace's
// operation, not Foundation's.

import TraceFormat

public typealias Operation = TraceFormat.Operation
