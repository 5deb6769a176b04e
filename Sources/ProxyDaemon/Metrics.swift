import ProxyCore
import OpenAIFront
import EventTransport
import ChildProcesses

/// The proxy's counters, gauges and histograms, rendered in the Prometheus text format
/// (https://prometheus.io/docs/instrumenting/exposition_formats/). Pure: the proxy records,
/// `exposition` renders.
package struct Metrics: Sendable {
    package struct Histogram: Sendable {
        package static let buckets: [Double] = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300]
        package var counts = [Int](repeating: 0, count: Histogram.buckets.count)
        package var count = 0
        package var sum = 0.0

        package mutating func observe(_ value: Double) {
            for (index, bound) in Self.buckets.enumerated() where value <= bound { counts[index] += 1 }
            count += 1
            sum += value
        }
    }

    package struct RequestKey: Hashable, Sendable, Comparable {
        package var endpoint: String
        package var status: Int
        package static func < (a: Self, b: Self) -> Bool { (a.endpoint, a.status) < (b.endpoint, b.status) }
    }

    package private(set) var requests: [RequestKey: Int] = [:]
    package private(set) var spawnFailures = 0
    package private(set) var childCPUSeconds = 0.0
    package private(set) var firstByteSeconds = Histogram()
    package private(set) var durationSeconds = Histogram()

    package mutating func recordRequest(endpoint: String, status: Int, firstByte: Double?, duration: Double?) {
        requests[RequestKey(endpoint: endpoint, status: status), default: 0] += 1
        if let firstByte { firstByteSeconds.observe(firstByte) }
        if let duration { durationSeconds.observe(duration) }
    }

    package mutating func recordSpawnFailure() { spawnFailures += 1 }

    /// Conversations carried on in their running CLI, by kind (`tool_result`, `next_turn`).
    package private(set) var resumes: [String: Int] = ["tool_result": 0, "next_turn": 0]
    package mutating func recordResume(kind: String) { resumes[kind, default: 0] += 1 }

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
    package func exposition(inFlight: Int, queued: Int, liveChildren: Int, continuity: Continuity = Continuity()) -> String {
        var out = ""
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
        family("ccp_conversation_resumes_total", "counter", "Requests that carried on a conversation in its running CLI.")
        for (kind, value) in resumes.sorted(by: { $0.key < $1.key }) {
            out += "ccp_conversation_resumes_total{kind=\"\(kind)\"} \(value)\n"
        }
        histogram("ccp_time_to_first_byte_seconds", "Time from request to the first byte of the reply.",
                  firstByteSeconds, into: &out)
        histogram("ccp_request_duration_seconds", "Time from request to the end of the reply.",
                  durationSeconds, into: &out)
        return out
    }

    private func histogram(_ name: String, _ help: String, _ histogram: Histogram, into out: inout String) {
        out += "# HELP \(name) \(help)\n# TYPE \(name) histogram\n"
        for (index, bound) in Histogram.buckets.enumerated() {
            out += "\(name)_bucket{le=\"\(bound)\"} \(histogram.counts[index])\n"
        }
        out += "\(name)_bucket{le=\"+Inf\"} \(histogram.count)\n\(name)_sum \(histogram.sum)\n\(name)_count \(histogram.count)\n"
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
