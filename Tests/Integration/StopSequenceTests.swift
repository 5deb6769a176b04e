import Foundation
import Testing

extension Integration {
    @Suite struct StopSequences {
        @Test(.needsRealCLI) func aStopSpanningTwoDeltasEndsTheAnswerBeforeIt() throws {
            let proxy = try ProxyProcess()
            defer { proxy.stop() }
            // The mock streams "Hello", " from", " mock."; "lo fro" spans the first two deltas.
            let tag = "stop\(UInt32.random(in: 0...UInt32.max))"
            let streamed = proxy.chat(chatBody("x", tag: tag, stream: true, extra: #","stop":["zzz","lo fro"]"#))
            let choices = streamed.dataObjects.compactMap { ($0["choices"] as? [[String: Any]])?.first }
            #expect(streamed.streamedContent == "Hel")
            #expect(choices.last?["finish_reason"] as? String == "stop")
            #expect(streamed.dataLines.last == "[DONE]")
            let whole = proxy.chat(chatBody("x", extra: #","stop":"from""#))
            let message = (whole.json["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any]
            #expect(message?["content"] as? String == "Hello ")
            #expect(TestEnvironment.mock.requests(tag: tag).count == 1)
            #expect(ProcessTable.waitUntil { proxy.children.isEmpty })
        }

        @Test func badStopsAre400() throws {
            let proxy = try ProxyProcess(cli: TestEnvironment.fakeCLI)
            defer { proxy.stop() }
            #expect(proxy.chat(chatBody("x", extra: #","stop":["a","b","c","d","e"]"#)).status == 400)
            #expect(proxy.chat(chatBody("x", extra: #","stop":[1]"#)).status == 400)
        }
    }
}

extension Integration {
    @Suite struct OutputLimits {
        /// The CLI would send its own continuation call within a millisecond of `stop_reason:
        /// max_tokens`; the proxy's near-zero budget makes it stop after the first call instead.
        /// Only a CLI that is not kept can carry that budget (it would refuse the next turn too):
        /// this proxy keeps nothing.
        @Test(.needsRealCLI, arguments: [false, true])
        func aMaxTokensStopIsLengthAndTheCLIMakesOneUpstreamCall(stream: Bool) throws {
            let proxy = try ProxyProcess(arguments: ["--max-parked", "0"])
            defer { proxy.stop() }
            let tag = "len\(UInt32.random(in: 0...UInt32.max))"
            let response = proxy.chat(chatBody("x", scenario: "max_tokens", tag: tag, stream: stream,
                                               extra: #","max_tokens":3"#))
            #expect(response.status == 200)
            let text: String
            if stream {
                let choices = response.dataObjects.compactMap { ($0["choices"] as? [[String: Any]])?.first }
                #expect(choices.last?["finish_reason"] as? String == "length")
                #expect(response.dataLines.last == "[DONE]")
                text = response.streamedContent
            } else {
                let choice = (response.json["choices"] as? [[String: Any]])?.first
                #expect(choice?["finish_reason"] as? String == "length")
                text = response.messageContent ?? ""
            }
            #expect(text == "Hello from mock.")
            if !stream {
                let usage = response.json["usage"] as? [String: Any]
                #expect(usage?["prompt_tokens"] as? Int == 47)  // from the stream: the budget's result reports 0
                #expect(usage?["completion_tokens"] as? Int == 3)
            }
            #expect(ProcessTable.waitUntil { proxy.children.isEmpty })
            let calls = TestEnvironment.mock.requests(tag: tag)
            #expect(calls.first?["max_tokens"] as? Int == 3)
            #expect(calls.count == 1, "the CLI continued after max_tokens")
            let responses = proxy.responses(#"{"input":"x [[scenario:max_tokens]]","max_output_tokens":3}"#)
            #expect(responses.json["status"] as? String == "incomplete")
            #expect((responses.json["incomplete_details"] as? [String: Any])?["reason"] as? String == "max_output_tokens")
        }

        @Test(.needsRealCLI) func anAnswerWithinTheLimitEndsNormally() throws {
            let proxy = try ProxyProcess()
            defer { proxy.stop() }
            let response = proxy.chat(chatBody("x", extra: #","max_completion_tokens":100"#))
            #expect(response.status == 200)
            let choice = (response.json["choices"] as? [[String: Any]])?.first
            #expect(choice?["finish_reason"] as? String == "stop")
            #expect((choice?["message"] as? [String: Any])?["content"] as? String == "Hello from mock.")
            #expect((response.json["usage"] as? [String: Any])?["total_tokens"] as? Int == 50)
        }

        @Test(.needsRealCLI) func aRefusalIsContentFilter() throws {
            let proxy = try ProxyProcess()
            defer { proxy.stop() }
            let response = proxy.chat(chatBody("x", scenario: "refusal"))
            #expect(response.status == 200)
            #expect(((response.json["choices"] as? [[String: Any]])?.first?["finish_reason"] as? String) == "content_filter")
            let responses = proxy.responses(#"{"input":"x [[scenario:refusal]]"}"#)
            #expect(responses.json["status"] as? String == "incomplete")
            let content = ((responses.json["output"] as? [[String: Any]])?.last?["content"] as? [[String: Any]]) ?? []
            #expect(content.contains { $0["type"] as? String == "refusal" })
        }
    }
}
