import Glibc

/// A failed system call: what was attempted and the errno it returned.
struct SystemError: Error, Equatable, Sendable, CustomStringConvertible {
    var operation: String
    var errno: Int32

    var description: String { "\(operation): \(ExitStatus.describe(errno: errno))" }

    /// Runs a call that returns -1 and sets errno on failure, retrying on EINTR.
    @discardableResult
    static func check(_ operation: String, _ call: () -> Int32) throws(SystemError) -> Int32 {
        while true {
            let result = call()
            if result != -1 { return result }
            let code = Glibc.errno
            if code == EINTR { continue }
            throw SystemError(operation: operation, errno: code)
        }
    }
}
