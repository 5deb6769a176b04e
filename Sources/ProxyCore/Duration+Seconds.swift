extension Duration {
    /// The duration in seconds, as the proxy's timers, timelines and reports count them.
    package var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
