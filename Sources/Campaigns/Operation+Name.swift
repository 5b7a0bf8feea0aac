// Within this module (and as `Campaigns.Operation`), `Operation` is the trace's
// operation, not Foundation's.

import TraceFormat

public typealias Operation = TraceFormat.Operation
