import ProxyCore

/// The operating-system side of one started child: its pid, its three pipes and its signals.
/// `PipedChild` is the real one; tests use a fake that records writes and delivers output.
package protocol ChildIO: AnyObject {
    var pid: Int32 { get }
    /// Where output, its end and the exit go. Set once, by the `CLIProcess` that owns this child.
    var events: (any ChildIOEvents)? { get set }
    func write(_ bytes: [UInt8])
    /// Closes stdin once everything written so far has gone.
    func closeInput()
    func pauseOutput()
    func resumeOutput()
    /// Closes stdout now, without waiting for EOF; `outputEnded` does not follow.
    func closeOutput()
    /// Sends `signal` to the child's whole process group.
    func signalGroup(_ signal: Int32)
    /// Frees everything; no event follows.
    func close()
}

package protocol ChildIOEvents: AnyObject {
    func childIO(output bytes: [UInt8])
    func childIOOutputEnded()
    func childIO(stderr bytes: [UInt8])
    func childIO(exited status: ExitStatus)
}
