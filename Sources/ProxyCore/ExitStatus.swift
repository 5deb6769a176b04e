import Glibc

/// How a child ended, decoded from a `waitpid` status.
package enum ExitStatus: Equatable, Sendable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)

    /// The C macros WIFEXITED/WEXITSTATUS/WTERMSIG do not import; this is their Linux meaning.
    package init(waitStatus status: Int32) {
        let signal = status & 0x7f
        self = signal == 0 ? .exited((status >> 8) & 0xff) : .signaled(signal)
    }

    package var description: String {
        switch self {
        case .exited(let code): return "exit \(code)"
        case .signaled(let signal): return "signal \(signal)"
        }
    }

    package static func describe(errno code: Int32) -> String {
        String(cString: strerror(code))
    }
}
