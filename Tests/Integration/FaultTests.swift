import Foundation
import Testing
import HTTPStreamClient

extension Integration {
    /// A misbehaving CLI (Fixtures/fake_claude.py) never crashes the proxy or leaks a process.
    @Suite struct Faults {
        private func fakeChat(_ proxy: ProxyProcess, _ mode: String, stream: Bool = false) -> CurlResponse {
            proxy.chat(#"{"stream":\#(stream),"messages":[{"role":"user","content":"[[fake:\#(mode)]]"}]}"#)
        }

        @Test func aCrashIs502BeforeTheFirstByteAndAnInStreamErrorAfter() throws {
            let proxy = try ProxyProcess(cli: TestEnvironment.fakeCLI)
            defer { proxy.stop() }
            let whole = fakeChat(proxy, "crash")
            #expect(whole.status == 502)
            #expect(whole.error?["code"] as? String == "cli_failed")
            let streamed = fakeChat(proxy, "crash", stream: true)
            #expect(streamed.status == 200)
            #expect(streamed.text.contains("partial"))
            #expect(streamed.dataObjects.last?["error"] != nil)
            #expect(streamed.dataLines.last == "[DONE]")
            let exit1 = fakeChat(proxy, "exit1")
            #expect(exit1.status == 502)
            #expect(!(exit1.text.contains("something broke")), "CLI stderr reached the client")
            #expect(fakeChat(proxy, "ok").status == 200, "the proxy did not survive")
        }

        @Test func garbageInvalidUTF8AndHugeLinesAreSkipped() throws {
            let proxy = try ProxyProcess(cli: TestEnvironment.fakeCLI)
            defer { proxy.stop() }
            let garbage = fakeChat(proxy, "garbage", stream: true)
            #expect(garbage.status == 200)
            let text = garbage.streamedContent
            #expect(text == "bad\u{FFFD}( good")
            let huge = fakeChat(proxy, "huge")
            #expect(huge.status == 200)
            #expect(huge.messageContent == "after huge")
        }

        @Test func aCLIThatReportsToolsIsRefused() throws {
            let proxy = try ProxyProcess(cli: TestEnvironment.fakeCLI)
            defer { proxy.stop() }
            let response = fakeChat(proxy, "tools")
            #expect(response.status == 500)
            #expect(response.error?["code"] as? String == "cli_tools_enabled")
            #expect(!response.text.contains("should not be seen"))
        }

        @Test func aHungCLIIsKilledAtTheDeadline() throws {
            let proxy = try ProxyProcess(cli: TestEnvironment.fakeCLI, arguments: ["--request-timeout", "2"])
            defer { proxy.stop() }
            #expect(fakeChat(proxy, "hang").status == 504)
            #expect(ProcessTable.waitUntil { proxy.children.isEmpty })
        }

        @Test func theChildSeesNeitherTheKeyNorThePrompt() throws {
            let proxy = try ProxyProcess(cli: TestEnvironment.fakeCLI,
                                         environment: ["AWS_SECRET_ACCESS_KEY": "aws-secret", "CLAUDE_CODE_OAUTH_TOKEN": "oauth"])
            defer { proxy.stop() }
            let response = proxy.chat(#"{"messages":[{"role":"system","content":"SYSTEM-SECRET-PROMPT"},{"role":"user","content":"[[fake:report]] USER-TEXT"}]}"#)
            let content = response.messageContent ?? ""
            let report = try #require((try? JSONSerialization.jsonObject(with: Data(content.utf8))) as? [String: Any])
            let argv = report["argv"] as? [String] ?? []
            let env = report["env"] as? [String: String] ?? [:]
            #expect(!argv.joined(separator: " ").contains("USER-TEXT"))
            #expect(!argv.joined(separator: " ").contains("SYSTEM-SECRET-PROMPT"))
            #expect(env["PROXY_API_KEY"] == nil)
            #expect(!env.values.contains(ProxyProcess.key))
            #expect(env["AWS_SECRET_ACCESS_KEY"] == nil)
            #expect(env["CLAUDE_CODE_OAUTH_TOKEN"] == "oauth")
            #expect(env["CLAUDE_CODE_MAX_RETRIES"] == "0")
            #expect(env["HOME"]?.hasPrefix(proxy.tmpdir) == true)
            #expect((report["cwd"] as? String)?.hasSuffix("/work") == true)
            let promptFile = try #require(argv.firstIndex(of: "--system-prompt-file").map { argv[$0 + 1] })
            // Removed when the request is finished: reply sent, stdout closed and the child reaped.
            #expect(ProcessTable.waitUntil { !FileManager.default.fileExists(atPath: promptFile) },
                    "the system prompt file was left behind")
        }
    }
}
