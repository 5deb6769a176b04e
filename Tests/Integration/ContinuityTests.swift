import Foundation
import Glibc
import HTTPStreamClient
import Testing

extension Integration {
    /// Conversations carried on in the CLI that is still running, and CLIs started ahead:
    /// through the real CLI, with the upstream seeing the real history.
    @Suite struct Continuity {
        static let weather = #"{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}"#
        static let time = #"{"type":"function","function":{"name":"get_time","parameters":{"type":"object","properties":{"zone":{"type":"string"}}}}}"#

        private func tag() -> String { "cont\(UInt32.random(in: 0...UInt32.max))" }

        private func json(_ object: Any) -> String {
            String(decoding: try! JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        }

        private func message(_ response: CurlResponse) -> [String: Any] {
            ((response.json["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any]) ?? [:]
        }

        /// The upstream messages of one tagged request, as (role, block types).
        private func shape(_ body: [String: Any]) -> [String] {
            (body["messages"] as? [[String: Any]] ?? []).filter { $0["role"] as? String != "system" }.map { message in
                let role = message["role"] as? String ?? "?"
                let types = (message["content"] as? [[String: Any]])?.compactMap { $0["type"] as? String } ?? ["text"]
                return "\(role):\(types.joined(separator: "+"))"
            }
        }

        @Test(.needsRealCLI) func aToolRoundTripResumesWithANativeToolResult() throws {
            let proxy = try ProxyProcess()
            defer { proxy.stop() }
            let tag = tag()
            let user = #"{"role":"user","content":"weather and time? [[scenario:tool_calls2]] [[id:\#(tag)]]"}"#
            let tools = "[\(Self.weather),\(Self.time)]"
            let first = proxy.chat(#"{"model":"sonnet","tools":\#(tools),"messages":[\#(user)]}"#)
            let assistant = message(first)
            let calls = try #require(assistant["tool_calls"] as? [[String: Any]])
            #expect(calls.count == 2)
            #expect(proxy.metric("ccp_parked_conversations") == 1)
            let results = calls.map { #"{"role":"tool","tool_call_id":"\#($0["id"] as! String)","content":"result for \#($0["id"] as! String)"}"# }
            let second = proxy.chat(#"{"model":"sonnet","tools":\#(tools),"messages":[\#(user),\#(json(assistant)),\#(results.joined(separator: ","))]}"#)
            #expect(second.status == 200, "\(second.text.prefix(300))")
            #expect((message(second)["content"] as? String)?.hasPrefix("The tool said: result for") == true)
            #expect(ProcessTable.waitUntil { proxy.log.contains("start=resumed") })
            #expect(proxy.metric("ccp_conversation_resumes_total{kind=\"tool_result\"}") == 1)
            let upstream = TestEnvironment.mock.requests(tag: tag)
            #expect(upstream.count == 2)
            // The model sees its own call and both results as real blocks, not a transcript.
            #expect(shape(upstream[1]) == ["user:text", "assistant:tool_use+tool_use", "user:tool_result+tool_result"],
                    "\(shape(upstream[1]))")
            #expect(proxy.children.count == 1, "one CLI served both requests")
        }

        /// A tool-result request queued behind a slow one, and timed out in the queue: its kept CLI
        /// is not lost (it was never taken), and the client's retry continues in it.
        @Test(.needsRealCLI) func aQueuedContinuationThatTimesOutLeavesItsCLIKept() throws {
            let proxy = try ProxyProcess(arguments: ["--max-concurrency", "1", "--queue-timeout", "2"])
            defer { proxy.stop() }
            let tag = tag()
            let user = #"{"role":"user","content":"weather? [[scenario:tool_call]] [[id:\#(tag)]]"}"#
            let first = proxy.chat(#"{"model":"sonnet","tools":[\#(Self.weather)],"messages":[\#(user)]}"#)
            let assistant = message(first)
            let call = try #require((assistant["tool_calls"] as? [[String: Any]])?.first?["id"] as? String)
            #expect(proxy.metric("ccp_parked_conversations") == 1)
            // A slow request takes the only place: its answer waits at a gate.
            let gate = "queued\(tag)"
            let slowTag = "slow\(tag)"
            let slow = Thread { _ = proxy.chat(chatBody("slow", scenario: "gate:\(gate)", tag: slowTag, stream: true)) }
            slow.start()
            #expect(ProcessTable.waitUntil { TestEnvironment.mock.requests(tag: slowTag).count == 1 })
            let results = #"{"role":"tool","tool_call_id":"\#(call)","content":"Sunny"}"#
            let body = #"{"model":"sonnet","tools":[\#(Self.weather)],"messages":[\#(user),\#(json(assistant)),\#(results)]}"#
            let queued = proxy.chat(body)
            #expect(queued.status == 429, "\(queued.text)")
            #expect(proxy.metric("ccp_parked_conversations") == 1, "the kept CLI is still kept")
            #expect(TestEnvironment.mock.release(gate: gate))
            #expect(ProcessTable.waitUntil { proxy.log.contains("status=200") && proxy.metric("ccp_requests_in_flight") == 0 })
            let retry = proxy.chat(body)
            #expect(retry.status == 200, "\(retry.text.prefix(300))")
            #expect((message(retry)["content"] as? String)?.hasPrefix("The tool said: Sunny") == true)
            #expect(proxy.metric("ccp_conversation_resumes_total{kind=\"tool_result\"}") == 1)
        }

        /// A chat UI's Stop: the client leaves mid-answer, the CLI's turn is interrupted and the CLI
        /// kept; the next turn, with the part of the answer the client got, continues in the same
        /// CLI (the same session id upstream) instead of starting cold.
        @Test(.needsRealCLI) func aStoppedStreamKeepsItsConversation() throws {
            let proxy = try ProxyProcess()
            defer { proxy.stop() }
            let tag = tag()
            let gate = "stop\(tag)"
            defer { _ = TestEnvironment.mock.release(gate: gate) }
            let earlier = #"{"role":"user","content":"hi"},{"role":"assistant","content":"Hi there."}"#
            let asked = #"{"role":"user","content":"tell me more [[scenario:gate:\#(gate)]] [[id:\#(tag)]]"}"#
            let stopped = proxy.chat(#"{"model":"sonnet","stream":true,"messages":[\#(earlier),\#(asked)]}"#,
                                     onChunk: { _, soFar in !String(decoding: soFar, as: UTF8.self).contains("Hello") })
            #expect(String(decoding: stopped.body, as: UTF8.self).contains("Hello"))
            #expect(ProcessTable.waitUntil { proxy.metric("ccp_parked_conversations") == 1 }, "\(proxy.log.suffix(1500))")
            #expect(proxy.log.contains("interrupting the CLI's turn"))
            let next = proxy.chat(#"{"model":"sonnet","messages":[\#(earlier),\#(asked),{"role":"assistant","content":"Hello"},"#
                                  + #"{"role":"user","content":"go on [[id:\#(tag)]]"}]}"#)
            #expect(next.status == 200, "\(next.text.prefix(300))")
            #expect(proxy.metric("ccp_conversation_resumes_total{kind=\"next_turn\"}") == 1)
            let upstream = TestEnvironment.mock.requests(tag: tag)
            #expect(upstream.count == 2)
            let sessions = upstream.compactMap { body -> String? in
                guard let metadata = body["metadata"] as? [String: Any], let user = metadata["user_id"] as? String,
                      let object = try? JSONSerialization.jsonObject(with: Data(user.utf8)) as? [String: Any] else { return nil }
                return object["session_id"] as? String
            }
            #expect(sessions.count == 2 && sessions[0] == sessions[1], "the same CLI: \(sessions)")
            // The upstream saw what the client saw: the partial answer, then the new turn.
            let texts = (upstream[1]["messages"] as? [[String: Any]] ?? []).map { "\($0)" }.joined()
            #expect(texts.contains("Hello") && texts.contains("go on"))
        }

        @Test(.needsRealCLI) func theNextTurnResumesWithNativeHistoryAndTheCacheMarker() throws {
            let proxy = try ProxyProcess()
            defer { proxy.stop() }
            let tag = tag()
            let user = #"{"role":"user","content":"hello [[scenario:count]] [[id:\#(tag)]]"}"#
            let first = proxy.chat(#"{"model":"sonnet","tools":[\#(Self.weather)],"messages":[\#(user)]}"#)
            let reply = try #require(message(first)["content"] as? String)
            let second = proxy.chat(#"{"model":"sonnet","tools":[\#(Self.weather)],"messages":[\#(user),{"role":"assistant","content":"\#(reply)"},{"role":"user","content":"and again [[scenario:count]] [[id:\#(tag)]]"}]}"#)
            #expect(second.status == 200)
            #expect(proxy.metric("ccp_conversation_resumes_total{kind=\"next_turn\"}") == 1)
            // The phase histograms tell the resumed turn from the cold one; a resumed CLI is not spawned.
            let chat = #"endpoint="/chat/completions""#
            #expect(proxy.metric("ccp_time_to_first_token_seconds_count{\(chat),start=\"cold\"}") == 1)
            #expect(proxy.metric("ccp_time_to_first_token_seconds_count{\(chat),start=\"resumed\"}") == 1)
            #expect(proxy.metric("ccp_spawn_seconds_count{\(chat),start=\"resumed\"}") == nil)
            let upstream = TestEnvironment.mock.requests(tag: tag)
            #expect(upstream.count == 2)
            #expect(shape(upstream[1]) == ["user:text", "assistant:text", "user:text"], "\(shape(upstream[1]))")
            let newest = ((upstream[1]["messages"] as? [[String: Any]])?.last { $0["role"] as? String == "user" }?["content"]
                as? [[String: Any]])?.last
            #expect(newest?["cache_control"] != nil, "the cache marker sits on the newest message")
        }

        @Test(.needsRealCLI) func anEditedEarlierMessageGoesColdAndTheUpstreamSeesTheEdit() throws {
            let proxy = try ProxyProcess()
            defer { proxy.stop() }
            let tag = tag()
            let first = proxy.chat(#"{"model":"sonnet","tools":[\#(Self.weather)],"messages":[{"role":"user","content":"original [[scenario:count]] [[id:\#(tag)]]"}]}"#)
            let reply = try #require(message(first)["content"] as? String)
            let edited = proxy.chat(#"{"model":"sonnet","tools":[\#(Self.weather)],"messages":[{"role":"user","content":"EDITED [[scenario:count]] [[id:\#(tag)]]"},{"role":"assistant","content":"\#(reply)"},{"role":"user","content":"next"}]}"#)
            #expect(edited.status == 200)
            #expect(proxy.metric("ccp_conversation_resumes_total{kind=\"next_turn\"}") == 0)
            let sent = json(TestEnvironment.mock.requests(tag: tag).last?["messages"] ?? [])
            #expect(sent.contains("EDITED") && !sent.contains("original"))
        }

        @Test(.needsRealCLI) func twoConversationsWithTheSameOpeningDoNotMix() throws {
            let proxy = try ProxyProcess()
            defer { proxy.stop() }
            let tag = tag()
            let opening = #"{"role":"user","content":"same opening [[scenario:count]] [[id:\#(tag)]]"}"#
            let a = try #require(message(proxy.chat(#"{"model":"sonnet","tools":[\#(Self.weather)],"messages":[\#(opening)]}"#))["content"] as? String)
            let b = try #require(message(proxy.chat(#"{"model":"sonnet","tools":[\#(Self.weather)],"messages":[\#(opening)]}"#))["content"] as? String)
            #expect(a != b)
            #expect(proxy.metric("ccp_parked_conversations") == 2)
            for (reply, word) in [(b, "second"), (a, "first")] {
                let next = proxy.chat(#"{"model":"sonnet","tools":[\#(Self.weather)],"messages":[\#(opening),{"role":"assistant","content":"\#(reply)"},{"role":"user","content":"\#(word) [[scenario:count]] [[id:\#(tag)]]"}]}"#)
                #expect(next.status == 200)
            }
            #expect(proxy.metric("ccp_conversation_resumes_total{kind=\"next_turn\"}") == 2)
            // Each continuation reached the CLI that gave its reply: the history it sent up has it.
            for body in TestEnvironment.mock.requests(tag: tag).suffix(2) {
                let messages = body["messages"] as? [[String: Any]] ?? []
                let assistant = json(messages.first { $0["role"] as? String == "assistant" } ?? [:])
                let user = json(messages.last { $0["role"] as? String == "user" } ?? [:])
                #expect(user.contains("second") ? assistant.contains(b) : assistant.contains(a), "\(assistant) / \(user)")
            }
        }

        @Test(.needsRealCLI) func anAbandonedToolCallEndsAfterTheParkTimeout() throws {
            let proxy = try ProxyProcess(arguments: ["--park-timeout", "1"])
            defer { proxy.stop() }
            let first = proxy.chat(#"{"model":"sonnet","tools":[\#(Self.weather)],"messages":[{"role":"user","content":"x [[scenario:tool_call]]"}]}"#)
            #expect(first.status == 200)
            #expect(proxy.children.count == 1)
            #expect(ProcessTable.waitUntil { proxy.children.isEmpty }, "the parked CLI outlived --park-timeout")
            #expect(proxy.metric("ccp_parked_evictions_total") == 1)
            #expect(proxy.metric("ccp_parked_conversations") == 0)
            let prompts = proxy.runtimeDirectories.map { "\($0)/prompts" }
            #expect(ProcessTable.waitUntil {
                prompts.allSatisfy { (try? FileManager.default.contentsOfDirectory(atPath: $0))?.isEmpty ?? true }
            })
        }

        @Test(.needsRealCLI) func aWarmHitHonoursEachRequestsOwnSystemPrompt() throws {
            let proxy = try ProxyProcess(arguments: ["--warm-pool", "1", "--max-parked", "0"])
            defer { proxy.stop() }
            let tag = tag()
            func ask(_ system: String) -> CurlResponse {
                proxy.chat(#"{"model":"sonnet","messages":[{"role":"system","content":"\#(system)"},{"role":"user","content":"x [[scenario:echo]] [[id:\#(tag)]]"}]}"#)
            }
            #expect(ask("Be terse.").status == 200)
            #expect(ProcessTable.waitUntil { proxy.metric("ccp_warm_processes") == 1 }, "no warm CLI was started")
            let warm = ask("Be terse.")
            #expect(warm.status == 200)
            #expect(proxy.metric("ccp_warm_hits_total") == 1)
            #expect(ProcessTable.waitUntil { proxy.log.contains("start=warm") })
            #expect(proxy.metric(#"ccp_time_to_first_token_seconds_count{endpoint="/chat/completions",start="warm"}"#) == 1)
            let other = ask("Be verbose.")
            #expect(other.status == 200)
            let systems = TestEnvironment.mock.requests(tag: tag).map { json($0["system"] ?? []) }
            #expect(systems.count == 3)
            #expect(systems[1].contains("Be terse.") && systems[2].contains("Be verbose.") && !systems[2].contains("Be terse."))
        }

        @Test(.needsRealCLI) func sigtermLeavesNothingBehind() throws {
            let proxy = try ProxyProcess(arguments: ["--warm-pool", "1"])
            _ = proxy.chat(#"{"model":"sonnet","tools":[\#(Self.weather)],"messages":[{"role":"user","content":"x [[scenario:tool_call]]"}]}"#)
            #expect(ProcessTable.waitUntil { proxy.children.count == 2 }, "a parked and a warm CLI: \(proxy.children.count)")
            let groups = Set(proxy.children.map(\.pid))
            let runtime = try #require(proxy.runtimeDirectories.first)
            kill(proxy.pid, SIGTERM)
            #expect(proxy.waitForExit() == 0)
            #expect(ProcessTable.waitUntil(seconds: 5) { ProcessTable.members(ofGroups: groups).isEmpty })
            #expect(!FileManager.default.fileExists(atPath: runtime))
            proxy.stop()
        }
    }
}
