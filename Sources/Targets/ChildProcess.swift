// A child process with its standard input and output on pipes and its
// standard error in a file, for the Go driver: written with posix_spawn so
// the checker controls every descriptor, can wait with a timeout, and can
// kill the child's whole process group.

import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TraceFormat

/// How a child ended.
public enum ChildExit: Equatable, Sendable {
    case exited(Int32)
    case signaled(Int32)
}

/// A running child process.
package final class ChildProcess {
    package let pid: pid_t
    private let toChild: Int32
    private let fromChild: Int32
    /// The child's standard error, in a file so that it never blocks.
    package let stderrPath: String
    private var readBuffer = [UInt8](repeating: 0, count: 1 << 16)
    private var readStart = 0, readEnd = 0
    package private(set) var exit: ChildExit?

    package struct SpawnError: Error, CustomStringConvertible {
        package let description: String
    }

    /// Starts `argv[0]` (a path) with `env` added to this process's environment.
    package init(argv: [String], env: [String: String]) throws {
        var inPipe: [Int32] = [0, 0], outPipe: [Int32] = [0, 0]
        guard pipe(&inPipe) == 0, pipe(&outPipe) == 0 else { throw SpawnError(description: "pipe: \(String(cString: strerror(errno)))") }
        let dir = FileManager.default.temporaryDirectory.path
        stderrPath = "\(dir)/allocverify-driver-\(getpid())-\(inPipe[0])-\(UInt64.random(in: 0..<UInt64.max) % 1_000_000).stderr"
        var fa = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&fa)
        defer { posix_spawn_file_actions_destroy(&fa) }
        posix_spawn_file_actions_adddup2(&fa, inPipe[0], 0)
        posix_spawn_file_actions_adddup2(&fa, outPipe[1], 1)
        posix_spawn_file_actions_addopen(&fa, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        for fd in [inPipe[0], inPipe[1], outPipe[0], outPipe[1]] { posix_spawn_file_actions_addclose(&fa, fd) }
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        // Its own process group, so a kill reaches qemu and the test binary alike.
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attr, 0)
        var environment = ProcessInfo.processInfo.environment
        for (k, v) in env { environment[k] = v }
        let envStrings = environment.keys.sorted().map { "\($0)=\(environment[$0]!)" }
        var cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        var cEnv: [UnsafeMutablePointer<CChar>?] = envStrings.map { strdup($0) } + [nil]
        defer { for p in cArgs { free(p) }; for p in cEnv { free(p) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, argv[0], &fa, &attr, &cArgs, &cEnv)
        close(inPipe[0])
        close(outPipe[1])
        guard rc == 0 else {
            close(inPipe[1]); close(outPipe[0])
            throw SpawnError(description: "cannot start \(argv[0]): \(String(cString: strerror(rc)))")
        }
        pid = child
        toChild = inPipe[1]
        fromChild = outPipe[0]
        // A dead child must not kill the checker with SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
    }

    deinit {
        kill()
        close(toChild)
        close(fromChild)
        unlink(stderrPath)
    }

    /// Writes all of `bytes`; false if the child is gone.
    package func write(_ bytes: [UInt8]) -> Bool {
        var off = 0
        while off < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(toChild, $0.baseAddress! + off, bytes.count - off) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            off += n
        }
        return true
    }

    package enum ReadError: Error { case eof, timeout }

    /// Reads exactly `count` bytes into `out`, waiting at most `timeout`
    /// seconds for each piece.
    package func read(into out: inout [UInt8], count: Int, timeout: Double) throws(ReadError) {
        out.removeAll(keepingCapacity: true)
        while out.count < count {
            if readStart == readEnd { try fill(timeout: timeout) }
            let take = Swift.min(count - out.count, readEnd - readStart)
            out.append(contentsOf: readBuffer[readStart..<(readStart + take)])
            readStart += take
        }
    }

    /// Reads one byte.
    package func readByte(timeout: Double) throws(ReadError) -> UInt8 {
        if readStart == readEnd { try fill(timeout: timeout) }
        defer { readStart += 1 }
        return readBuffer[readStart]
    }

    /// Reads one little-endian 64-bit word.
    @inline(__always) package func readWord(timeout: Double) throws(ReadError) -> UInt64 {
        if readEnd - readStart >= 8 {
            var v: UInt64 = 0
            for k in 0..<8 { v |= UInt64(readBuffer[readStart + k]) << (8 * UInt64(k)) }
            readStart += 8
            return v
        }
        var v: UInt64 = 0
        for k in 0..<8 { v |= UInt64(try readByte(timeout: timeout)) << (8 * UInt64(k)) }
        return v
    }

    private func fill(timeout: Double) throws(ReadError) {
        readStart = 0
        readEnd = 0
        var pfd = pollfd(fd: fromChild, events: Int16(POLLIN), revents: 0)
        while true {
            let r = poll(&pfd, 1, Int32(timeout * 1000))
            if r < 0 && errno == EINTR { continue }
            if r == 0 { throw .timeout }
            break
        }
        while true {
            let n = readBuffer.withUnsafeMutableBytes { Glibc.read(fromChild, $0.baseAddress!, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { throw .eof }
            readEnd = n
            return
        }
    }

    /// Waits for the child to end (after EOF), at most `timeout` seconds,
    /// then kills it.
    @discardableResult
    package func waitExit(timeout: Double = 5) -> ChildExit {
        waitExit(timeout: timeout, killAtDeadline: true)!
    }

    /// Waits as `waitExit(timeout:)` does; without `killAtDeadline`, returns
    /// nil at the deadline and leaves the child running.
    @discardableResult
    package func waitExit(timeout: Double, killAtDeadline: Bool) -> ChildExit? {
        if let exit { return exit }
        let deadline = Date().addingTimeInterval(timeout)
        var status: Int32 = 0
        while true {
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid { break }
            if r < 0 { exit = .exited(-1); return exit! }
            if Date() > deadline {
                guard killAtDeadline else { return nil }
                Glibc.kill(-pid, SIGKILL); _ = waitpid(pid, &status, 0); break
            }
            usleep(2000)
        }
        // WIFEXITED / WEXITSTATUS / WTERMSIG, spelled out (macros in C).
        if status & 0x7f == 0 { exit = .exited((status >> 8) & 0xff) } else { exit = .signaled(status & 0x7f) }
        return exit!
    }

    /// Asks the allocverify driver for every thread's stack before it goes:
    /// SIGUSR1 (the driver raises its traceback level to crash and sends
    /// itself SIGQUIT, so each thread prints where it is), then plain
    /// SIGQUIT if it has not ended within `grace` seconds. Waits at most
    /// `grace` seconds more, kills the child if it is still there, and
    /// returns what it wrote on standard error.
    package func quit(grace: Double = 5) -> String {
        guard exit == nil else { return stderrText() }
        Glibc.kill(pid, SIGUSR1)
        if case .none = waitExit(timeout: grace, killAtDeadline: false) { Glibc.kill(pid, SIGQUIT) }
        waitExit(timeout: grace)
        return stderrText()
    }

    /// Kills the child's process group and reaps it.
    package func kill() {
        guard exit == nil else { return }
        Glibc.kill(-pid, SIGKILL)
        Glibc.kill(pid, SIGKILL)
        waitExit(timeout: 5)
    }

    /// What the child wrote on standard error so far.
    package func stderrText() -> String {
        (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
    }
}
