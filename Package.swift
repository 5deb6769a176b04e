// swift-tools-version:6.0
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

// Layering the compiler checks: ProxyCore is pure (no libevent, no libcurl, no processes);
// only EventTransport imports CEvent; only HTTPStreamClient (the suite's client) and
// BenchTransport (the profiler's) import CCurl.
let package = Package(
    name: "claude-code-proxy",
    products: [
        .executable(name: "claude-code-proxy", targets: ["claude-code-proxy"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
    ],
    targets: [
        .systemLibrary(name: "CEvent", pkgConfig: "libevent", providers: [.apt(["libevent-dev"])]),
        // Headers only: no pkg-config, whose flags would link libcurl into everything that imports it.
        .systemLibrary(name: "CCurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        // The one fork/exec (PR_SET_PDEATHSIG must be set in the child, which posix_spawn cannot
        // do), and the few system calls Swift cannot make (prctl, pipe2, rlimit).
        .target(name: "CSystem"),
        // The one system-call helper (EINTR retried, failures a typed errno error) and the few
        // whole-descriptor reads and writes built on it.
        .target(name: "SystemCalls", swiftSettings: swiftSettings),
        // Stream-json decoding, the turn reducer, the conversation model, neutral failures, usage,
        // the request state machine and admission. FoundationEssentials at most.
        .target(name: "ProxyCore", swiftSettings: swiftSettings),
        // The OpenAI wire front end: request and reply types, translators, error rendering.
        .target(name: "OpenAIFront", dependencies: ["ProxyCore"], swiftSettings: swiftSettings),
        // The Anthropic Messages front end: request types, the Messages translator, error rendering.
        .target(name: "AnthropicFront", dependencies: ["ProxyCore"], swiftSettings: swiftSettings),
        // The test mode's scripted stand-in for Anthropic's Messages API (pure).
        .target(name: "FakeUpstream", dependencies: ["ProxyCore"], swiftSettings: swiftSettings),
        // The event loop: evhttp, exchanges, pipes as bufferevents, timers, signals.
        .target(name: "EventTransport", dependencies: ["CEvent", "SystemCalls", "ProxyCore"], swiftSettings: swiftSettings),
        // Child processes: spawn, process groups, reaping, the CLI process and its pipes.
        .target(name: "ChildProcesses", dependencies: ["CSystem", "ProxyCore", "EventTransport", "SystemCalls"],
                swiftSettings: swiftSettings),
        // A libcurl streaming client: the integration suite's, and the profiler's.
        // CCurl does not link libcurl (the profiler loads it with dlopen); this client links it.
        .target(name: "HTTPStreamClient", dependencies: ["CCurl"], swiftSettings: swiftSettings,
                linkerSettings: [.linkedLibrary("curl")]),
        // The profiler's client: many timed streams on one thread through libcurl's multi interface.
        .target(name: "BenchTransport", dependencies: ["CCurl"], swiftSettings: swiftSettings),
        // The profiler's pure part: the request plan, the stream reader, statistics, the reports.
        .target(name: "Profiler",
                dependencies: ["ProxyCore", .product(name: "Histogram", package: "hdrhistogram-swift")],
                swiftSettings: swiftSettings),
        // `claude-code-proxy bench`: the run and its command line.
        .target(name: "Bench",
                dependencies: ["Profiler", "BenchTransport", "ProxyCore", "SystemCalls",
                               .product(name: "ArgumentParser", package: "swift-argument-parser")],
                swiftSettings: swiftSettings),
        // The daemon: configuration, composition root, routes, sessions, scheduling, logs, metrics.
        .target(
            name: "ProxyDaemon",
            dependencies: [
                "ProxyCore", "OpenAIFront", "AnthropicFront", "FakeUpstream", "EventTransport", "ChildProcesses", "CSystem",
                "SystemCalls",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "claude-code-proxy",
            dependencies: ["ProxyDaemon", "ProxyCore", "OpenAIFront", "Bench", "CSystem", "SystemCalls",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "Unit",
            dependencies: ["ProxyCore", "OpenAIFront", "AnthropicFront", "FakeUpstream", "ProxyDaemon", "ChildProcesses",
                           "EventTransport", "Profiler", "Bench", "SystemCalls",
                           .product(name: "Logging", package: "swift-log"),
                           .product(name: "PropertyBased", package: "swift-property-based")],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "Integration",
            dependencies: ["HTTPStreamClient", "CCurl"],
            exclude: ["Support/mock_anthropic.py", "Support/timed_sse.py", "Support/token_endpoint.py", "Fixtures"],
            swiftSettings: swiftSettings
        ),
    ]
)
