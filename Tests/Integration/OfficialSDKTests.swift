import Foundation
import Testing

extension Integration {
    /// The official openai Python SDK (installed by scripts/test.sh into .cache/sdk-venv, or
    /// OPENAI_SDK_PYTHON) against the proxy and the real CLI.
    @Suite struct OfficialSDK {
        @Test(.needsRealCLI) func bothEndpointsStreamingAndNot() throws {
            let python = ProcessInfo.processInfo.environment["OPENAI_SDK_PYTHON"]
                ?? TestEnvironment.packageRoot.appendingPathComponent(".cache/sdk-venv/bin/python").path
            try #require(FileManager.default.isExecutableFile(atPath: python),
                         "no Python with the openai SDK: run scripts/test.sh, or set OPENAI_SDK_PYTHON")
            let proxy = try ProxyProcess()
            defer { proxy.stop() }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: python)
            process.arguments = [TestEnvironment.fixtures.appendingPathComponent("sdk_check.py").path]
            process.environment = ["PROXY_URL": proxy.baseURL, "PROXY_KEY": ProxyProcess.key,
                                   "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
            let output = Pipe()
            process.standardOutput = output
            process.standardError = output
            process.standardInput = FileHandle.nullDevice
            try process.run()
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "\(text)")
            #expect(text.contains("reasoning ok") && text.contains("responses tool stream ok"), "\(text)")
        }
    }
}
