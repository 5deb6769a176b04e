import SystemCalls
import Glibc
import ProxyCore
import EventTransport

/// Reaps children when SIGCHLD arrives (delivered as an ordinary loop event, never in a signal
/// handler) and tells each child's owner how it ended. tmux's `server_child_signal` shape.
package final class ChildReaper {
    private var owners: [pid_t: (ExitStatus) -> Void] = [:]
    /// Called for every reaped child with its CPU time (user + system), in seconds.
    package var onCPUTime: ((Double) -> Void)?

    package var liveChildren: Int { owners.count }

    package init() {}

    package func watch(_ pid: pid_t, onExit: @escaping (ExitStatus) -> Void) {
        owners[pid] = onExit
    }

    private static func seconds(_ time: timeval) -> Double {
        Double(time.tv_sec) + Double(time.tv_usec) / 1_000_000
    }

    /// Processes that left a CLI's group and were orphaned come to the proxy (it is their
    /// subreaper, see `ccp_become_subreaper`): every child of the proxy that is not a CLI it
    /// watches is such a stray. Kills them all; `reap` collects them. Returns how many.
    @discardableResult
    package func killStrays() -> Int {
        let strays = Self.directChildren().filter { owners[$0] == nil }
        return strays.filter { sendSignal(SIGKILL, to: $0) }.count
    }

    /// The proxy's children as the kernel lists them, per thread, in `/proc/self/task/*/children`.
    package static func directChildren() -> [pid_t] {
        guard let tasks = opendir("/proc/self/task") else { return [] }
        defer { closedir(tasks) }
        var pids: [pid_t] = []
        while let entry = readdir(tasks) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard Int(name) != nil else { continue }
            let fd = open("/proc/self/task/\(name)/children", O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { continue }
            var bytes: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                guard count > 0 else { break }
                bytes += buffer.prefix(count)
            }
            close(fd)
            pids += bytes.split(separator: UInt8(ascii: " ")).compactMap { pid_t(String(decoding: $0, as: UTF8.self)) }
        }
        return pids
    }

    /// At exit: every stray is killed and reaped before the proxy goes, so that none outlives it,
    /// not even as a zombie for another parent to collect. Repeats until none is left (a stray's
    /// own orphans come to the proxy as it dies), or `seconds` pass. Returns how many were killed.
    @discardableResult
    package func killAndReapStrays(within seconds: Double) -> Int {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        var killed = 0
        while ContinuousClock.now < deadline {
            let strays = Self.directChildren().filter { owners[$0] == nil }
            if strays.isEmpty { break }
            killed += strays.filter { sendSignal(SIGKILL, to: $0) }.count
            for pid in strays {
                var status: Int32 = 0
                while ContinuousClock.now < deadline {
                    // Reaped, or not ours to reap any more (ECHILD): either way it is gone from here.
                    guard let reaped = try? syscall("waitpid \(pid)", { waitpid(pid, &status, WNOHANG) }), reaped != pid else { break }
                    usleep(2_000)
                }
            }
        }
        return killed
    }

    /// SIGKILL to the group of every child still watched (the proxy is exiting).
    package func killAll() {
        for pid in owners.keys { sendSignal(SIGKILL, to: -pid) }
    }

    /// Reaps until no watched child is left or `seconds` pass (the proxy is exiting).
    package func reapAll(within seconds: Double) {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while !owners.isEmpty && ContinuousClock.now < deadline {
            reap()
            if !owners.isEmpty { usleep(10_000) }
        }
    }

    /// `wait4(-1, WNOHANG)` until nothing is left to reap.
    package func reap() {
        while true {
            var status: Int32 = 0
            var usage = rusage()
            // ECHILD (no child at all) ends the round like 0 (none has exited).
            guard let pid = try? syscall("wait4", { wait4(-1, &status, WNOHANG, &usage) }), pid > 0 else { return }
            onCPUTime?(Self.seconds(usage.ru_utime) + Self.seconds(usage.ru_stime))
            owners.removeValue(forKey: pid)?(ExitStatus(waitStatus: status))
        }
    }
}
