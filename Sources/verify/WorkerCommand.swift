// `verify worker`: the supervised worker process of crash isolation (not for
// people: the check loop, the shrinker and replay start it and talk to it
// in JSON lines; see Sources/Campaigns/Supervision/Worker.swift).

import ArgumentParser
import Checking
import TraceFormat
import Targets
import GoTarget
import Campaigns

struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Serve runs for a supervising verify process (JSON lines on stdin/stdout).",
        shouldDisplay: false
    )

    func run() throws {
        serveWorker()
        GoDriverPool.shared.drain()
    }
}
