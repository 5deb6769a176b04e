extension Duration {
    /// The duration in seconds, as the proxy's timers, timelines and reports count them
    /// (`components` divides a 128-bit count: read once).
    package var inSeconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
