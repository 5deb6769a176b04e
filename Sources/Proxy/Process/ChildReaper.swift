import Glibc

/// Reaps children when SIGCHLD arrives (delivered as an ordinary loop event, never in a signal
/// handler) and tells each child's owner how it ended. tmux's `server_child_signal` shape.
final class ChildReaper {
    private var owners: [pid_t: (ExitStatus) -> Void] = [:]
    /// Called for every reaped child with its CPU time (user + system), in seconds.
    var onCPUTime: ((Double) -> Void)?

    var liveChildren: Int { owners.count }

    func watch(_ pid: pid_t, onExit: @escaping (ExitStatus) -> Void) {
        owners[pid] = onExit
    }

    private static func seconds(_ time: timeval) -> Double {
        Double(time.tv_sec) + Double(time.tv_usec) / 1_000_000
    }

    /// `wait4(-1, WNOHANG)` until nothing is left to reap.
    func reap() {
        while true {
            var status: Int32 = 0
            var usage = rusage()
            let pid = wait4(-1, &status, WNOHANG, &usage)
            if pid == -1 && errno == EINTR { continue }
            guard pid > 0 else { return }
            onCPUTime?(Self.seconds(usage.ru_utime) + Self.seconds(usage.ru_stime))
            owners.removeValue(forKey: pid)?(ExitStatus(waitStatus: status))
        }
    }
}
