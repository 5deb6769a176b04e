import Foundation

/// The proxy's private directory (mode 0700), removed at exit: the children's HOME and TMPDIR,
/// their empty working directory, and the system-prompt files (mode 0600, one per request).
struct RuntimeDirectory: Sendable {
    let root: String
    var home: String { root + "/home" }
    var tmp: String { root + "/tmp" }
    var work: String { root + "/work" }
    var prompts: String { root + "/prompts" }

    /// `environment["HOME"]` is the real HOME: its Claude Code login (`.claude/.credentials.json`)
    /// reaches the children through a link; nothing else of it is visible to them.
    static func create(environment: [String: String]) throws -> RuntimeDirectory {
        let parent = environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array("\(parent)/claude-code-proxy.XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw SystemError(operation: "mkdtemp in \(parent)", errno: errno)
        }
        let directory = RuntimeDirectory(root: String(cString: made))
        let files = FileManager.default
        for path in [directory.home + "/.claude", directory.tmp, directory.work, directory.prompts] {
            try files.createDirectory(atPath: path, withIntermediateDirectories: true,
                                      attributes: [.posixPermissions: 0o700])
        }
        if let userHome = environment["HOME"] {
            let credentials = userHome + "/.claude/.credentials.json"
            if files.fileExists(atPath: credentials) {
                try? files.createSymbolicLink(atPath: directory.home + "/.claude/.credentials.json",
                                              withDestinationPath: credentials)
            }
        }
        return directory
    }

    /// Writes a request's system prompt where only this user can read it; returns its path.
    func writePrompt(id: String, text: String) throws -> String {
        let path = "\(prompts)/\(id).txt"
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8),
                                             attributes: [.posixPermissions: 0o600]) else {
            throw SystemError(operation: "create \(path)", errno: errno)
        }
        return path
    }

    func removePrompt(at path: String) {
        unlink(path)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: root)
    }
}
