import Foundation
import Testing

extension Integration {
    /// Upstream and CLI failures become honest statuses (docs/cli.md, "Failures"), before the first byte
    /// as HTTP statuses, after it as an error inside the stream.
    @Suite struct Failures {
        @Test(.needsRealCLI, arguments: [
            ("err401", 503, "cli_not_authenticated", "false"),
            ("err403", 503, "cli_not_authenticated", "false"),
            ("err429", 429, "rate_limit_exceeded", nil),
            ("err529", 503, "overloaded", nil),
            ("err500", 502, "upstream_error", nil),
            ("err400", 400, "upstream_invalid_request", "false"),
            ("prompt_too_long", 400, "context_length_exceeded", "false"),
            ("err404", 404, "model_not_found", "false"),
        ] as [(String, Int, String, String?)])
        func upstreamErrorsThroughTheRealCLI(scenario: String, status: Int, code: String, shouldRetry: String?) throws {
            let proxy = try ProxyProcess()
            defer { proxy.stop() }
            for stream in [false, true] {
                let response = proxy.chat(chatBody("x", scenario: scenario, stream: stream))
                #expect(response.status == status, "\(scenario) stream=\(stream): \(response.text)")
                #expect(response.error?["code"] as? String == code)
                #expect(response.header("x-should-retry") == shouldRetry)
                if status == 429 || status == 503 && code == "overloaded" {
                    #expect(Int(response.header("retry-after") ?? "") != nil)
                }
            }
            #expect(ProcessTable.waitUntil { proxy.children.isEmpty })
        }

        @Test(.needsRealCLI) func aStreamCutAfterTextEndsWithAnErrorInsideTheStream() throws {
            let proxy = try ProxyProcess()
            defer { proxy.stop() }
            let chat = proxy.chat(chatBody("x", scenario: "cut", stream: true))
            #expect(chat.status == 200)
            #expect(chat.text.contains("Hello"))
            let error = try #require(chat.dataObjects.last { $0["error"] != nil }?["error"] as? [String: Any])
            #expect(error["code"] as? String == "upstream_connection_error")
            #expect(chat.dataLines.last == "[DONE]")
            #expect(!chat.dataObjects.contains {
                (($0["choices"] as? [[String: Any]])?.first?["finish_reason"] as? String) == "stop"
            })

            let responses = proxy.responses(#"{"stream":true,"input":"x [[scenario:cut]]"}"#)
            #expect(responses.eventNames.last == "response.failed")
            #expect(!responses.eventNames.contains("response.completed"))
        }

        @Test(.needsRealCLI) func aStalledUpstreamMeetsTheDeadline() throws {
            let proxy = try ProxyProcess(arguments: ["--request-timeout", "3"])
            defer { proxy.stop() }
            let response = proxy.chat(chatBody("x", scenario: "stall"))
            #expect(response.status == 504)
            #expect(response.error?["code"] as? String == "timeout")
            #expect(ProcessTable.waitUntil { proxy.children.isEmpty })
        }

        @Test func aMissingCLIIs503WithWhatToDo() throws {
            let proxy = try ProxyProcess(cli: "/nonexistent/claude")
            defer { proxy.stop() }
            let response = proxy.chat(chatBody("x"))
            #expect(response.status == 503)
            #expect(response.error?["code"] as? String == "cli_unavailable")
            #expect((response.error?["message"] as? String)?.contains("--claude") == true)
            #expect(response.header("x-should-retry") == "false")
        }
    }
}
