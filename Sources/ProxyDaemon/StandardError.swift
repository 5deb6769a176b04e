import Glibc

/// Lines to standard error with `write(2)`: unbuffered, whole lines, and without Foundation's
/// FileHandle (which would pull the whole of Foundation into the binary).
package enum StandardError {
    package static func write(_ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let count = bytes.withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return }
            bytes = bytes.dropFirst(count)
        }
    }
}
