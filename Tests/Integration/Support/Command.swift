import Foundation

/// A program run to its end with exactly `environment`, stdout and stderr together: the
/// subcommands, the SDK scripts and the tools the suite runs beside the proxy.
enum Command {
    /// - Parameter stdin: written to the program's standard input, then closed (none: /dev/null).
    static func run(_ executable: String, _ arguments: [String], environment: [String: String],
                    stdin: String? = nil) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        let input = Pipe()
        process.standardInput = stdin == nil ? FileHandle.nullDevice : input
        try process.run()
        if let stdin {
            input.fileHandleForWriting.write(Data(stdin.utf8))
            try input.fileHandleForWriting.close()
        }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }
}
