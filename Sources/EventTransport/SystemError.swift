import Glibc

/// A failed system call: what was attempted and the errno it returned.
package struct SystemError: Error, Equatable, Sendable, CustomStringConvertible {
    package var operation: String
    package var errno: Int32

    package var description: String { "\(operation): \(String(cString: strerror(errno)))" }

    /// Runs a call that returns -1 and sets errno on failure, retrying on EINTR.
    @discardableResult
    package static func check(_ operation: String, _ call: () -> Int32) throws(SystemError) -> Int32 {
        while true {
            let result = call()
            if result != -1 { return result }
            let code = Glibc.errno
            if code == EINTR { continue }
            throw SystemError(operation: operation, errno: code)
        }
    }

    package init(operation: String, errno: Int32) {
        self.operation = operation
        self.errno = errno
    }
}
