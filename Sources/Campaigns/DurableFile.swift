// Durable writes and memory figures for long campaigns.

import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TraceFormat
import Targets
import GoTarget
import Checking
import Reference

/// Writing a file failed; names the path and the call.
public struct FileWriteError: Error, CustomStringConvertible {
    public let path: String
    public let call: String
    public let errno: Int32
    public var description: String { "\(path): \(call) failed: \(String(cString: strerror(errno)))" }
}

/// Writes `text` to `path` so that a reader (or a crash) sees either the old
/// file or the whole new one: a temporary file in the same directory,
/// fsync, rename, then fsync of the directory so the rename itself is
/// durable. Creates the directory if needed.
public func writeFileAtomically(_ path: String, _ text: String) throws {
    let dir = (path as NSString).deletingLastPathComponent
    if !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
    let tmp = "\(path).tmp.\(getpid()).\(UInt64.random(in: 0..<UInt64.max) % 1_000_000)"
    let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0o644)
    guard fd >= 0 else { throw FileWriteError(path: tmp, call: "open", errno: errno) }
    let bytes = Array(text.utf8)
    var off = 0
    while off < bytes.count {
        let n = bytes[off...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if n < 0 {
            if errno == EINTR { continue }
            let e = errno
            close(fd)
            unlink(tmp)
            throw FileWriteError(path: tmp, call: "write", errno: e)
        }
        off += n
    }
    guard fsync(fd) == 0 else {
        let e = errno
        close(fd)
        unlink(tmp)
        throw FileWriteError(path: tmp, call: "fsync", errno: e)
    }
    close(fd)
    guard rename(tmp, path) == 0 else {
        let e = errno
        unlink(tmp)
        throw FileWriteError(path: path, call: "rename", errno: e)
    }
    let dfd = open(dir.isEmpty ? "." : dir, O_RDONLY)
    if dfd >= 0 {
        _ = fsync(dfd)
        close(dfd)
    }
}

/// Resident memory of this process, from /proc (Linux; 0 elsewhere).
public enum MemoryUsage {
    static func statusField(_ name: String) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix(name + ":") {
            if let kib = line.split(separator: " ").dropFirst().compactMap({ Int($0) }).first { return kib * 1024 }
        }
        return 0
    }
    /// VmRSS in bytes.
    public static func residentBytes() -> Int { statusField("VmRSS") }
    /// User plus system CPU seconds of this process so far (getrusage). On a
    /// shared machine, operations per CPU second show how a campaign scales
    /// with --jobs even when other processes take the cores.
    public static func cpuSeconds() -> Double {
        var u = rusage()
        #if os(Linux)
        let who = __rusage_who_t(RUSAGE_SELF.rawValue)
        #else
        let who = RUSAGE_SELF
        #endif
        guard getrusage(who, &u) == 0 else { return 0 }
        return Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6
    }
    /// VmHWM (peak resident) in bytes.
    public static func peakResidentBytes() -> Int { statusField("VmHWM") }
}
