import Foundation
import Glibc
import Testing
import HTTPStreamClient

extension Integration {
    /// The client leaving at any moment ends the CLI's whole process group; nothing is left
    /// behind: no child, no zombie, no temporary file.
    @Suite struct Hygiene {
        /// Leaves once the proxy has a CLI running and `ready()` holds; returns the CLI's pids.
        private func leave(_ proxy: ProxyProcess, body: String, whenStreamHas marker: String? = nil,
                           ready: @escaping () -> Bool = { true }) -> (CurlResponse, Set<Int32>) {
            var seen: Set<Int32> = []
            let record = { for child in proxy.children { seen.insert(child.pid) } }
            let response = proxy.chat(body, onChunk: { _, soFar in
                record()
                guard let marker else { return true }
                return !String(decoding: soFar, as: UTF8.self).contains(marker)
            }, onProgress: {
                record()
                return marker == nil && !seen.isEmpty && ready()
            })
            return (response, seen)
        }

        private func expectGone(_ pids: Set<Int32>, proxy: ProxyProcess, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(!pids.isEmpty, "no CLI was seen running", sourceLocation: sourceLocation)
            let gone = ProcessTable.waitUntil {
                proxy.children.isEmpty && ProcessTable.members(ofGroups: pids).isEmpty
            }
            #expect(gone, "left behind: \(ProcessTable.members(ofGroups: pids))", sourceLocation: sourceLocation)
            #expect(!ProcessTable.children(of: proxy.pid).contains { $0.state == "Z" }, sourceLocation: sourceLocation)
        }

        @Test(.needsRealCLI) func leavingMidStreamStopsTheCLI() throws {
            let proxy = try ProxyProcess()
            defer { proxy.stop() }
            let gate = "leave\(UInt32.random(in: 0...UInt32.max))"
            let (response, pids) = leave(proxy, body: chatBody("x", scenario: "gate:\(gate)", stream: true),
                                         whenStreamHas: "Hello")
            #expect(response.curlCode != 0, "the client was meant to abort")
            expectGone(pids, proxy: proxy)
            #expect(TestEnvironment.mock.release(gate: gate), "the upstream finished although the client left")
            #expect(proxy.log.contains("client left"))
        }

        @Test(.needsRealCLI) func leavingAWholeRequestStopsTheCLI() throws {
            let proxy = try ProxyProcess()
            defer { proxy.stop() }
            let gate = "leave\(UInt32.random(in: 0...UInt32.max))"
            let tag = "t\(gate)"
            let (response, pids) = leave(proxy, body: chatBody("x", scenario: "gate:\(gate)", tag: tag)) {
                !TestEnvironment.mock.requests(tag: tag).isEmpty
            }
            #expect(response.status == 0)
            expectGone(pids, proxy: proxy)
            #expect(TestEnvironment.mock.release(gate: gate), "the upstream finished although the client left")
        }

        @Test func aGrandchildThatIgnoresSIGTERMIsKilledToo() throws {
            let proxy = try ProxyProcess(cli: TestEnvironment.fakeCLI)
            defer { proxy.stop() }
            let (_, pids) = leave(proxy, body: #"{"messages":[{"role":"user","content":"[[fake:grandchild]]"}]}"#) {
                // Wait until the grandchild exists: two processes in the CLI's group.
                ProcessTable.members(ofGroups: Set(proxy.children.map(\.pid))).count >= 2
            }
            expectGone(pids, proxy: proxy)
        }

        @Test func sigtermEndsRunningRequestsAfterTheDrainAndLeavesNothing() throws {
            let proxy = try ProxyProcess(cli: TestEnvironment.fakeCLI, arguments: ["--drain-timeout", "1"])
            let results = Results()
            let done = DispatchSemaphore(value: 0)
            Thread.detachNewThread {
                results.add(proxy.chat(#"{"messages":[{"role":"user","content":"[[fake:hang]]"}]}"#))
                done.signal()
            }
            #expect(ProcessTable.waitUntil { !proxy.children.isEmpty })
            let pids = Set(proxy.children.map(\.pid))
            let runtime = try FileManager.default.contentsOfDirectory(atPath: proxy.tmpdir)
                .filter { $0.hasPrefix("claude-code-proxy.") }
            #expect(runtime.count == 1)
            kill(proxy.pid, SIGTERM)
            #expect(done.wait(timeout: .now() + 20) == .success)
            #expect(results.all.first?.status == 503)
            #expect(ProcessTable.waitUntil { ProcessTable.members(ofGroups: pids).isEmpty })
            #expect(proxy.waitForExit() == 0)
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: proxy.tmpdir)
                .filter { $0.hasPrefix("claude-code-proxy.") }
            #expect(leftovers.isEmpty, "the runtime directory was left behind")
            proxy.stop()
        }

        @Test(.needsRealCLI) func noPromptFileOutlivesItsRequest() throws {
            // Keeping nothing: a kept CLI's prompt file lives as long as it does.
            let proxy = try ProxyProcess(arguments: ["--max-parked", "0"])
            defer { proxy.stop() }
            #expect(proxy.chat(#"{"messages":[{"role":"system","content":"S"},{"role":"user","content":"a"}]}"#).status == 200)
            #expect(proxy.chat(chatBody("b", scenario: "err500")).status == 502)
            let runtime = try #require(try FileManager.default.contentsOfDirectory(atPath: proxy.tmpdir)
                .first { $0.hasPrefix("claude-code-proxy.") })
            let prompts = "\(proxy.tmpdir)/\(runtime)/prompts"
            #expect(ProcessTable.waitUntil { (try? FileManager.default.contentsOfDirectory(atPath: prompts))?.isEmpty == true })
        }
    }
}
