import Testing
@testable import ProxyCore
@testable import OpenAIFront
@testable import EventTransport
@testable import ChildProcesses
@testable import ProxyDaemon

struct MetricsTests {
    @Test func rendersThePrometheusTextFormat() {
        var metrics = Metrics()
        metrics.recordRequest(endpoint: "/chat/completions", status: 200, firstByte: 0.3, duration: 0.4)
        metrics.recordRequest(endpoint: "/chat/completions", status: 200, firstByte: 0.2, duration: 3)
        metrics.recordRequest(endpoint: "/responses", status: 429, firstByte: 0.001, duration: 0.001)
        metrics.recordSpawnFailure()
        metrics.recordChildCPU(seconds: 0.25)
        let text = metrics.exposition(inFlight: 2, queued: 1, liveChildren: 2)
        let lines = Set(text.split(separator: "\n").map(String.init))
        #expect(lines.contains(#"ccp_requests_total{endpoint="/chat/completions",status="200"} 2"#))
        #expect(lines.contains(#"ccp_requests_total{endpoint="/responses",status="429"} 1"#))
        #expect(lines.contains("ccp_requests_in_flight 2"))
        #expect(lines.contains("ccp_requests_queued 1"))
        #expect(lines.contains("ccp_children 2"))
        #expect(lines.contains("ccp_spawn_failures_total 1"))
        #expect(lines.contains("ccp_child_cpu_seconds_total 0.25"))
        #expect(lines.contains(#"ccp_request_duration_seconds_bucket{le="0.5"} 2"#))
        #expect(lines.contains(#"ccp_request_duration_seconds_bucket{le="+Inf"} 3"#))
        #expect(lines.contains("ccp_request_duration_seconds_count 3"))
        #expect(lines.contains("# TYPE ccp_time_to_first_byte_seconds histogram"))
        // Every sample line belongs to a declared family.
        let families = Set(lines.filter { $0.hasPrefix("# TYPE ") }.map { $0.split(separator: " ")[2] })
        for line in lines where !line.hasPrefix("#") {
            let name = line.prefix { $0 != "{" && $0 != " " }
            #expect(families.contains { name == $0 || name.hasPrefix($0 + "_") }, "\(line)")
        }
    }

    @Test func endpointLabelsAreBounded() {
        #expect(Route.endpointLabel(path: "/v1/chat/completions") == "/chat/completions")
        #expect(Route.endpointLabel(path: "/responses/") == "/responses")
        #expect(Route.endpointLabel(path: "/v1/models/opus") == "/models/{id}")
        #expect(Route.endpointLabel(path: "/v1/anything/\(UInt32.random(in: 0...UInt32.max))") == "other")
    }
}
