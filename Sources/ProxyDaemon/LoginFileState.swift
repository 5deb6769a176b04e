import ProxyCore
import SystemCalls

/// The state of a credentials file, read now (the proxy never writes it).
enum LoginFileState {
    /// nil when the file cannot be read or holds no subscription login.
    static func read(path: String) -> CredentialsFile.State? {
        summary(path: path)?.state(now: UTCTime.instant())
    }

    static func summary(path: String) -> CredentialsFile? {
        (try? FileBytes.read(path)).flatMap { CredentialsFile(bytes: $0) }
    }
}

/// The subscription login the CLIs use, when it is a credentials file: whether it had expired
/// when a request began. The file is read only when the expiry last read from it has passed (the
/// CLI may have refreshed it since), not for every request.
final class SubscriptionLogin {
    let path: String
    private var knownExpiry: Duration?
    private var knownState: CredentialsFile.State?

    init(path: String) {
        self.path = path
    }

    /// True when the access token has expired or was cleared.
    func isExpired() -> Bool {
        let now = UTCTime.instant()
        if case .valid? = knownState, let expiry = knownExpiry, expiry > now { return false }
        let file = LoginFileState.summary(path: path)
        knownExpiry = file?.expiresAt
        knownState = file?.state(now: now)
        switch knownState {
        case .expired?, .loggedOut?: return true
        case .valid?, nil: return false
        }
    }
}
