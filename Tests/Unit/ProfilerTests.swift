import ArgumentParser
import Testing
@testable import Bench
@testable import Profiler
@testable import ProxyCore

/// The profiler's pure parts: the stream reader, the Server-Timing parser, the statistics, the
/// request plan, the report, and the command line.
@Suite struct ProfilerTests {
    @Test func serverTimingIsReadWithOrWithoutSpaces() {
        let timing = ServerTiming(parsing: "queue;dur=1.2, spawn;dur=1.6,cli;desc=\"CLI\";dur=230, miss")
        #expect(timing.entries.map(\.name) == ["queue", "spawn", "cli", "miss"])
        #expect(timing["queue"] == 1.2)
        #expect(timing["cli"] == 230)
        #expect(timing["miss"] == 0)
        #expect(timing["total"] == nil)
    }

    static let chatStream = """
        data: {"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}

        data: {"choices":[{"index":0,"delta":{"content":"Hel"}}]}

        data: {"choices":[{"index":0,"delta":{"reasoning_content":"hm"}}]}

        data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{}"}}]}}]}

        data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}

        data: {"choices":[],"usage":{"completion_tokens":7,"prompt_tokens":3}}

        data: [DONE]

        : server-timing queue;dur=0.5, first_token;dur=240.0

        """

    @Test func theReaderTimesEveryPieceOfAnswerWhereverChunksAreCut() {
        let bytes = Array(Self.chatStream.utf8)
        for size in [1, 2, 7, 64, bytes.count] {
            var reader = CompletionStreamReader(endpoint: .chat)
            var offset = 0, tick = 0.0
            while offset < bytes.count {
                let end = min(offset + size, bytes.count)
                reader.read(bytes[offset..<end], at: tick)
                offset = end
                tick += 1
            }
            #expect(reader.tokenTimes.count == 3, "role chunk and empty deltas are not answer (chunk size \(size))")
            #expect(reader.outputTokens == 7)
            #expect(reader.sawDone)
            #expect(reader.serverTiming?["first_token"] == 240)
            #expect(reader.streamError == nil)
        }
    }

    @Test func theReaderTakesTheTimeOfTheChunkThatCompletedTheEvent() {
        var reader = CompletionStreamReader(endpoint: .chat)
        reader.read(Array(#"data: {"choices":[{"delta":{"content":"a"}}]}"#.utf8), at: 1)
        #expect(reader.tokenTimes.isEmpty, "not before its blank line")
        reader.read(Array("\r\n\r\n".utf8), at: 2)
        #expect(reader.tokenTimes == [2])
    }

    @Test func theReaderKnowsResponsesEventsAndErrors() {
        var reader = CompletionStreamReader(endpoint: .responses)
        let stream = """
            event: response.created
            data: {"type":"response.created","response":{}}

            event: response.output_text.delta
            data: {"type":"response.output_text.delta","delta":"Hi"}

            event: response.output_text.delta
            data: {"type":"response.output_text.delta","delta":""}

            event: response.completed
            data: {"type":"response.completed","response":{"usage":{"output_tokens":4}}}


            """
        reader.read(Array(stream.utf8), at: 0.5)
        #expect(reader.tokenTimes == [0.5])
        #expect(reader.outputTokens == 4)
        var failing = CompletionStreamReader(endpoint: .chat)
        failing.read(Array(#"data: {"error":{"message":"overloaded","type":"server_error","code":null}}"#.utf8 + [10, 10]), at: 0)
        #expect(failing.streamError == "overloaded")
    }

    @Test func percentilesOfKnownData() {
        // 1 ms … 100 ms.
        let values = (1...100).map { Double($0) / 1000 }
        let summary = LatencySummary(seconds: values)!
        #expect(summary.count == 100)
        #expect(abs(summary.mean - 0.0505) < 1e-9)
        #expect(abs(summary.p50 - 0.050) < 0.0001)
        #expect(abs(summary.p90 - 0.090) < 0.0001)
        #expect(abs(summary.p99 - 0.099) < 0.0001)
        #expect(summary.max == 0.1)
        #expect(LatencySummary(seconds: []) == nil)
        let one = LatencySummary(seconds: [0.2345])!
        #expect(abs(one.p50 - 0.2345) < 0.0002, "three significant digits")
    }

    @Test func theBootstrapIntervalHoldsTheMedianAndNarrowsWithData() {
        let constant = PairedComparison(differences: [Double](repeating: -0.15, count: 30))!
        #expect(constant.medianDifference == -0.15)
        #expect(constant.low == -0.15 && constant.high == -0.15)
        #expect(constant.isSignificant)
        var generator = SplitMix64(seed: 7)
        func noise() -> Double { Double(generator.next() % 1000) / 1000 - 0.5 }
        let small = PairedComparison(differences: (0..<10).map { _ in 0.01 + noise() })!
        let large = PairedComparison(differences: (0..<400).map { _ in 0.01 + noise() })!
        for comparison in [small, large] {
            #expect(comparison.low <= comparison.medianDifference && comparison.medianDifference <= comparison.high)
        }
        #expect(large.high - large.low < small.high - small.low)
        #expect(!PairedComparison(differences: [-1, 1, -1, 1, -1, 1, 0.5, -0.5])!.isSignificant)
        #expect(PairedComparison.median([3, 1, 2]) == 2)
        #expect(PairedComparison.median([4, 1, 2, 3]) == 2.5)
        #expect(PairedComparison(differences: [1, 2, 3], seed: 9) == PairedComparison(differences: [1, 2, 3], seed: 9))
    }

    @Test func thePlanBuildsEachAPIsStreamedBody() throws {
        let chat = BenchPlan(endpoint: .chat, model: "haiku", maxTokens: 16, prompts: [.text("a"), .text("b")])
        #expect(chat.url(base: "http://h:1/v1/") == "http://h:1/v1/chat/completions")
        #expect(chat.url(base: "http://h:1/v1/chat/completions") == "http://h:1/v1/chat/completions")
        let body = try WireJSON.decode(JSONValue.self, from: chat.body(index: 3))
        #expect(body == .object([
            "model": .string("haiku"), "stream": .bool(true), "max_tokens": .number(16),
            "stream_options": .object(["include_usage": .bool(true)]),
            "messages": .array([.object(["role": .string("user"), "content": .string("b")])]),
        ]))
        let responses = BenchPlan(endpoint: .responses, model: "sonnet", maxTokens: nil, prompts: [.text("x")])
        #expect(responses.url(base: "http://h:1/v1") == "http://h:1/v1/responses")
        #expect(try WireJSON.decode(JSONValue.self, from: responses.body(index: 0))
                == .object(["model": .string("sonnet"), "stream": .bool(true), "input": .string("x")]))
    }

    @Test func promptsFileLines() throws {
        let prompts = try BenchPlan.prompts(jsonLines: """
            {"prompt": "one"}

            "two"
            {"messages": [{"role": "user", "content": "three"}]}
            """)
        #expect(prompts.count == 3)
        #expect(prompts[1] == .text("two"))
        #expect(throws: BenchPlan.PlanError.badLine(2)) { try BenchPlan.prompts(jsonLines: "{\"prompt\":\"a\"}\n{\"x\":1}") }
        #expect(throws: BenchPlan.PlanError.emptyPrompts) { try BenchPlan.prompts(jsonLines: "\n\n") }
    }

    static func sample(target: Int = 0, index: Int, sent: Double, tokens: [Double], ended: Double, status: Int = 200,
                       outputTokens: Int? = nil) -> RequestSample {
        RequestSample(target: target, index: index, concurrency: 2, sent: sent, firstByte: tokens.first,
                      tokenTimes: tokens, ended: ended, status: status, outputTokens: outputTokens,
                      serverTiming: ServerTiming(parsing: "queue;dur=1, cli;dur=200"), error: status == 200 ? nil : "HTTP \(status)")
    }

    @Test func theReportsFiguresFromSamples() {
        let samples = [
            Self.sample(index: 0, sent: 0, tokens: [0.3, 0.32, 0.34], ended: 0.4, outputTokens: 5),
            Self.sample(index: 1, sent: 0, tokens: [0.5, 0.6], ended: 1.0),
            Self.sample(index: 2, sent: 0.5, tokens: [], ended: 0.6, status: 503),
        ]
        let report = BenchReport(settings: .init(urls: ["u"], endpoint: .chat, model: "m", maxTokens: nil, rate: nil, warmup: 0),
                                 samples: samples)
        let figures = report.levels[0].targets[0]
        #expect(figures.requests == 3 && figures.succeeded == 2)
        #expect(figures.errors == ["503": 1])
        #expect(abs(figures.ttft!.mean - 0.4) < 1e-9)
        #expect(abs(figures.endToEnd!.max - 1.0) < 1e-9)
        #expect(figures.interToken!.count == 3)
        // (0.4 - 0.3) / (5 - 1) and (1.0 - 0.5) / (2 - 1)
        #expect(abs(figures.timePerOutputToken!.mean - (0.025 + 0.5) / 2) < 1e-9)
        #expect(abs(figures.outputTokensPerSecond - 7.0) < 1e-9, "5 + 2 tokens over the 1 s the run took")
        #expect(figures.phases.map(\.name) == ["queue", "cli"])
        #expect(abs(figures.phases[1].summary.p50 - 0.2) < 0.001)
        let table = TableReport.render(report)
        #expect(table.contains("2/3 ok"))
        #expect(table.contains("errors by status: 503×1"))
        #expect(table.contains("server phases (Server-Timing):"))
        let html = HTMLReport.render(report)
        #expect(html.hasPrefix("<!doctype html>"))
        #expect(html.contains("<svg") && !html.contains("<script"), "self-contained, no script")
    }

    @Test func pairsAreComparedByTheirIndex() {
        var samples: [RequestSample] = []
        for index in 0..<20 {
            samples.append(Self.sample(target: 0, index: index, sent: Double(index), tokens: [Double(index) + 0.3], ended: Double(index) + 0.5))
            samples.append(Self.sample(target: 1, index: index, sent: Double(index), tokens: [Double(index) + 0.1], ended: Double(index) + 0.4))
        }
        let report = BenchReport(settings: .init(urls: ["a", "b"], endpoint: .chat, model: "m", maxTokens: nil, rate: nil, warmup: 0),
                                 samples: samples)
        let comparison = report.levels[0].comparison!
        #expect(abs(comparison.ttft!.medianDifference + 0.2) < 1e-9)
        #expect(abs(comparison.endToEnd!.medianDifference + 0.1) < 1e-9)
        #expect(comparison.ttft!.pairs == 20)
        #expect(TableReport.render(report).contains("-200.0 ms"))
    }

    @Test func figuresPrintWithoutFoundation() {
        #expect(Figure.fixed(1.25, 1) == "1.3")
        #expect(Figure.fixed(-0.04, 1) == "-0.0" || Figure.fixed(-0.04, 1) == "0.0")
        #expect(Figure.fixed(-12.345, 2) == "-12.35")
        #expect(Figure.fixed(3, 0) == "3")
        #expect(Figure.ms(0.0123) == "12.3")
        #expect(Figure.ms(nil) == "-")
    }

    @Test func theCommandLine() throws {
        let command = try BenchCommand.parse(["--url", "http://127.0.0.1:1/v1", "--requests", "5", "--concurrency", "3",
                                              "--endpoint", "responses", "--compare", "http://127.0.0.1:2/v1"])
        #expect(command.requests == 5 && command.concurrency == 3 && command.endpoint == .responses)
        #expect(try command.levels() == [3])
        #expect(try BenchCommand.parse(["--url", "http://x/v1", "--sweep", "1, 2,4"]).levels() == [1, 2, 4])
        for bad in [["--url", "ftp://x"], ["--url", "http://x", "--concurrency", "0"], ["--url", "http://x", "--sweep", "1,a"],
                    ["--url", "http://x", "--rate", "0"], ["--url", "http://x", "--endpoint", "completions"]] {
            #expect(throws: (any Error).self) { try BenchCommand.parse(bad) }
        }
    }
}
