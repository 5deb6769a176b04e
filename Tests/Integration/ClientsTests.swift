import Foundation
import Testing

extension Integration {
    /// The client libraries the README gives recipes for, pinned and installed by scripts/test.sh,
    /// through chat, streaming, Responses and structured output, every socket held to loopback.
    @Suite struct Clients {
        @Test(.needsRealCLI, arguments: ["litellm", "langchain", "agents"])
        func aClientLibraryThroughEveryEndpoint(library: String) throws {
            let proxy = try ProxyProcess()
            defer { proxy.stop() }
            let (status, text) = try SDKCheck.run("clients_check.py", against: proxy, arguments: [library])
            #expect(status == 0, "\(text)")
            for check in ["chat", "stream", "responses", "structured"] {
                #expect(text.contains("\(library) \(check) ok"), "\(text)")
            }
        }
    }
}
