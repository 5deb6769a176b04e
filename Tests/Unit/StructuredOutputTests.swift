import Foundation
import Testing
@testable import ProxyCore
@testable import OpenAIFront
@testable import EventTransport
@testable import ChildProcesses
@testable import ProxyDaemon

struct StructuredOutputTests {
    private func turn(_ name: String, streaming: Bool = false) throws -> [TurnEvent] {
        var reducer = TurnReducer(isStructured: true, streamsStructured: streaming)
        // 06l was recorded with the default tools; the isolated profile reports only StructuredOutput.
        return try Fixture.events(name).flatMap { event in
            if case .initialized(let report) = event {
                return reducer.events(for: .initialized(CLIInitReport(
                    model: report.model, tools: report.tools.filter { $0 == "StructuredOutput" }, mcpServers: [])))
            }
            return reducer.events(for: event)
        } + reducer.endOfOutput(exitStatus: .exited(0))
    }

    @Test func theAnswerIsExactlyTheStructuredValue() throws {
        let events = try turn("10i_rec_json_schema_maxturns1")
        let text = events.compactMap { if case .text(let t) = $0 { t } else { nil } }
        #expect(text == [#"{"name":"Alice","age":30}"#])
        guard case .completed(let completion) = events.last else { Issue.record("\(events)"); return }
        #expect(completion.finishReason == .stop)
    }

    /// A stream gets the value's JSON as the model writes it, in pieces, and that text decodes to
    /// the value the CLI validated; the whole reply above keeps the CLI's own text of it.
    @Test func aStreamGetsTheValueAsItIsWritten() throws {
        let events = try turn("10i_rec_json_schema_maxturns1", streaming: true)
        let text = events.compactMap { if case .text(let t) = $0 { t } else { nil } }
        #expect(text.count > 1, "in pieces: \(text)")
        #expect(text.joined() == #"{"name": "Alice", "age": 30}"#)
        guard case .completed(let completion) = events.last else { Issue.record("\(events)"); return }
        #expect(completion.finishReason == .stop)
        #expect(events.filter { if case .completed = $0 { true } else { false } }.count == 1)
    }

    @Test func aStreamedValueThatIsNotTheValidatedOneFailsTheTurn() throws {
        var reducer = TurnReducer(isStructured: true, streamsStructured: true)
        var events = reducer.events(for: .stream(messageID: "m1", .started(id: "m1", model: "m", usage: AnthropicUsage(inputTokens: nil, outputTokens: 0))))
        events += reducer.events(for: .stream(messageID: "m1", .contentBlockStart(index: 0, .toolUse(id: "t1", name: "StructuredOutput", input: .object([:])))))
        events += reducer.events(for: .stream(messageID: "m1", .contentBlockDelta(index: 0, .inputJSON(#"{"a": 1}"#))))
        events += reducer.events(for: .stream(messageID: "m1", .contentBlockStop(index: 0)))
        var result = try #require(try Fixture.events("10i_rec_json_schema_maxturns1").compactMap {
            if case .result(let result) = $0 { result } else { nil }
        }.first)
        result.structuredOutput = .object(["a": .number(2)])
        events += reducer.events(for: .result(result))
        #expect(events.contains(.text(#"{"a": 1}"#)))
        #expect(events.last == .failed(.restartedAfterOutput))
    }

    @Test func aTextReplyInsteadOfTheValueIsAnErrorNotFreeText() throws {
        let events = try turn("06l_json_schema_text_reply")
        #expect(!events.contains { if case .text = $0 { true } else { false } })
        #expect(events.last == .failed(.structuredOutputMissing))
        #expect(TurnFailure.structuredOutputMissing.openAIError.status == 502)
    }

    @Test func onlyTheStructuredOutputToolIsAllowed() {
        var structured = TurnReducer(isStructured: true)
        #expect(structured.events(for: .initialized(CLIInitReport(model: "m", tools: ["StructuredOutput"], mcpServers: []))) == [])
        var plain = TurnReducer()
        #expect(plain.events(for: .initialized(CLIInitReport(model: "m", tools: ["StructuredOutput"], mcpServers: []))).count == 1)
        var sneaky = TurnReducer(isStructured: true)
        #expect(sneaky.events(for: .initialized(CLIInitReport(model: "m", tools: ["StructuredOutput", "Bash"], mcpServers: []))).count == 1)
    }

    @Test func formatsBecomeTheSchemaFlag() throws {
        func job(_ extra: String) throws -> CompletionPlan {
            let body = #"{"messages":[{"role":"user","content":"x"}]\#(extra)}"#
            return try CompletionPlan(chat: RequestDecoder.decode(ChatCompletionRequest.self, from: Array(body.utf8)),
                                     defaultModel: "sonnet", now: 0)
        }
        #expect(try job(#","response_format":{"type":"json_object"}"#).options.jsonSchema == #"{"type":"object"}"#)
        #expect(try job(#","response_format":{"type":"text"}"#).options.jsonSchema == nil)
        let schema = try job(#","response_format":{"type":"json_schema","json_schema":{"name":"p","strict":true,"schema":{"type":"object","properties":{"age":{"type":"integer"}}}}}"#)
        #expect(schema.options.jsonSchema == #"{"properties":{"age":{"type":"integer"}},"type":"object"}"#)
        #expect(throws: OpenAIError.self) { try job(#","response_format":{"type":"json_schema","json_schema":{"schema":{"type":"array"}}}"#) }
        #expect(throws: OpenAIError.self) { try job(#","response_format":{"type":"yaml"}"#) }
        let responses = try CompletionPlan(responses: RequestDecoder.decode(ResponsesRequest.self, from: Array(
            #"{"input":"x","text":{"format":{"type":"json_schema","name":"p","schema":{"type":"object"}}}}"#.utf8)),
                                          defaultModel: "sonnet", now: 0)
        #expect(responses.options.jsonSchema == #"{"type":"object"}"#)
        let invocation = CLIProfile.fixture.invocation(model: "sonnet", systemPromptFile: "/p",
                                                       options: responses.options)
        #expect(invocation.arguments.suffix(2) == ["--json-schema", #"{"type":"object"}"#])
    }
}
