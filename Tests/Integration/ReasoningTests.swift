import Foundation
import Testing

extension Integration {
    /// Thinking reaches reasoning clients as reasoning, never as content; effort reaches the upstream.
    @Suite struct Reasoning {
        @Test(.needsRealCLI) func chatStreamsReasoningContentThenContent() throws {
            let proxy = try ProxyProcess()
            defer { proxy.stop() }
            let streamed = proxy.chat(chatBody("think", scenario: "thinking", stream: true))
            let deltas = streamed.dataObjects.compactMap {
                (($0["choices"] as? [[String: Any]])?.first?["delta"] as? [String: Any])
            }
            #expect(deltas.compactMap { $0["reasoning_content"] as? String }.joined() == "Let me think.")
            #expect(deltas.compactMap { $0["content"] as? String }.joined() == "Hello from mock.")
            let whole = proxy.chat(chatBody("think", scenario: "thinking"))
            let message = (whole.json["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any]
            #expect(message?["reasoning_content"] as? String == "Let me think.")
            #expect(message?["content"] as? String == "Hello from mock.")
        }

        @Test(.needsRealCLI) func responsesHaveAReasoningItem() throws {
            let proxy = try ProxyProcess()
            defer { proxy.stop() }
            let streamed = proxy.responses(#"{"stream":true,"input":"think [[scenario:thinking]]"}"#)
            #expect(streamed.eventNames.contains("response.reasoning_summary_text.delta"))
            let completed = try #require(streamed.dataObjects.last?["response"] as? [String: Any])
            let output = try #require(completed["output"] as? [[String: Any]])
            #expect(output.map { $0["type"] as? String } == ["reasoning", "message"])
            let whole = proxy.responses(#"{"input":"think [[scenario:thinking]]"}"#)
            let items = try #require(whole.json["output"] as? [[String: Any]])
            #expect(((items.first?["summary"] as? [[String: Any]])?.first?["text"] as? String) == "Let me think.")
        }

        @Test(.needsRealCLI) func effortReachesTheUpstream() throws {
            let proxy = try ProxyProcess()
            defer { proxy.stop() }
            let tag = "eff\(UInt32.random(in: 0...UInt32.max))"
            #expect(proxy.chat(chatBody("x", tag: tag, extra: #","reasoning_effort":"minimal""#)).status == 200)
            let upstream = try #require(TestEnvironment.mock.requests(tag: tag).first)
            #expect((upstream["output_config"] as? [String: Any])?["effort"] as? String == "low")
        }
    }
}
