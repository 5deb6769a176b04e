import Logging
import ProxyCore

/// At start, before the proxy listens: the CLI's path and version (`claude --version`, a few
/// milliseconds for the real CLI, at most 5 s), logged once, with a warning when the suite
/// never ran that version; and which login the CLIs will use (never the secret), with a warning
/// when there is none or the subscription login expired. A user learns of a missing, broken or
/// untested CLI, or of a login to renew, from the log, not from their first failed request. Run
/// before the loop, so the probe is never a child a request could see.
enum CLIStartupCheck {
    /// - Returns: the CLI's version, when it answered.
    @discardableResult
    static func run(profile: CLIProfile, environment: [String: String], fakeUpstream: Bool, logger: Logger,
                    fileExists: (String) -> Bool) -> CLIVersion? {
        let version = checkVersion(profile: profile, logger: logger)
        guard !fakeUpstream else { return version }
        let logins = CLILogin.find(environment: environment, fileExists: fileExists)
        guard let login = logins.first else {
            // With another upstream named, its own scheme may need no login of Claude's.
            if environment["ANTHROPIC_BASE_URL"] == nil {
                logger.warning("no Claude Code login found: \(CLILogin.advice)")
            }
            return version
        }
        var metadata: Logger.Metadata = ["login": "\(login.kind)", "source": "\(login)"]
        if logins.count > 1 { metadata["also_found"] = "\(logins.dropFirst().map(\.kind).joined(separator: ","))" }
        if login == .apiKey || login == .authToken {
            metadata["usage"] = "not reported for this login"
        } else {
            metadata["usage"] = "reported with the first answer: GET /v1/usage, the anthropic-ratelimit-unified-* headers"
        }
        logger.info("login", metadata: metadata)
        guard case .credentialsFile(let path) = login else { return version }
        switch LoginFileState.read(path: path) {
        case .some(.expired):
            logger.warning("the subscription login's access token has expired; each CLI refreshes it when it starts, or fails: then \(CLILogin.refreshAdvice)")
        case .some(.loggedOut):
            logger.warning("the subscription login holds no token (logged out, or a refresh was refused): \(CLILogin.refreshAdvice)")
        case .some(.valid), nil:
            break
        }
        return version
    }

    private static func checkVersion(profile: CLIProfile, logger: Logger) -> CLIVersion? {
        switch CLIVersionProbe.run(profile, timeout: 5) {
        case .notFound(let executable):
            logger.warning("the Claude Code CLI was not found; every request will fail until it is installed",
                           metadata: ["cli": "\(executable)"])
            return nil
        case .failed(let path, let reason):
            logger.warning("the Claude Code CLI \(reason)", metadata: ["cli": "\(path)"])
            return nil
        case .found(let path, let version) where version.isTested:
            logger.info("CLI", metadata: ["cli": "\(path)", "version": "\(version)", "tested": "\(CLIVersionProbe.testedRange)"])
            return version
        case .found(let path, let version):
            logger.warning("CLI version outside the tested range; it may work",
                           metadata: ["cli": "\(path)", "version": "\(version)", "tested": "\(CLIVersionProbe.testedRange)"])
            return version
        }
    }
}
