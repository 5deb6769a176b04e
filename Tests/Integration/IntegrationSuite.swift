import Testing

/// Every integration test drives the running binary over HTTP with libcurl. They run one at a
/// time: each starts its own proxy, and the real CLI costs ~0.3 CPU-s per request on 2 cores.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct Integration {}
