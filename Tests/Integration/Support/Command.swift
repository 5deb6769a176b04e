import Foundation

/// A program run to its end with exactly `environment`, stdout and stderr together: the
/// subcommands, the SDK scripts and the tools the suite runs beside the proxy.
enum Command {
    static func run(_ executable: String, _ arguments: [String], environment: [String: String]) throws
        -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }
}
