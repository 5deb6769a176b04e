import EventTransport
import Glibc
import Logging
import OpenAIFront
import ProxyCore

/// The subscription's usage windows: kept from what the CLIs report, shown on every reply and at
/// `/v1/usage`, and used to answer at once, without a CLI, what a used-up window or a key's
/// reserve would refuse (docs/cli.md, "Usage windows").
extension Proxy {
    func usageReported(_ info: RateLimitInfo) {
        let before = usage.latest?.status
        usage.record(info, at: Double(UTCTime.now()))
        if before != info.status, info.status != .allowed {
            logger.notice("usage", metadata: usageMetadata)
        } else {
            logger.debug("usage", metadata: usageMetadata)
        }
    }

    var usageHeaders: [(String, String)] { usage.headers }

    /// The windows in one log line: `status=… five_hour=0.85 five_hour_resets_in=…`.
    var usageMetadata: Logger.Metadata {
        guard let latest = usage.latest else { return ["usage": "not reported yet"] }
        var metadata: Logger.Metadata = ["status": "\(latest.status.text)"]
        let now = UTCTime.now()
        for (name, window) in latest.windows {
            if let used = window.utilization { metadata[name] = "\(UsageLedger.number(used))" }
            if let reset = window.resetsAt { metadata["\(name)_resets_in"] = "\(UsageRefusal.duration(max(0, reset - now)))" }
        }
        return metadata
    }

    /// A request a used-up window covers, or one over its key's reserve, is answered now.
    func checkUsage(model: String, apiKey: String) throws(TurnFailure) {
        let reserve = configuration.reserve(forKey: apiKey)
        guard let block = usage.block(model: model, reservePercent: reserve, now: Double(UTCTime.now())) else { return }
        usage.recordBlock(block)
        throw .usageBlocked(block)
    }

    /// A refusal from Anthropic for a used-up window, counted by window.
    func recordRefusal(of session: CompletionSession) {
        guard case .upstream(let error)? = session.failure, case .usageLimitReached(let window, _) = error.cause else { return }
        usage.recordRefusal(window: window ?? "unknown")
    }

    /// `GET /v1/usage`.
    func serveUsage(_ exchange: HTTPExchange, apiKey: String) {
        let report = UsageReport(usage, login: loginKind, reservePercent: configuration.reserve(forKey: apiKey),
                                 now: UTCTime.now())
        exchange.respond(status: 200, headers: Self.jsonHeaders + usage.headers,
                         body: exchange.method == .head ? [] : WireJSON.encode(report))
        logAccess(exchange, session: nil)
    }
}
