import SystemCalls
import CSystem
import Glibc
import ProxyCore
import EventTransport

/// A started CLI: its pid (which is also its process group id) and the parent's ends of its
/// stdin, stdout and stderr pipes (non-blocking, close-on-exec). Started by `ccp_spawn` (C),
/// never `fork` from Swift: new process group, default signal dispositions, empty signal mask,
/// no inherited descriptors, and SIGKILL when the proxy dies, even by SIGKILL.
package struct ChildProcess: Sendable {
    package let pid: pid_t
    package let stdin: Int32
    package let stdout: Int32
    package let stderr: Int32

    package static func spawn(_ invocation: CLIInvocation) throws(SystemError) -> ChildProcess {
        let stdinPipe = try makePipe(keeping: 1)
        let stdoutPipe: (read: Int32, write: Int32)
        let stderrPipe: (read: Int32, write: Int32)
        do {
            stdoutPipe = try makePipe(keeping: 0)
        } catch {
            closeAll(stdinPipe.read, stdinPipe.write)
            throw error
        }
        do {
            stderrPipe = try makePipe(keeping: 0)
        } catch {
            closeAll(stdinPipe.read, stdinPipe.write, stdoutPipe.read, stdoutPipe.write)
            throw error
        }
        // The child's ends are closed in the parent whatever happens; the parent's ends on failure.
        defer { closeAll(stdinPipe.read, stdoutPipe.write, stderrPipe.write) }
        guard let path = resolve(invocation.executable) else {
            closeAll(stdinPipe.write, stdoutPipe.read, stderrPipe.read)
            throw SystemError(operation: "find \(invocation.executable) in PATH", errno: ENOENT)
        }
        let argv = [invocation.executable] + invocation.arguments
        let envp = invocation.environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        var pid: pid_t = 0
        let result = withCStringArray(argv) { argv in
            withCStringArray(envp) { envp in
                ccp_spawn(path, argv, envp, invocation.workingDirectory,
                          stdinPipe.read, stdoutPipe.write, stderrPipe.write, &pid)
            }
        }
        guard result == 0 else {
            closeAll(stdinPipe.write, stdoutPipe.read, stderrPipe.read)
            throw SystemError(operation: "start \(invocation.executable)", errno: result)
        }
        return ChildProcess(pid: pid, stdin: stdinPipe.write, stdout: stdoutPipe.read, stderr: stderrPipe.read)
    }

    /// A name without a slash is looked up in the proxy's PATH, as a shell would; a relative path
    /// is made absolute against the proxy's working directory.
    package static func resolve(_ executable: String) -> String? {
        // The child changes directory before exec: a relative path must not depend on it.
        if executable.hasPrefix("/") { return executable }
        if executable.contains("/") {
            guard let cwd = getcwd(nil, 0) else { return executable }
            defer { free(cwd) }
            return String(cString: cwd) + "/" + executable
        }
        let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":", omittingEmptySubsequences: true) {
            let candidate = "\(directory)/\(executable)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }

    /// Sends `signal` to the child's whole process group, so anything it forked is reached too.
    /// ESRCH (the group is already gone) is not an error.
    package func signalGroup(_ signal: Int32) {
        sendSignal(signal, to: -pid)
    }

    /// A close-on-exec pipe (the child gets its ends through dup2 only) whose `kept` end, the
    /// proxy's, is non-blocking.
    private static func makePipe(keeping kept: Int32) throws(SystemError) -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        let code = ccp_pipe(&fds, kept)
        guard code == 0 else { throw SystemError(operation: "pipe", errno: code) }
        return (fds[0], fds[1])
    }

    private static func closeAll(_ fds: Int32...) {
        for fd in fds where fd >= 0 { close(fd) }
    }

    private static func withCStringArray<R>(_ strings: [String],
                                            _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
        let pointers = strings.map { strdup($0) } + [nil]
        defer { pointers.forEach { free($0) } }
        return body(pointers)
    }
}
