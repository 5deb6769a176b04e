/// Where the CLI would find a login, without reading any of it: its credentials file, or a key or
/// token in the environment. Pure: the caller says which files exist.
package enum CLICredentials {
    package enum Source: Equatable, Sendable, CustomStringConvertible {
        case credentialsFile(String)
        case environment(String)

        package var description: String {
            switch self {
            case .credentialsFile(let path): "credentials file \(path)"
            case .environment(let name): name
            }
        }
    }

    /// The variables the CLI takes a login from.
    package static let variables = ["ANTHROPIC_API_KEY", "CLAUDE_CODE_OAUTH_TOKEN", "ANTHROPIC_AUTH_TOKEN"]

    package static func find(environment: [String: String], fileExists: (String) -> Bool) -> [Source] {
        var sources: [Source] = []
        if let home = environment["HOME"], !home.isEmpty {
            let path = home + "/.claude/.credentials.json"
            if fileExists(path) { sources.append(.credentialsFile(path)) }
        }
        for name in variables where !(environment[name] ?? "").isEmpty { sources.append(.environment(name)) }
        return sources
    }

    /// What to do when there is none.
    package static let advice = "log in with `claude` (then /login), or set ANTHROPIC_API_KEY or CLAUDE_CODE_OAUTH_TOKEN "
        + "(from `claude setup-token`); to try the proxy without a login, run it with --fake-upstream"
}
