import Glibc

/// Nanoseconds on the monotonic clock, for a request's timings. ContinuousClock's instants are
/// 128-bit attosecond counts: reading two and turning their difference into seconds cost about
/// 700 instructions a request (callgrind), a vDSO read and a subtraction about 100.
package enum MonotonicClock {
    package static func now() -> UInt64 {
        var spec = timespec()
        // CLOCK_MONOTONIC cannot fail on Linux; were it to, timings read 0 rather than stop the proxy.
        guard clock_gettime(CLOCK_MONOTONIC, &spec) == 0 else { return 0 }
        return UInt64(spec.tv_sec) &* 1_000_000_000 &+ UInt64(spec.tv_nsec)
    }

    /// Seconds from `start` to `end` (to now by default); 0 when `end` is earlier.
    package static func seconds(from start: UInt64, to end: UInt64 = now()) -> Double {
        Double(end &- min(start, end)) / 1e9
    }
}
