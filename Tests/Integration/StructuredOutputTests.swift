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
