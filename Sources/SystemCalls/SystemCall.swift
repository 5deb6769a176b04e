import Glibc

/// The one way the proxy makes a system call that reports failure through `errno` (swift-nio's
/// `syscall`, swift-system's `valueOrErrno`): EINTR is retried, any other failure becomes a
/// `SystemError` naming what was attempted. Callers that expect an errno (EAGAIN, ENOENT, ESRCH)
/// catch it by code.
@discardableResult
package func syscall<Value: BinaryInteger>(_ operation: @autoclosure () -> String,
                                           _ call: () -> Value) throws(SystemError) -> Value {
    while true {
        let result = call()
        guard result < 0 else { return result }
        let code = errno
        if code == EINTR { continue }
        throw SystemError(operation: operation(), errno: code)
    }
}

/// `kill(2)`: true when the signal was sent. A process (or group) already gone is no failure;
/// anything else is a bug in the caller (a bad signal, someone else's process).
@discardableResult
package func sendSignal(_ signal: Int32, to target: pid_t) -> Bool {
    do throws(SystemError) {
        try syscall("kill \(target) \(signal)") { kill(target, signal) }
        return true
    } catch where error.errno == ESRCH {
        return false
    } catch {
        assertionFailure("\(error)")
        return false
    }
}

/// Whole reads and writes through the C library (the daemon and the profiler carry no Foundation
/// for them).
package enum Descriptor {
    /// Writes all of `bytes`, however many calls it takes.
    package static func writeAll(_ fd: Int32, _ bytes: [UInt8], what: @autoclosure () -> String) throws(SystemError) {
        // withUnsafeBytes rethrows untyped errors: the typed one is carried out by hand.
        var failure: SystemError?
        bytes.withUnsafeBytes { bytes in
            do throws(SystemError) { try writeAll(fd, bytes, what: what()) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    package static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer,
                                 what: @autoclosure () -> String) throws(SystemError) {
        var rest = bytes
        while !rest.isEmpty {
            let count = try syscall(what()) { write(fd, rest.baseAddress, rest.count) }
            rest = UnsafeRawBufferPointer(rebasing: rest[count...])
        }
    }

    /// Reads to the end.
    package static func readAll(_ fd: Int32, what: @autoclosure () -> String) throws(SystemError) -> [UInt8] {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = try syscall(what()) { buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) } }
            if count == 0 { return bytes }
            bytes += buffer[..<count]
        }
    }
}

/// Whole files.
package enum FileBytes {
    package static func read(_ path: String) throws(SystemError) -> [UInt8] {
        let fd = try syscall("open \(path)") { open(path, O_RDONLY | O_CLOEXEC) }
        defer { close(fd) }
        return try Descriptor.readAll(fd, what: "read \(path)")
    }

    /// Creates or truncates `path` with `mode` (also on an existing file) and writes `bytes`.
    package static func write(_ bytes: [UInt8], to path: String, mode: mode_t) throws(SystemError) {
        let fd = try syscall("create \(path)") { open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode) }
        defer { close(fd) }
        try syscall("chmod \(path)") { fchmod(fd, mode) }
        try Descriptor.writeAll(fd, bytes, what: "write \(path)")
    }
}

/// Lines to standard error with `write(2)`: unbuffered, whole lines. A failure to write there has
/// nowhere to be reported, so it is dropped.
package enum StandardError {
    package static func write(_ text: String) {
        try? Descriptor.writeAll(2, Array(text.utf8), what: "write to standard error")
    }
}
