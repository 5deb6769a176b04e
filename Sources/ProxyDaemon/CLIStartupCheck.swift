import ChildProcesses
import Logging
import ProxyCore

/// At start, before the proxy listens: the CLI's path and version (`claude --version`, a few
/// milliseconds for the real CLI, at most 5 s), logged once, with a warning when the suite
/// never ran that version; and a warning when no login is found. A user learns of a missing,
/// broken or untested CLI from the log, not from their first failed request. Run before the
/// loop, so the probe is never a child a request could see.
enum CLIStartupCheck {
    static func run(profile: CLIProfile, environment: [String: String], fakeUpstream: Bool, logger: Logger,
                    fileExists: (String) -> Bool) {
        checkVersion(profile: profile, logger: logger)
        // In test mode, or with another upstream named, the user's login is not what answers.
        guard !fakeUpstream, environment["ANTHROPIC_BASE_URL"] == nil else { return }
        if CLICredentials.find(environment: environment, fileExists: fileExists).isEmpty {
            logger.warning("no Claude Code login found: \(CLICredentials.advice)")
        }
    }

    private static func checkVersion(profile: CLIProfile, logger: Logger) {
        guard let path = ChildProcess.resolve(profile.executable) else {
            logger.warning("the Claude Code CLI was not found; every request will fail until it is installed",
                           metadata: ["cli": "\(profile.executable)"])
            return
        }
        var invocation = profile.versionInvocation
        invocation.executable = path
        let run: CommandRun
        do {
            run = try CommandRun.run(invocation, timeout: 5)
        } catch {
            logger.warning("the Claude Code CLI cannot be started", metadata: ["cli": "\(path)", "error": "\(error)"])
            return
        }
        guard run.status == .exited(0), let version = CLIVersion(output: String(decoding: run.output, as: UTF8.self)) else {
            logger.warning("the Claude Code CLI did not print its version",
                           metadata: ["cli": "\(path)", "exit": "\(run.status.map { "\($0)" } ?? "-")",
                                      "timed_out": "\(run.timedOut)"])
            return
        }
        let range = "\(CLIVersion.testedRange.lowerBound)-\(CLIVersion.testedRange.upperBound)"
        if version.isTested {
            logger.info("CLI", metadata: ["cli": "\(path)", "version": "\(version)", "tested": "\(range)"])
        } else {
            logger.warning("CLI version outside the tested range; it may work",
                           metadata: ["cli": "\(path)", "version": "\(version)", "tested": "\(range)"])
        }
    }
}
