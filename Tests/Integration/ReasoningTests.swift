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

        /// Codex's stateless loop: asked with `include: ["reasoning.encrypted_content"]`, each
        /// reasoning item carries the thinking's signature; sent back in the next request's input,
        /// the thinking reaches the model again as its signed block, though no CLI kept the
        /// conversation. Without `include`, no signature goes out.
        @Test(.needsRealCLI) func aStatelessResponsesConversationKeepsItsThinking() throws {
            let proxy = try ProxyProcess(arguments: ["--max-parked", "0"])
            defer { proxy.stop() }
            let tag = "enc\(UInt32.random(in: 0...UInt32.max))"
            let user = #"{"role":"user","content":"think [[scenario:thinking]] [[id:\#(tag)]]"}"#
            let first = proxy.responses(#"{"model":"sonnet","include":["reasoning.encrypted_content"],"input":[\#(user)]}"#)
            let output = try #require(first.json["output"] as? [[String: Any]])
            let reasoning = try #require(output.first { $0["type"] as? String == "reasoning" })
            #expect(reasoning["encrypted_content"] as? String == "c2ln", "\(reasoning)")
            let message = try #require(output.first { $0["type"] as? String == "message" })
            let items = [reasoning, message].map { String(decoding: try! JSONSerialization.data(withJSONObject: $0), as: UTF8.self) }
            let second = proxy.responses(#"{"model":"sonnet","include":["reasoning.encrypted_content"],"input":[\#(user),"#
                                         + items.joined(separator: ",") + #",{"role":"user","content":"and? [[id:\#(tag)]]"}]}"#)
            #expect(second.status == 200, "\(second.text.prefix(300))")
            let upstream = try #require(TestEnvironment.mock.requests(tag: tag).last)
            let assistant = (upstream["messages"] as? [[String: Any]] ?? []).first { $0["role"] as? String == "assistant" }
            let blocks = assistant?["content"] as? [[String: Any]] ?? []
            #expect(blocks.first?["type"] as? String == "thinking", "\(blocks)")
            #expect(blocks.first?["signature"] as? String == "c2ln")
            #expect(blocks.first?["thinking"] as? String == "Let me think.")
            let plain = proxy.responses(#"{"model":"sonnet","input":"think [[scenario:thinking]]"}"#)
            let plainReasoning = (plain.json["output"] as? [[String: Any]])?.first { $0["type"] as? String == "reasoning" }
            #expect(plainReasoning != nil && plainReasoning?["encrypted_content"] == nil)
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
