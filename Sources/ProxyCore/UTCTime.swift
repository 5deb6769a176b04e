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

    /// `Sun, 06 Dec 2026 21:14:45 GMT`: RFC 9110's IMF-fixdate, the HTTP `Date` header's form.
    package static func httpDate(_ seconds: Int) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }

    /// The log lines' timestamp for now, formatted once per second, not once per line.
    package static func nowISO8601() -> String { stamp { $0.iso8601 } }

    /// The `Date` header for now, formatted once per second: evhttp formats its own for every
    /// reply (gmtime and snprintf, about 3,500 instructions, a tenth of a whole `/health`
    /// request) and leaves a reply that has one alone.
    package static func nowHTTPDate() -> String { stamp { $0.httpDate } }

    /// This second's texts, made when the second changes.
    private struct Stamps {
        var second = -1
        var iso8601 = ""
        var httpDate = ""
    }

    private static let cache = Mutex(Stamps())

    private static func stamp(_ text: (Stamps) -> String) -> String {
        let second = now()
        return cache.withLock { cached in
            if cached.second != second {
                cached = Stamps(second: second, iso8601: iso8601(second), httpDate: httpDate(second))
            }
            return text(cached)
        }
    }

    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    private static func components(_ seconds: Int) -> (year: Int32, month: Int32, day: Int32, hour: Int32,
                                                         minute: Int32, second: Int32) {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        return (parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec)
    }

    private static func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
