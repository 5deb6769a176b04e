import Testing
@testable import ProxyCore
@testable import OpenAIFront
@testable import EventTransport
@testable import ChildProcesses
@testable import ProxyDaemon

struct ConfigurationTests {
    private func resolve(_ flags: Configuration.Flags = .init(), _ env: [String: String] = [:],
                         files: [String: String] = [:]) throws(ConfigurationError) -> Configuration {
        try Configuration(flags: flags, environment: env) { path in
            guard let text = files[path] else { throw ConfigurationError.invalid("file", path) }
            return text
        }
    }

    @Test func refusesToStartWithoutAKey() {
        #expect(throws: ConfigurationError.missingAPIKey) { try resolve() }
        #expect(ConfigurationError.missingAPIKey.description.contains("PROXY_API_KEY"))
    }

    @Test func readsTheSeedsEnvironmentNames() throws {
        let config = try resolve(.init(), ["PROXY_API_KEY": "k", "PORT": "9000", "HOST": "::1", "CLAUDE_MODEL": "opus",
                                           "CLAUDE_BIN": "/opt/claude", "LOG_LEVEL": "DEBUG"])
        #expect(config.apiKeys == ["k"])
        #expect(config.port == 9000)
        #expect(config.host == "::1")
        #expect(config.model == "opus")
        #expect(config.claude == "/opt/claude")
        #expect(config.logLevel == .debug)
    }

    @Test func flagsWinAndDefaultsAreSafe() throws {
        let config = try resolve(.init(apiKey: "flag", port: 0), ["PROXY_API_KEY": "env", "PORT": "9000"])
        #expect(config.apiKeys == ["flag"])
        #expect(config.port == 0)
        #expect(config.host == "127.0.0.1")
        #expect(config.maxBodyBytes == 1 << 20)
    }

    @Test func keyFileHoldsOneKeyPerLine() throws {
        let config = try resolve(.init(apiKeyFile: "/k"), files: ["/k": "# keys\nalpha\n\n  beta  \n"])
        #expect(config.apiKeys == ["alpha", "beta"])
        #expect(throws: ConfigurationError.emptyKeyFile("/e")) { try resolve(.init(apiKeyFile: "/e"), files: ["/e": "\n"]) }
    }

    @Test func rejectsNonsense() {
        #expect(throws: ConfigurationError.self) { try resolve(.init(apiKey: "k"), ["PORT": "eighty"]) }
        #expect(throws: ConfigurationError.self) { try resolve(.init(apiKey: "k", port: 70000)) }
        #expect(throws: ConfigurationError.self) { try resolve(.init(apiKey: "k", logLevel: "loud")) }
        #expect(throws: ConfigurationError.self) { try resolve(.init(apiKey: "k", upstreamIdleTimeout: 1)) }
    }
}
