import Foundation
import Glibc
import HTTPStreamClient
import Testing

extension Integration {
    /// Whatever ends a request or the daemon, nothing of it is left behind: no file in the
    /// runtime directory, no process the proxy started or adopted.
    @Suite struct Leftovers {
        /// Files under the proxy's runtime directory that belong to requests: prompt and MCP
        /// configuration files, and the CLIs' own TMPDIRs.
        private func requestFiles(_ proxy: ProxyProcess) -> [String] {
            proxy.runtimeDirectories.flatMap { root in
                let prompts = ((try? FileManager.default.contentsOfDirectory(atPath: root + "/prompts")) ?? []).map { "prompts/\($0)" }
                let temporary = ((try? FileManager.default.contentsOfDirectory(atPath: root + "/tmp")) ?? []).map { "tmp/\($0)" }
                return prompts + temporary
            }
        }

        /// A misbehaving CLI floods a Responses stream past `--max-reply-bytes`: the reply is cut
        /// with `response.failed`, and once the request has ended, its files are gone with it.
        @Test func aReplyCutByTheSizeLimitLeavesNoFile() throws {
            let proxy = try ProxyProcess(cli: TestEnvironment.fakeCLI, arguments: ["--max-reply-bytes", "1048576"])
            defer { proxy.stop() }
            let response = proxy.responses(#"{"stream":true,"input":"[[fake:flood64]]"}"#)
            #expect(response.text.contains("response.failed"))
            #expect(response.text.contains("reply_too_large"))
            #expect(ProcessTable.waitUntil { proxy.metric("ccp_requests_in_flight") == 0 && proxy.children.isEmpty })
            #expect(ProcessTable.waitUntil { requestFiles(proxy).isEmpty }, "left behind: \(requestFiles(proxy))")
            // And after a whole chat reply cut the same way, by a CLI that ignores SIGTERM and whose
            // own child holds its stdout.
            let whole = proxy.chat(#"{"messages":[{"role":"user","content":"[[fake:stubborn64]]"}]}"#)
            #expect(whole.status == 502)
            #expect(ProcessTable.waitUntil { proxy.metric("ccp_requests_in_flight") == 0 && proxy.children.isEmpty })
            #expect(ProcessTable.waitUntil { requestFiles(proxy).isEmpty }, "left behind: \(requestFiles(proxy))")
        }

        /// SIGTERM while a CLI's grandchild, in a session of its own, holds the CLI's stdout: by
        /// the time the proxy has exited, no process it started or adopted is alive.
        @Test func afterSIGTERMNoAdoptedProcessOutlivesTheProxy() throws {
            let proxy = try ProxyProcess(cli: TestEnvironment.fakeCLI)
            defer { proxy.stop() }
            let response = proxy.chat(#"{"messages":[{"role":"user","content":"[[fake:setsid]]"}]}"#)
            #expect(response.status == 200)
            let grandchild = try #require(Int32(response.messageContent ?? ""))
            // The request lingers (its stdout is held); the proxy is told to stop meanwhile.
            #expect(FileManager.default.fileExists(atPath: "/proc/\(grandchild)"))
            kill(proxy.pid, SIGTERM)
            #expect(proxy.waitForExit() == 0)
            // Gone, and reaped by the proxy: not even a zombie left for another parent to collect.
            #expect(!FileManager.default.fileExists(atPath: "/proc/\(grandchild)"), "the setsid grandchild outlived the proxy")
        }

        /// The same with the CLI itself still running when SIGTERM comes (a hung CLI whose own child
        /// left for a session of its own).
        @Test func afterSIGTERMNoGrandchildOfARunningCLIOutlivesTheProxy() throws {
            let proxy = try ProxyProcess(cli: TestEnvironment.fakeCLI, arguments: ["--drain-timeout", "1"])
            defer { proxy.stop() }
            let tag = Thread { _ = proxy.chat(#"{"messages":[{"role":"user","content":"[[fake:setsidhang]]"}]}"#) }
            tag.start()
            var cli: Int32?
            #expect(ProcessTable.waitUntil { cli = proxy.children.first?.pid; return cli != nil })
            var grandchildren: [ProcessTable.Entry] = []
            #expect(ProcessTable.waitUntil {
                grandchildren = ProcessTable.entries().filter { $0.ppid == cli }
                return !grandchildren.isEmpty
            })
            kill(proxy.pid, SIGTERM)
            #expect(proxy.waitForExit() == 0)
            for entry in grandchildren {
                #expect(!FileManager.default.fileExists(atPath: "/proc/\(entry.pid)"), "process \(entry.pid) outlived the proxy")
            }
        }

    }
}
