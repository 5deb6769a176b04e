import Foundation
import Testing

extension Integration {
    @Suite struct StructuredOutput {
        static let format = #","response_format":{"type":"json_schema","json_schema":{"name":"person","strict":true,"schema":{"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"}},"required":["name","age"],"additionalProperties":false}}}"#

        @Test(.needsRealCLI, arguments: [false, true])
        func theContentIsExactlyTheJSON(stream: Bool) throws {
            let proxy = try ProxyProcess()
            defer { proxy.stop() }
            let response = proxy.chat(chatBody("who", scenario: "structured", stream: stream, extra: Self.format))
            #expect(response.status == 200)
            let content: String
            if stream {
                content = response.streamedContent
            } else {
                content = response.messageContent ?? ""
            }
            let value = try #require((try? JSONSerialization.jsonObject(with: Data(content.utf8))) as? [String: Any])
            #expect(value["name"] as? String == "Alice")
            #expect(value["age"] as? Int == 30)
            #expect(!content.contains("Here it is"))
        }

        /// Streamed, the JSON arrives as the model writes it, in several deltas, on both endpoints;
        /// the final Responses text is exactly those deltas joined.
        @Test(.needsRealCLI) func aStreamedValueArrivesInPieces() throws {
            let proxy = try ProxyProcess()
            defer { proxy.stop() }
            let chat = proxy.chat(chatBody("who", scenario: "structured", stream: true, extra: Self.format))
            let pieces = chat.dataObjects.compactMap {
                (($0["choices"] as? [[String: Any]])?.first?["delta"] as? [String: Any])?["content"] as? String
            }.filter { !$0.isEmpty }
            #expect(pieces.count > 1, "\(pieces)")
            let value = (try? JSONSerialization.jsonObject(with: Data(pieces.joined().utf8))) as? [String: Any]
            #expect(value?["name"] as? String == "Alice" && value?["age"] as? Int == 30, "\(pieces.joined())")

            let responses = proxy.responses(#"{"stream":true,"input":"who [[scenario:structured]]","text":{"format":{"type":"json_schema","name":"p","schema":{"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"}},"required":["name","age"]}}}}"#)
            let deltas = responses.dataObjects.filter { $0["type"] as? String == "response.output_text.delta" }
                .compactMap { $0["delta"] as? String }
            #expect(deltas.count > 1, "\(responses.text.prefix(2000))")
            let done = responses.dataObjects.first { $0["type"] as? String == "response.output_text.done" }?["text"] as? String
            #expect(done == deltas.joined())
            let parsed = (try? JSONSerialization.jsonObject(with: Data((done ?? "").utf8))) as? [String: Any]
            #expect(parsed?["age"] as? Int == 30)
        }

        @Test(.needsRealCLI) func aModelThatAnswersInProseIsAnError() throws {
            let proxy = try ProxyProcess()
            defer { proxy.stop() }
            let response = proxy.chat(chatBody("who", scenario: "structured_text", extra: Self.format))
            #expect(response.status == 502)
            #expect(response.error?["code"] as? String == "structured_output_failed")
        }

        @Test(.needsRealCLI) func jsonObjectAndResponsesTextFormat() throws {
            let proxy = try ProxyProcess()
            defer { proxy.stop() }
            let object = proxy.chat(chatBody("x", scenario: "structured", extra: #","response_format":{"type":"json_object"}"#))
            let content = object.messageContent ?? ""
            #expect((try? JSONSerialization.jsonObject(with: Data(content.utf8))) is [String: Any])
            let responses = proxy.responses(#"{"input":"x [[scenario:structured]]","text":{"format":{"type":"json_schema","name":"p","schema":{"type":"object","properties":{"age":{"type":"integer"}}}}}}"#)
            let text = (((responses.json["output"] as? [[String: Any]])?.last?["content"] as? [[String: Any]])?.first?["text"] as? String) ?? ""
            #expect(text == #"{"age":30}"# || text == #"{"age": 30}"#)
        }
    }
}
