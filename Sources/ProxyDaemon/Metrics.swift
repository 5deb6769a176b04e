import ProxyCore
import OpenAIFront
import EventTransport
import ChildProcesses

/// The proxy's counters, gauges and histograms, rendered in the Prometheus text format
/// (https://prometheus.io/docs/instrumenting/exposition_formats/). Pure: the proxy records,
/// `exposition` renders.
package struct Metrics: Sendable {
    package struct RequestKey: Equatable, Sendable, Comparable {
        package var endpoint: String
        package var status: Int
        package static func < (a: Self, b: Self) -> Bool { (a.endpoint, a.status) < (b.endpoint, b.status) }
    }

    /// Requests answered, by endpoint and status: a short list searched in order. The pairs are
    /// few (a route's label, a status), and a dictionary hashed the key on every request, a
    /// health check's too.
    package private(set) var requests: [(key: RequestKey, count: Int)] = []
    package private(set) var spawnFailures = 0
    package private(set) var childCPUSeconds = 0.0
    package private(set) var firstByteSeconds = LatencyHistogram()
    package private(set) var durationSeconds = LatencyHistogram()

    /// A completion's endpoint and how its CLI came to it (cold, warm, resumed).
    package struct PhaseKey: Hashable, Sendable, Comparable {
        package var endpoint: String
        package var start: String
        package static func < (a: Self, b: Self) -> Bool { (a.endpoint, a.start) < (b.endpoint, b.start) }
    }

    /// The phase histograms, by family name, each by endpoint and start kind.
    package private(set) var phases: [String: [PhaseKey: LatencyHistogram]] = [:]

    /// The families made from a completion's timeline: (name, help, phase or nil for the token gaps).
    static let phaseFamilies: [(String, String, RequestTimeline.Phase?)] = [
        ("ccp_queue_wait_seconds", "Time a completion waited for its place.", .queue),
        ("ccp_spawn_seconds", "Time to start (fork/exec) the CLI process; absent for warm and resumed CLIs.", .spawn),
        ("ccp_cli_start_seconds", "Time from the CLI process to its system/init line.", .cli),
        ("ccp_upstream_first_byte_seconds", "Time from the CLI's start to Anthropic's first byte (message_start).", .upstream),
        ("ccp_time_to_first_token_seconds", "Time from the request to its first piece of answer.", .firstToken),
        ("ccp_inter_token_seconds", "Time between one piece of answer and the next.", nil),
    ]

    package mutating func recordTimeline(_ timeline: RequestTimeline, endpoint: String, start: String) {
        let key = PhaseKey(endpoint: endpoint, start: start)
        for (name, _, phase) in Self.phaseFamilies {
            if let phase {
                guard let seconds = timeline.duration(phase) else { continue }
                phases[name, default: [:]][key, default: LatencyHistogram()].observe(seconds)
            } else if timeline.tokenGaps.count > 0 {
                phases[name, default: [:]][key, default: LatencyHistogram()].merge(timeline.tokenGaps)
            }
        }
    }

    package mutating func recordRequest(endpoint: String, status: Int, firstByte: Double?, duration: Double?) {
        let key = RequestKey(endpoint: endpoint, status: status)
        if let index = requests.firstIndex(where: { $0.key == key }) {
            requests[index].count += 1
        } else {
            requests.append((key, 1))
        }
        if let firstByte { firstByteSeconds.observe(firstByte) }
        if let duration { durationSeconds.observe(duration) }
    }

    package mutating func recordSpawnFailure() { spawnFailures += 1 }

    /// Conversations carried on in their running CLI, by kind (`tool_result`, `next_turn`).
    package private(set) var resumes: [String: Int] = ["tool_result": 0, "next_turn": 0]
    package mutating func recordResume(kind: String) { resumes[kind, default: 0] += 1 }

    /// Requests by how their earlier turns reached the upstream, flattened ones by reason
    /// (`HistoryForm`); every form and reason is listed from the start, at zero.
    package private(set) var histories: [String: Int] = {
        var all = ["form=\"single\"", "form=\"kept\"", "form=\"native\""].reduce(into: [String: Int]()) { $0[$1] = 0 }
        for reason in SessionHistory.Fallback.allCases { all["form=\"flattened\",reason=\"\(reason.rawValue)\""] = 0 }
        return all
    }()
    package mutating func recordHistory(_ form: HistoryForm) {
        let labels = form.reason.map { "form=\"\(form.label)\",reason=\"\($0)\"" } ?? "form=\"\(form.label)\""
        histories[labels, default: 0] += 1
    }

    /// The warm pool's and the parked conversations' figures, read at scrape time.
    package struct Continuity: Sendable {
        package var warmHits = 0
        package var warmMisses = 0
        package var warmProcesses = 0
        package var parked = 0
        package var parkedEvictions = 0

        package init(warmHits: Int = 0, warmMisses: Int = 0, warmProcesses: Int = 0, parked: Int = 0,
                     parkedEvictions: Int = 0) {
            self.warmHits = warmHits
            self.warmMisses = warmMisses
            self.warmProcesses = warmProcesses
            self.parked = parked
            self.parkedEvictions = parkedEvictions
        }
    }

    package mutating func recordChildCPU(seconds: Double) { childCPUSeconds += seconds }

    /// Gauges are read at scrape time; the rest is what was recorded.
    package func exposition(inFlight: Int, queued: Int, liveChildren: Int, usage: UsageLedger = UsageLedger(),
                            now: Double = 0, continuity: Continuity = Continuity()) -> String {
        var out = TextBuffer(capacity: 32 * 1024)
        func family(_ name: String, _ type: String, _ help: String) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
        }
        family("ccp_requests_total", "counter", "Requests answered, by endpoint and status.")
        for (key, value) in requests.sorted(by: { $0.key < $1.key }) {
            out += "ccp_requests_total{endpoint=\"\(Self.escape(key.endpoint))\",status=\"\(key.status)\"} \(value)\n"
        }
        // Single-sample families: (name, type, help, value).
        let samples: [(String, String, String, String)] = [
            ("ccp_requests_in_flight", "gauge", "Requests with a running Claude Code CLI.", "\(inFlight)"),
            ("ccp_requests_queued", "gauge", "Requests waiting for a free place.", "\(queued)"),
            ("ccp_children", "gauge", "Live Claude Code CLI processes.", "\(liveChildren)"),
            ("ccp_spawn_failures_total", "counter", "CLIs that could not be started.", "\(spawnFailures)"),
            ("ccp_child_cpu_seconds_total", "counter", "CPU time (user + system) of reaped CLIs.", "\(childCPUSeconds)"),
            ("ccp_warm_hits_total", "counter", "Requests that took a CLI started ahead for their shape.",
             "\(continuity.warmHits)"),
            ("ccp_warm_misses_total", "counter", "Requests (with the warm pool on) that found no warm CLI for their shape.",
             "\(continuity.warmMisses)"),
            ("ccp_warm_processes", "gauge", "CLIs started ahead and waiting for a request.", "\(continuity.warmProcesses)"),
            ("ccp_parked_conversations", "gauge", "Conversations kept in their running CLI for their next request.",
             "\(continuity.parked)"),
            ("ccp_parked_evictions_total", "counter", "Parked conversations ended: timed out, or pushed out for room.",
             "\(continuity.parkedEvictions)"),
        ]
        for (name, type, help, value) in samples {
            family(name, type, help)
            out += "\(name) \(value)\n"
        }
        usageFamilies(usage, now: now, into: &out)
        family("ccp_history_requests_total", "counter",
               "Completion requests by how their earlier turns reached the upstream (flattened: why).")
        for (labels, value) in histories.sorted(by: { $0.key < $1.key }) {
            out += "ccp_history_requests_total{\(labels)} \(value)\n"
        }
        family("ccp_conversation_resumes_total", "counter", "Requests that carried on a conversation in its running CLI.")
        for (kind, value) in resumes.sorted(by: { $0.key < $1.key }) {
            out += "ccp_conversation_resumes_total{kind=\"\(kind)\"} \(value)\n"
        }
        histogram("ccp_time_to_first_byte_seconds", "Time from request to the first byte of the reply.",
                  firstByteSeconds, into: &out)
        histogram("ccp_request_duration_seconds", "Time from request to the end of the reply.",
                  durationSeconds, into: &out)
        for (name, help, _) in Self.phaseFamilies {
            out += "# HELP \(name) \(help)\n# TYPE \(name) histogram\n"
            for (key, histogram) in (phases[name] ?? [:]).sorted(by: { $0.key < $1.key }) {
                let labels = "endpoint=\"\(Self.escape(key.endpoint))\",start=\"\(key.start)\""
                self.samples(name, histogram, labels: labels, into: &out)
            }
        }
        return out.text
    }

    /// The subscription's usage windows as last reported: a gauge per window for its utilization,
    /// the seconds to its reset and its status (1 for the current one), and counters of requests
    /// refused by Anthropic and answered by the proxy itself, by window.
    private func usageFamilies(_ usage: UsageLedger, now: Double, into out: inout TextBuffer) {
        let windows = (usage.latest?.windows ?? [:]).sorted { $0.key < $1.key }
        out += "# HELP ccp_usage_utilization Fraction of each usage window used, as last reported.\n"
        out += "# TYPE ccp_usage_utilization gauge\n"
        for (name, window) in windows {
            if let used = window.utilization { out += "ccp_usage_utilization{window=\"\(Self.escape(name))\"} \(used)\n" }
        }
        out += "# HELP ccp_usage_reset_seconds Seconds until each usage window resets.\n# TYPE ccp_usage_reset_seconds gauge\n"
        for (name, window) in windows {
            if let reset = window.resetsAt {
                out += "ccp_usage_reset_seconds{window=\"\(Self.escape(name))\"} \(max(0, Double(reset) - now))\n"
            }
        }
        out += "# HELP ccp_usage_status Each usage window's status (1 for the current one).\n# TYPE ccp_usage_status gauge\n"
        for (name, window) in windows {
            if let status = window.status {
                out += "ccp_usage_status{window=\"\(Self.escape(name))\",status=\"\(Self.escape(status.text))\"} 1\n"
            }
        }
        out += "# HELP ccp_usage_refusals_total Requests Anthropic refused for a used-up usage window.\n"
        out += "# TYPE ccp_usage_refusals_total counter\n"
        for (name, count) in usage.refusals.sorted(by: { $0.key < $1.key }) {
            out += "ccp_usage_refusals_total{window=\"\(Self.escape(name))\"} \(count)\n"
        }
        out += "# HELP ccp_usage_blocked_total Requests the proxy answered itself: a used-up window, or the key's reserve.\n"
        out += "# TYPE ccp_usage_blocked_total counter\n"
        for (name, count) in usage.blocked.sorted(by: { $0.key < $1.key }) {
            out += "ccp_usage_blocked_total{window=\"\(Self.escape(name))\"} \(count)\n"
        }
    }

    private func histogram(_ name: String, _ help: String, _ histogram: LatencyHistogram, into out: inout TextBuffer) {
        out += "# HELP \(name) \(help)\n# TYPE \(name) histogram\n"
        samples(name, histogram, labels: "", into: &out)
    }

    private func samples(_ name: String, _ histogram: LatencyHistogram, labels: String, into out: inout TextBuffer) {
        let prefix = labels.isEmpty ? "" : labels + ","
        let suffix = labels.isEmpty ? "" : "{\(labels)}"
        // Appended piece by piece: a scrape prints hundreds of these lines.
        for (bound, cumulative) in zip(LatencyHistogram.bucketLabels, histogram.counts) {
            out += name
            out += "_bucket{"
            out += prefix
            out += "le=\""
            out += bound
            out += "\"} "
            out += String(cumulative)
            out += "\n"
        }
        out += "\(name)_bucket{\(prefix)le=\"+Inf\"} \(histogram.count)\n"
        out += "\(name)_sum\(suffix) \(histogram.sum)\n\(name)_count\(suffix) \(histogram.count)\n"
    }

    private static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }
}

private extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: Character(target), omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
