import SystemCalls

/// Whole text files and standard error for the profiler, through the C library (no Foundation).
enum TextFile {
    static func read(_ path: String) throws(SystemError) -> String {
        String(decoding: try FileBytes.read(path), as: UTF8.self)
    }

    static func write(_ text: String, to path: String) throws(SystemError) {
        try FileBytes.write(Array(text.utf8), to: path, mode: 0o644)
    }

    /// The progress line and messages.
    static func standardError(_ text: String) {
        StandardError.write(text)
    }
}
