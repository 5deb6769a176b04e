import Glibc

/// A failed system call: what was attempted and the errno it returned.
package struct SystemError: Error, Equatable, Sendable, CustomStringConvertible {
    package var operation: String
    package var errno: Int32

    package var description: String { "\(operation): \(String(cString: strerror(errno)))" }

    package init(operation: String, errno: Int32) {
        self.operation = operation
        self.errno = errno
    }
}
