import Glibc

/// A started CLI: its pid (which is also its process group id) and the parent's ends of its
/// stdin, stdout and stderr pipes (non-blocking, close-on-exec). Started with `posix_spawn`,
/// never `fork` from Swift: new process group, default signal dispositions, empty signal mask.
struct ChildProcess: Sendable {
    let pid: pid_t
    let stdin: Int32
    let stdout: Int32
    let stderr: Int32

    static func spawn(_ invocation: CLIInvocation) throws(SystemError) -> ChildProcess {
        let stdinPipe = try makePipe()
        let stdoutPipe: (read: Int32, write: Int32)
        let stderrPipe: (read: Int32, write: Int32)
        do {
            stdoutPipe = try makePipe()
        } catch {
            closeAll(stdinPipe.read, stdinPipe.write)
            throw error
        }
        do {
            stderrPipe = try makePipe()
        } catch {
            closeAll(stdinPipe.read, stdinPipe.write, stdoutPipe.read, stdoutPipe.write)
            throw error
        }
        // The child's ends are closed in the parent whatever happens; the parent's ends on failure.
        defer { closeAll(stdinPipe.read, stdoutPipe.write, stderrPipe.write) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdinPipe.read, 0)
        posix_spawn_file_actions_adddup2(&actions, stdoutPipe.write, 1)
        posix_spawn_file_actions_adddup2(&actions, stderrPipe.write, 2)
        guard addChdir(&actions, invocation.workingDirectory) == 0 else {
            closeAll(stdinPipe.write, stdoutPipe.read, stderrPipe.read)
            throw SystemError(operation: "posix_spawn_file_actions_addchdir_np", errno: ENOSYS)
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGCHLD, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2] {
            sigaddset(&defaults, signal)
        }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes,
                                 Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = [invocation.executable] + invocation.arguments
        let envp = invocation.environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        var pid: pid_t = 0
        let result = withCStringArray(argv) { argv in
            withCStringArray(envp) { envp in
                invocation.executable.contains("/")
                    ? posix_spawn(&pid, invocation.executable, &actions, &attributes, argv, envp)
                    : posix_spawnp(&pid, invocation.executable, &actions, &attributes, argv, envp)
            }
        }
        guard result == 0 else {
            closeAll(stdinPipe.write, stdoutPipe.read, stderrPipe.read)
            throw SystemError(operation: "posix_spawn \(invocation.executable)", errno: result)
        }
        for fd in [stdinPipe.write, stdoutPipe.read, stderrPipe.read] {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
        return ChildProcess(pid: pid, stdin: stdinPipe.write, stdout: stdoutPipe.read, stderr: stderrPipe.read)
    }

    /// Sends `signal` to the child's whole process group, so anything it forked is reached too.
    /// ESRCH (the group is already gone) is not an error.
    func signalGroup(_ signal: Int32) {
        _ = kill(-pid, signal)
    }

    /// A pipe whose two ends are close-on-exec (the child gets its ends through dup2 only).
    /// `pipe2` is a GNU extension Swift's Glibc module does not show; the proxy spawns from one
    /// thread, so setting FD_CLOEXEC right after `pipe` leaves no window for another spawn.
    private static func makePipe() throws(SystemError) -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        try SystemError.check("pipe") { pipe(&fds) }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return (fds[0], fds[1])
    }

    private typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?,
                                                 UnsafePointer<CChar>?) -> Int32

    /// glibc's `posix_spawn_file_actions_addchdir_np` (2.29+), looked up at run time because
    /// Swift's Glibc module hides GNU extensions.
    private static let addChdirFunction: AddChdir? = {
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addchdir_np") else { return nil }
        return unsafeBitCast(symbol, to: AddChdir.self)
    }()

    private static func addChdir(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ path: String) -> Int32 {
        guard let addChdirFunction else { return ENOSYS }
        return path.withCString { addChdirFunction(actions, $0) }
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
