/// Which Claude login the CLIs will use, found without reading a secret (docs/cli.md, "Logins").
/// Pure: the caller says which files exist.
///
/// The order is the CLI's own, measured with every pair set at once (docs/cli.md): an API key
/// first, then `ANTHROPIC_AUTH_TOKEN`, then `CLAUDE_CODE_OAUTH_TOKEN` (from `claude setup-token`),
/// then the subscription login `claude` wrote to its credentials file.
package enum CLILogin: Equatable, Sendable, CustomStringConvertible {
    case apiKey
    case authToken
    case oauthToken
    case credentialsFile(path: String)

    /// The variables the CLI takes a login from, in the CLI's order.
    package static let variables = ["ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "CLAUDE_CODE_OAUTH_TOKEN"]

    /// Where the person's own `claude` keeps its login, locks and refreshes it: the CLI's secure
    /// storage directory (`CLAUDE_SECURESTORAGE_CONFIG_DIR`, else `CLAUDE_CONFIG_DIR`, else
    /// `~/.claude`). Every CLI of the proxy is pointed at this one directory, so that they and the
    /// person's own `claude` share one credentials file and one refresh lock.
    package static func directory(environment: [String: String]) -> String? {
        for name in ["CLAUDE_SECURESTORAGE_CONFIG_DIR", "CLAUDE_CONFIG_DIR"] {
            if let value = environment[name], !value.isEmpty { return value }
        }
        guard let home = environment["HOME"], !home.isEmpty else { return nil }
        return home + "/.claude"
    }

    package static func credentialsPath(environment: [String: String]) -> String? {
        directory(environment: environment).map { $0 + "/.credentials.json" }
    }

    /// Every login there is, in the CLI's order; the first is the one the CLIs will use.
    package static func find(environment: [String: String], fileExists: (String) -> Bool) -> [CLILogin] {
        var found: [CLILogin] = []
        if !(environment["ANTHROPIC_API_KEY"] ?? "").isEmpty { found.append(.apiKey) }
        if !(environment["ANTHROPIC_AUTH_TOKEN"] ?? "").isEmpty { found.append(.authToken) }
        if !(environment["CLAUDE_CODE_OAUTH_TOKEN"] ?? "").isEmpty { found.append(.oauthToken) }
        if let path = credentialsPath(environment: environment), fileExists(path) { found.append(.credentialsFile(path: path)) }
        return found
    }

    /// How the start-up line and doctor name it (never the secret).
    package var description: String {
        switch self {
        case .apiKey: "API key (ANTHROPIC_API_KEY)"
        case .authToken: "bearer token (ANTHROPIC_AUTH_TOKEN)"
        case .oauthToken: "subscription token (CLAUDE_CODE_OAUTH_TOKEN)"
        case .credentialsFile(let path): "subscription login (\(path))"
        }
    }

    /// The short name in logs and metrics.
    package var kind: String {
        switch self {
        case .apiKey: "api_key"
        case .authToken: "auth_token"
        case .oauthToken: "oauth_token"
        case .credentialsFile: "subscription"
        }
    }

    /// What to do when there is none.
    package static let advice = "log in with `claude` (then /login), or set CLAUDE_CODE_OAUTH_TOKEN (from `claude setup-token`) "
        + "or ANTHROPIC_API_KEY; to try the proxy without a login, run it with --fake-upstream"

    /// What to do when a subscription login expired and the CLI could not refresh it.
    package static let refreshAdvice = "run `claude` once as the user running the proxy (it refreshes the login), "
        + "or log in again with /login"
}
