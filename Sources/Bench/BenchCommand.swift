import SystemCalls
import ArgumentParser
import Profiler
import ProxyCore
#if canImport(Glibc)
import Glibc
#endif

/// `claude-code-proxy bench`: drives any OpenAI-compatible endpoint with streamed requests and
/// reports time to first token, inter-token latency, time per output token, end-to-end latency
/// and throughput, with the server's own phases when it sends `Server-Timing`.
package struct BenchCommand: ParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure an OpenAI-compatible endpoint: time to first token, inter-token latency, throughput.",
        discussion: """
            Every request is streamed and timed by the chunk as it arrives (libcurl's multi interface, one thread). \
            With --compare the same requests go to a second endpoint, interleaved in pairs in one run, and the \
            paired differences' median is given with a bootstrap 95 % interval. The API key comes from --api-key, \
            --api-key-file, or BENCH_API_KEY / OPENAI_API_KEY / PROXY_API_KEY.
            """)

    @Option(help: "The endpoint's base URL, e.g. http://127.0.0.1:8080/v1.")
    package var url: String

    @Option(help: "A second base URL: the same requests go to both, in pairs.")
    package var compare: String?

    @Option(help: "The bearer key (prefer --api-key-file or the environment).")
    package var apiKey: String?

    @Option(help: "A file whose first line is the bearer key.")
    package var apiKeyFile: String?

    @Option(help: "The --compare endpoint's key, when it differs.")
    package var compareApiKey: String?

    @Option(help: "chat (/chat/completions) or responses (/responses).")
    package var endpoint: CompletionStreamReader.Endpoint = .chat

    @Option(help: "The model to ask for.")
    package var model = "sonnet"

    @Option(help: "The prompt every request sends.")
    package var prompt = "Say hello in one short sentence."

    @Option(help: "JSON Lines of prompts, taken in turn: {\"prompt\": …}, {\"messages\": […]} or a JSON string.")
    package var prompts: String?

    @Option(help: "max_tokens (chat) or max_output_tokens (responses) for each request.")
    package var maxTokens: Int?

    @Option(help: "Requests counted per endpoint and level. (default: 50, or no cap with --duration)")
    package var requests: Int?

    @Option(help: "Requests in flight at once.")
    package var concurrency = 1

    @Option(help: "Requests started per second, at Poisson arrivals (capped by --concurrency when given).")
    package var rate: Double?

    @Option(help: "Comma-separated concurrency levels run in turn, e.g. 1,2,4,8.")
    package var sweep: String?

    @Option(help: "Requests sent first to each endpoint and not counted.")
    package var warmup = 0

    @Option(help: "Seconds after which no new request starts.")
    package var duration: Double?

    @Option(help: "Seconds one request may take.")
    package var timeout = 300.0

    @Option(help: "Write every figure and every request's raw timings as JSON here.")
    package var json: String?

    @Option(help: "Write a self-contained HTML report here.")
    package var html: String?

    @Option(help: "Seed of the Poisson arrivals and the bootstrap.")
    package var seed: UInt64 = 1

    @Flag(help: "No progress line.")
    package var quiet = false

    package init() {}

    package func validate() throws {
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw ValidationError("--url must be an http:// or https:// URL")
        }
        if let compare, !(compare.hasPrefix("http://") || compare.hasPrefix("https://")) {
            throw ValidationError("--compare must be an http:// or https:// URL")
        }
        guard concurrency >= 1 else { throw ValidationError("--concurrency must be at least 1") }
        if let requests, requests < 1 { throw ValidationError("--requests must be at least 1") }
        if let rate, !(rate > 0) { throw ValidationError("--rate must be above 0") }
        if let duration, !(duration > 0) { throw ValidationError("--duration must be above 0") }
        guard timeout > 0 else { throw ValidationError("--timeout must be above 0") }
        _ = try levels()
    }

    /// The concurrency levels to run: the sweep's, else the one.
    package func levels() throws -> [Int] {
        guard let sweep else { return [concurrency] }
        let levels = sweep.split(separator: ",").map { Int($0.filter { $0 != " " }) }
        guard !levels.isEmpty, levels.allSatisfy({ ($0 ?? 0) >= 1 }) else {
            throw ValidationError("--sweep takes concurrency levels like 1,2,4,8")
        }
        return levels.compactMap { $0 }
    }

    package func run() throws {
        let environment = ProcessEnvironment()
        var key = apiKey
        if key == nil, let apiKeyFile {
            key = try TextFile.read(apiKeyFile).split(whereSeparator: \.isNewline).first.map(String.init)
        }
        key = key ?? environment["BENCH_API_KEY"] ?? environment["OPENAI_API_KEY"] ?? environment["PROXY_API_KEY"]
        let promptList: [BenchPlan.Prompt]
        do {
            promptList = try prompts.map { try BenchPlan.prompts(jsonLines: try TextFile.read($0)) } ?? [.text(prompt)]
        } catch {
            throw ValidationError("\(error)")
        }
        let plan = BenchPlan(endpoint: endpoint, model: model, maxTokens: maxTokens, prompts: promptList)
        var targets: [(url: String, apiKey: String?)] = [(url, key)]
        if let compare { targets.append((compare, compareApiKey ?? key)) }
        let origin = ContinuousClock.now
        let showProgress = !quiet && isatty(2) != 0
        var samples: [RequestSample] = []
        for (number, level) in try levels().enumerated() {
            let run = try BenchRun(settings: BenchRun.Settings(
                targets: targets, plan: plan, requests: requests ?? (duration == nil ? 50 : nil), concurrency: level,
                rate: rate, duration: duration, timeout: timeout, warmup: number == 0 ? warmup : 0, seed: seed),
                origin: origin, progress: showProgress)
            run.warmUp()
            samples += run.run()
        }
        let report = BenchReport(
            settings: BenchReport.Settings(urls: targets.map { plan.url(base: $0.url) }, endpoint: endpoint, model: model,
                                           maxTokens: maxTokens, rate: rate, warmup: warmup),
            samples: samples)
        print(TableReport.render(report))
        if let json { try TextFile.write(String(decoding: WireJSON.encode(report), as: UTF8.self) + "\n", to: json) }
        if let html { try TextFile.write(HTMLReport.render(report), to: html) }
        let failed = samples.filter { !$0.succeeded }.count
        if failed == samples.count { throw ExitCode(1) }
    }
}

extension CompletionStreamReader.Endpoint: ExpressibleByArgument {}
