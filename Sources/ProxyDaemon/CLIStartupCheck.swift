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
        switch CLIVersionProbe.run(profile, timeout: 5) {
        case .notFound(let executable):
            logger.warning("the Claude Code CLI was not found; every request will fail until it is installed",
                           metadata: ["cli": "\(executable)"])
        case .failed(let path, let reason):
            logger.warning("the Claude Code CLI \(reason)", metadata: ["cli": "\(path)"])
        case .found(let path, let version) where version.isTested:
            logger.info("CLI", metadata: ["cli": "\(path)", "version": "\(version)", "tested": "\(CLIVersionProbe.testedRange)"])
        case .found(let path, let version):
            logger.warning("CLI version outside the tested range; it may work",
                           metadata: ["cli": "\(path)", "version": "\(version)", "tested": "\(CLIVersionProbe.testedRange)"])
        }
    }
}
