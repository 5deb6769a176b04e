import Foundation
import Testing
import HTTPStreamClient

extension Integration {
    /// Every refusal is OpenAI's error shape with the right status, and no CLI is started for it.
    @Suite struct BadInput {
        private func expectOpenAIError(_ response: CurlResponse, status: Int, param: String? = nil,
                                       sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(response.status == status, "\(response.text)", sourceLocation: sourceLocation)
            #expect(response.header("content-type")?.hasPrefix("application/json") == true, sourceLocation: sourceLocation)
            let error = response.error
            #expect(error.map { Set($0.keys) } == ["message", "type", "param", "code"], "\(response.text)",
                    sourceLocation: sourceLocation)
            #expect((error?["message"] as? String)?.isEmpty == false, sourceLocation: sourceLocation)
            if let param { #expect(error?["param"] as? String == param, sourceLocation: sourceLocation) }
        }

        @Test func theMatrix() throws {
            let proxy = try ProxyProcess(cli: TestEnvironment.fakeCLI, arguments: ["--max-body-bytes", "4096"])
            defer { proxy.stop() }
            let url = proxy.baseURL + "/v1/chat/completions"
            let auth = "Authorization: Bearer \(ProxyProcess.key)"
            expectOpenAIError(proxy.chat(chatBody("x"), key: nil), status: 401)
            expectOpenAIError(proxy.chat(chatBody("x"), key: "wrong"), status: 401)
            expectOpenAIError(CurlClient.request("POST", url, headers: [auth], body: Array("{not json".utf8)), status: 400)
            expectOpenAIError(CurlClient.request("POST", url, headers: [auth], body: []), status: 400)
            expectOpenAIError(CurlClient.request("POST", url, headers: [auth], body: Array("[1,2]".utf8)), status: 400)
            let badUTF8 = Array(#"{"messages":[{"role":"user","content":""#.utf8) + [0xc3, 0x28] + Array(#""}]}"#.utf8)
            let utf8 = CurlClient.request("POST", url, headers: [auth], body: badUTF8)
            expectOpenAIError(utf8, status: 400)
            #expect((utf8.error?["message"] as? String)?.contains("UTF-8") == true)
            expectOpenAIError(proxy.chat(#"{"model":"x"}"#), status: 400, param: "messages")
            expectOpenAIError(proxy.chat(#"{"messages":"hi"}"#), status: 400, param: "messages")
            expectOpenAIError(proxy.chat(#"{"messages":[]}"#), status: 400, param: "messages")
            expectOpenAIError(proxy.chat(#"{"messages":[{"role":"pirate","content":"x"}]}"#), status: 400,
                              param: "messages[0].role")
            expectOpenAIError(proxy.chat(#"{"messages":[{"role":"user","content":"x"}],"n":2}"#), status: 400, param: "n")
            expectOpenAIError(proxy.chat(#"{"messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"name":"f g"}}]}"#),
                              status: 400, param: "tools[0].function.name")
            expectOpenAIError(proxy.chat(#"{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://x/y.png"}}]}]}"#),
                              status: 400)
            expectOpenAIError(proxy.responses(#"{"input":"x","previous_response_id":"resp_1"}"#), status: 400,
                              param: "previous_response_id")
            let tooBig = chatBody(String(repeating: "a", count: 5000))
            let large = proxy.chat(tooBig)
            expectOpenAIError(large, status: 413)
            expectOpenAIError(proxy.get("/v1/nope"), status: 404)
            expectOpenAIError(proxy.get("/v1/nope", key: nil), status: 404)
            let wrongMethod = proxy.get("/v1/chat/completions")
            expectOpenAIError(wrongMethod, status: 405)
            #expect(wrongMethod.header("allow") == "POST")
            expectOpenAIError(CurlClient.request("DELETE", proxy.baseURL + "/v1/responses", headers: [auth]), status: 405)
            // Deterministic refusals tell the SDKs not to retry.
            #expect(proxy.chat(#"{"messages":[]}"#).header("x-should-retry") == "false")
            #expect(!proxy.log.contains("CLI started"), "a refused request started the CLI")
            #expect(!proxy.log.contains(ProxyProcess.key), "the key reached the log")
        }

        @Test func tools_with_tool_choice_none_are_served() throws {
            let proxy = try ProxyProcess(cli: TestEnvironment.fakeCLI)
            defer { proxy.stop() }
            let response = proxy.chat(#"{"messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":"none","temperature":0.3,"user":"u"}"#)
            #expect(response.status == 200)
            #expect(response.messageContent == "fake answer")
        }
    }
}
