import Glibc
import Synchronization

/// UTC times as text, from `gmtime_r` (no Foundation formatter on the per-request path).
package enum UTCTime {
    /// `2026-12-06T21:14:45Z` (RFC 3339 / ISO 8601, whole seconds).
    package static func iso8601(_ seconds: Int) -> String {
        let parts = components(seconds)
        return "\(parts.year)-\(two(parts.month))-\(two(parts.day))T\(two(parts.hour)):\(two(parts.minute)):\(two(parts.second))Z"
    }

    /// `2026-12-06 21:14 UTC`, for messages people read.
    package static func minutes(_ seconds: Int) -> String {
        let parts = components(seconds)
        return "\(parts.year)-\(two(parts.month))-\(two(parts.day)) \(two(parts.hour)):\(two(parts.minute)) UTC"
    }

    /// The wall clock, Unix seconds: the one read of it for usage windows, logins and logs.
    package static func now() -> Int {
        // The seconds as the kernel gives them: through a Duration this was 128-bit arithmetic
        // (about 200 instructions) on every log line.
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return spec.tv_sec
    }

    /// The wall clock to the nanosecond, since the Unix epoch.
    package static func instant() -> Duration {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return .seconds(spec.tv_sec) + .nanoseconds(spec.tv_nsec)
    }

    /// The log lines' timestamp for now: formatted once per second, not once per line.
    package static func nowISO8601() -> String {
        let second = now()
        return cache.withLock { cached in
            if cached.second != second { cached = (second, iso8601(second)) }
            return cached.text
        }
    }

    private static let cache = Mutex<(second: Int, text: String)>((-1, ""))

    private static func components(_ seconds: Int) -> (year: Int32, month: Int32, day: Int32, hour: Int32,
                                                         minute: Int32, second: Int32) {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        return (parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec)
    }

    private static func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
