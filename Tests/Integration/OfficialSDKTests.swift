import Foundation
import Testing

extension Integration {
    /// The official openai Python SDK (installed by scripts/test.sh into .cache/sdk-venv, or
    /// OPENAI_SDK_PYTHON) against the proxy and the real CLI.
    @Suite struct OfficialSDK {
        @Test(.needsRealCLI) func bothEndpointsStreamingAndNot() throws {
            let proxy = try ProxyProcess()
            defer { proxy.stop() }
            let (status, text) = try SDKCheck.run("sdk_check.py", against: proxy)
            #expect(status == 0, "\(text)")
            #expect(text.contains("reasoning ok") && text.contains("responses tool stream ok"), "\(text)")
            // The agent loops (chat and responses) carried on in the CLI that made the calls.
            #expect((proxy.metric("ccp_conversation_resumes_total{kind=\"tool_result\"}") ?? 0) >= 2)
        }
    }
}
