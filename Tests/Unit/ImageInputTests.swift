import Foundation
import Testing
@testable import ProxyCore
@testable import OpenAIFront
@testable import EventTransport
@testable import ChildProcesses
@testable import ProxyDaemon

let onePixelPNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="

struct ImageInputTests {
    private func error(_ url: String) -> OpenAIError? {
        do { _ = try ImageInput(url: url, param: "p"); return nil } catch { return error }
    }

    @Test func acceptsInlineImagesOfTheFourTypes() throws {
        let png = try ImageInput(url: "data:image/png;base64,\(onePixelPNG)", param: "p")
        #expect(png.mediaType == "image/png")
        let gif = Data("GIF89a....".utf8).base64EncodedString()
        #expect(try ImageInput(url: "data:image/gif;base64,\(gif)", param: "p").mediaType == "image/gif")
        let jpeg = Data([0xff, 0xd8, 0xff, 0xe0, 0, 0]).base64EncodedString()
        #expect(try ImageInput(url: "data:image/jpeg;base64,\(jpeg)", param: "p").mediaType == "image/jpeg")
    }

    @Test func refusesWhatItCannotSendWithAReason() {
        #expect(error("https://example.com/cat.png")?.code == "unsupported_image_url")
        #expect(error("https://example.com/cat.png")?.message.contains("never fetches") == true)
        #expect(error("data:image/bmp;base64,AAAA")?.code == "invalid_image_format")
        #expect(error("data:image/png,rawbytes")?.code == "invalid_image_format")
        #expect(error("data:image/png;base64,@@@@")?.code == "invalid_image")
        #expect(error("data:image/jpeg;base64,\(onePixelPNG)")?.code == "invalid_image")
        let huge = String(repeating: "A", count: (ImageInput.maxBytes / 3 + 10) * 4)
        #expect(error("data:image/png;base64,\(huge)")?.code == "image_too_large")
        #expect(error("file-abc")?.status == 400)
    }

    @Test func imagesBecomeBase64BlocksInTheInputLine() throws {
        let body = #"{"messages":[{"role":"user","content":[{"type":"text","text":"what is this"},{"type":"image_url","image_url":{"url":"data:image/png;base64,\#(onePixelPNG)","detail":"high"}}]}]}"#
        let request = try RequestDecoder.decode(ChatCompletionRequest.self, from: Array(body.utf8))
        let line = jsonObject(Prompt(try Conversation(chatMessages: request.messages)).stdinLine)
        let content = try #require((line["message"] as? [String: Any])?["content"] as? [[String: Any]])
        #expect(content.map { $0["type"] as? String } == ["text", "image"])
        let source = try #require(content[1]["source"] as? [String: Any])
        #expect(source["type"] as? String == "base64")
        #expect(source["media_type"] as? String == "image/png")
        #expect(source["data"] as? String == onePixelPNG)
    }

    @Test func historyImagesFollowTheTranscriptMarkedWhereTheyWereSent() throws {
        let image = Conversation.Block.image(ImageInput(mediaType: "image/png", base64: onePixelPNG))
        let conversation = Conversation(turns: [
            .init(role: .user, blocks: [.text("look"), image]), .init(role: .assistant, texts: ["a cat"]),
            .init(role: .user, texts: ["and now?"]),
        ])
        let blocks = Prompt(conversation).userBlocks
        #expect(blocks.count == 2)
        #expect(blocks.last == image)
        guard case .text(let text) = blocks.first else { Issue.record(); return }
        #expect(text.contains("look\n[image 1]"))
    }

    @Test func responsesInputImageAndLimits() throws {
        let body = #"{"input":[{"role":"user","content":[{"type":"input_image","image_url":"data:image/png;base64,\#(onePixelPNG)"}]}]}"#
        let request = try RequestDecoder.decode(ResponsesRequest.self, from: Array(body.utf8))
        let prompt = Prompt(try Conversation(responsesInput: request.input, instructions: nil))
        #expect(prompt.userBlocks.count == 1)
        let part = #"{"type":"image_url","image_url":{"url":"data:image/png;base64,\#(onePixelPNG)"}}"#
        let many = #"{"messages":[{"role":"user","content":[\#(Array(repeating: part, count: 21).joined(separator: ","))]}]}"#
        let tooMany = try RequestDecoder.decode(ChatCompletionRequest.self, from: Array(many.utf8))
        #expect(throws: OpenAIError.self) { try Conversation(chatMessages: tooMany.messages) }
        let system = #"{"messages":[{"role":"system","content":[\#(part)]},{"role":"user","content":"x"}]}"#
        let inSystem = try RequestDecoder.decode(ChatCompletionRequest.self, from: Array(system.utf8))
        #expect(throws: OpenAIError.self) { try Conversation(chatMessages: inSystem.messages) }
    }
}
