import ChildProcesses
import Glibc
import ProxyCore

/// `claude --version` run to its end, read into a version: the one place the start-up check
/// and `doctor` learn which CLI they have.
enum CLIVersionProbe {
    enum Outcome {
        case notFound(executable: String)
        /// Found, but it could not be started or printed no version.
        case failed(path: String, reason: String)
        case found(path: String, version: CLIVersion)
    }

    /// The tested range as both reports print it.
    static var testedRange: String { "\(CLIVersion.testedRange.lowerBound)–\(CLIVersion.testedRange.upperBound)" }

    static func run(_ profile: CLIProfile, timeout: Double) -> Outcome {
        guard let path = ChildProcess.resolve(profile.executable), access(path, X_OK) == 0 else {
            return .notFound(executable: profile.executable)
        }
        var invocation = profile.versionInvocation
        invocation.executable = path
        let run: CommandRun
        do {
            run = try CommandRun.run(invocation, timeout: timeout)
        } catch {
            return .failed(path: path, reason: "cannot be started: \(error)")
        }
        guard run.status == .exited(0), let version = CLIVersion(output: String(decoding: run.output, as: UTF8.self)) else {
            let how = run.timedOut ? "no answer within \(Int(timeout)) s" : run.status.map { "\($0)" } ?? "-"
            return .failed(path: path, reason: "printed no version (\(how))")
        }
        return .found(path: path, version: version)
    }
}
