import Foundation
import Testing

/// Runs one of the Python SDK scripts in Fixtures/ against a proxy, with the venv scripts/test.sh
/// installs (or OPENAI_SDK_PYTHON); returns its exit status and output.
enum SDKCheck {
    static func run(_ script: String, against proxy: ProxyProcess, arguments: [String] = []) throws -> (status: Int32, output: String) {
        let python = ProcessInfo.processInfo.environment["OPENAI_SDK_PYTHON"]
            ?? TestEnvironment.packageRoot.appendingPathComponent(".cache/sdk-venv/bin/python").path
        try #require(FileManager.default.isExecutableFile(atPath: python),
                     "no Python with the SDKs: run scripts/test.sh, or set OPENAI_SDK_PYTHON")
        return try Command.run(python, [TestEnvironment.fixtures.appendingPathComponent(script).path] + arguments,
                               environment: ["PROXY_URL": proxy.baseURL, "PROXY_KEY": ProxyProcess.key,
                                             "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"])
    }
}
