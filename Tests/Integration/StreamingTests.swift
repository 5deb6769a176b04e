import Foundation
import Testing
import HTTPStreamClient

extension Integration {
    /// Token-level streaming, proven by order rather than by clock: the mock holds its second
    /// delta back until the test has received the first one through the proxy.
    @Suite struct Streaming {
        @Test(.needsRealCLI, arguments: ["/v1/chat/completions", "/v1/responses"])
        func eachDeltaReachesTheClientBeforeTheUpstreamSendsTheNext(path: String) throws {
            let proxy = try ProxyProcess()
            defer { proxy.stop() }
            let gate = "g\(UInt32.random(in: 0...UInt32.max))"
            var releasedWhileWaiting: Bool?
            var releaseTime: Double?
            let body = path.hasSuffix("responses")
                ? #"{"stream":true,"input":"count [[scenario:gate:\#(gate)]]"}"#
                : chatBody("count", scenario: "gate:\(gate)", stream: true)
            let response = CurlClient.json("POST", proxy.baseURL + path, key: ProxyProcess.key, body: body) { chunk, soFar in
                if releasedWhileWaiting == nil, String(decoding: soFar, as: UTF8.self).contains("Hello") {
                    releasedWhileWaiting = TestEnvironment.mock.release(gate: gate)
                    releaseTime = chunk.seconds
                }
                return true
            }
            #expect(response.status == 200)
            #expect(releasedWhileWaiting == true, "the first delta only arrived after the upstream had finished")
            let text = response.text
            #expect(text.contains("Hello") && text.contains(" mock."))
            // The later deltas arrived in chunks of their own, after the release.
            let afterRelease = response.chunks.filter { $0.seconds >= (releaseTime ?? .infinity) }
            #expect(afterRelease.contains { String(decoding: $0.bytes, as: UTF8.self).contains(" mock.") })
            let firstChunk = try #require(response.chunks.first { String(decoding: $0.bytes, as: UTF8.self).contains("Hello") })
            let lastChunk = try #require(response.chunks.last { String(decoding: $0.bytes, as: UTF8.self).contains(" mock.") })
            #expect(firstChunk.seconds < lastChunk.seconds)
        }

        @Test(.needsRealCLI) func multibyteTextSurvivesSplitting() throws {
            let proxy = try ProxyProcess()
            defer { proxy.stop() }
            let response = proxy.chat(chatBody("u", scenario: "utf8", stream: true))
            let text = response.streamedContent
            #expect(text == "héllo 😀 世界 done")
        }

        @Test(.needsRealCLI) func sixteenParallelStreams() throws {
            let proxy = try ProxyProcess()
            defer { proxy.stop() }
            let results = Results()
            let group = DispatchGroup()
            for index in 0..<16 {
                group.enter()
                Thread.detachNewThread {
                    let response = proxy.chat(chatBody("parallel \(index)", stream: true))
                    results.add(response)
                    group.leave()
                }
            }
            #expect(group.wait(timeout: .now() + 100) == .success)
            let responses = results.all
            #expect(responses.count == 16)
            for response in responses {
                #expect(response.status == 200)
                #expect(response.dataLines.last == "[DONE]")
                #expect(response.text.contains(" mock."))
            }
            // Every CLI ended but the conversations kept, at most --max-parked (4).
            #expect(ProcessTable.waitUntil {
                proxy.children.count <= 4 && Double(proxy.children.count) == proxy.metric("ccp_parked_conversations")
            }, "\(proxy.children.count) CLIs")
        }
    }
}

final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var responses: [CurlResponse] = []
    func add(_ response: CurlResponse) { lock.lock(); responses.append(response); lock.unlock() }
    var all: [CurlResponse] { lock.lock(); defer { lock.unlock() }; return responses }
}
