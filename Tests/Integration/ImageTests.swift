import Foundation
import Testing

extension Integration {
    @Suite struct Images {
        static let png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="

        @Test(.needsRealCLI) func inlineImagesReachTheModelAsImageBlocks() throws {
            let proxy = try ProxyProcess()
            defer { proxy.stop() }
            let tag = "img\(UInt32.random(in: 0...UInt32.max))"
            let chat = proxy.chat(#"{"messages":[{"role":"user","content":[{"type":"text","text":"what is it [[id:\#(tag)]]"},{"type":"image_url","image_url":{"url":"data:image/png;base64,\#(Self.png)"}}]}]}"#)
            #expect(chat.status == 200)
            let upstream = try #require(TestEnvironment.mock.requests(tag: tag).first)
            let user = (upstream["messages"] as? [[String: Any]])?.first { $0["role"] as? String == "user" }
            let blocks = user?["content"] as? [[String: Any]] ?? []
            let image = try #require(blocks.first { $0["type"] as? String == "image" })
            let source = image["source"] as? [String: Any]
            #expect(source?["media_type"] as? String == "image/png")
            #expect(source?["data"] as? String == Self.png)

            let rtag = "rimg\(UInt32.random(in: 0...UInt32.max))"
            let responses = proxy.responses(#"{"input":[{"role":"user","content":[{"type":"input_text","text":"and this [[id:\#(rtag)]]"},{"type":"input_image","image_url":"data:image/png;base64,\#(Self.png)"}]}]}"#)
            #expect(responses.status == 200)
            #expect(TestEnvironment.mock.requests(tag: rtag).count == 1)
        }

        @Test func remoteURLsAreRefusedWithAReason() throws {
            let proxy = try ProxyProcess(cli: TestEnvironment.fakeCLI)
            defer { proxy.stop() }
            let response = proxy.chat(#"{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://example.com/a.png"}}]}]}"#)
            #expect(response.status == 400)
            #expect(response.error?["code"] as? String == "unsupported_image_url")
            #expect(!proxy.log.contains("CLI started"))
        }
    }
}
