import Glibc

/// Reaps children when SIGCHLD arrives (delivered as an ordinary loop event, never in a signal
/// handler) and tells each child's owner how it ended. tmux's `server_child_signal` shape.
final class ChildReaper {
    private var owners: [pid_t: (ExitStatus) -> Void] = [:]

    var liveChildren: Int { owners.count }

    func watch(_ pid: pid_t, onExit: @escaping (ExitStatus) -> Void) {
        owners[pid] = onExit
    }

    /// `waitpid(-1, WNOHANG)` until nothing is left to reap.
    func reap() {
        while true {
            var status: Int32 = 0
            let pid = waitpid(-1, &status, WNOHANG)
            if pid == -1 && errno == EINTR { continue }
            guard pid > 0 else { return }
            owners.removeValue(forKey: pid)?(ExitStatus(waitStatus: status))
        }
    }
}
