import FoundationEssentials

/// What the proxy may know of the credentials file `claude` writes: the subscription login's
/// expiry, scopes and subscription type. The tokens are never kept: the decoder reads whether an
/// access token is there and drops it. The CLI owns the file (it refreshes and rewrites it); the
/// proxy only reads it, to explain a failed login.
package struct CredentialsFile: Equatable, Sendable {
    /// When the access token expires (nil: the file names no expiry).
    package var expiresAt: Duration?
    package var scopes: [String]
    package var subscriptionType: String?
    /// False once the CLI cleared the login after a refused refresh (`accessToken: ""`).
    package var hasAccessToken: Bool

    package enum State: Equatable, Sendable {
        case valid(expiresIn: Duration?)
        /// The access token expired; the CLI refreshes it on its next start, when it can.
        case expired(since: Duration)
        /// No token: the login was cleared (a refused refresh) or never made.
        case loggedOut
    }

    /// - Parameter now: time since the Unix epoch.
    package func state(now: Duration) -> State {
        guard hasAccessToken else { return .loggedOut }
        guard let expiresAt else { return .valid(expiresIn: nil) }
        return expiresAt > now ? .valid(expiresIn: expiresAt - now) : .expired(since: now - expiresAt)
    }

    /// nil when the bytes are not a credentials file with a subscription login.
    package init?(bytes: [UInt8]) {
        guard let file = try? WireJSON.decode(Wire.self, from: bytes), let login = file.claudeAiOauth else { return nil }
        expiresAt = login.expiresAt.map { .milliseconds($0) }
        scopes = login.scopes ?? []
        subscriptionType = login.subscriptionType
        hasAccessToken = login.hasAccessToken
    }

    package init(expiresAt: Duration?, scopes: [String], subscriptionType: String?, hasAccessToken: Bool) {
        self.expiresAt = expiresAt
        self.scopes = scopes
        self.subscriptionType = subscriptionType
        self.hasAccessToken = hasAccessToken
    }

    private struct Wire: Decodable {
        var claudeAiOauth: Login?
    }

    private struct Login: Decodable {
        var expiresAt: Int64?
        var scopes: [String]?
        var subscriptionType: String?
        var hasAccessToken: Bool

        enum CodingKeys: String, CodingKey { case accessToken, expiresAt, scopes, subscriptionType }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            expiresAt = try? c.decodeIfPresent(Int64.self, forKey: .expiresAt)
            scopes = try? c.decodeIfPresent([String].self, forKey: .scopes)
            subscriptionType = try? c.decodeIfPresent(String.self, forKey: .subscriptionType)
            hasAccessToken = !((try? c.decodeIfPresent(String.self, forKey: .accessToken)) ?? "").isEmpty
        }
    }
}
