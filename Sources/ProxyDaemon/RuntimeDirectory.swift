import SystemCalls
import FoundationEssentials
import Glibc
import ProxyCore
import OpenAIFront
import EventTransport
import ChildProcesses

/// The proxy's private directory (mode 0700), removed at exit: the children's HOME, a TMPDIR for
/// each CLI (removed when it ends), their empty working directory, and the system-prompt files
/// (mode 0600, one per request). The person's login is not in it: every CLI is pointed at the
/// person's own login directory (`CLIProfile.loginDirectory`).
///
/// A proxy killed with SIGKILL cannot remove it, so each proxy holds an exclusive `flock` on
/// `lock` inside its own directory for as long as it lives (the kernel drops it when the
/// process dies, whatever kills it). At start, every sibling directory whose lock can be taken
/// belongs to a dead proxy and is removed.
package struct RuntimeDirectory: Sendable {
    package let root: String
    package static let prefix = "claude-code-proxy."
    package var home: String { root + "/home" }
    package var tmp: String { root + "/tmp" }
    package var work: String { root + "/work" }
    package var prompts: String { root + "/prompts" }
    package var parent: String { String(root[..<(root.lastIndex(of: "/") ?? root.startIndex)]) }

    package static func create(environment: [String: String]) throws -> RuntimeDirectory {
        let parent = environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array("\(parent)/\(prefix)XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw SystemError(operation: "mkdtemp in \(parent)", errno: errno)
        }
        let directory = RuntimeDirectory(root: String(cString: made))
        // Deliberately never closed: the lock lasts as long as the process.
        let lock = try syscall("create \(directory.root)/lock") { open(directory.root + "/lock", O_CREAT | O_RDWR | O_CLOEXEC, 0o600) }
        try syscall("lock \(directory.root)") { flock(lock, LOCK_EX | LOCK_NB) }
        let files = FileManager.default
        for path in [directory.home + "/.claude", directory.tmp, directory.work, directory.prompts] {
            try files.createDirectory(atPath: path, withIntermediateDirectories: true,
                                      attributes: [.posixPermissions: 0o700])
        }
        return directory
    }

    /// Removes the directories of proxies that died without cleaning up (their lock is free), in
    /// `parent`, except `own`. Returns the paths removed.
    @discardableResult
    package static func removeStale(in parent: String, except own: String) -> [String] {
        let files = FileManager.default
        let names = (try? files.contentsOfDirectory(atPath: parent)) ?? []
        var removed: [String] = []
        for name in names where name.hasPrefix(prefix) {
            let path = parent + "/" + name
            guard path != own, isStale(path) else { continue }
            if (try? files.removeItem(atPath: path)) != nil { removed.append(path) }
        }
        return removed
    }

    /// True when `path` is ours (same user) and no live process holds its lock. A directory
    /// without a lock file (made by an older proxy) counts as stale after a minute.
    private static func isStale(_ path: String) -> Bool {
        var info = stat()
        guard lstat(path, &info) == 0, info.st_uid == getuid(), (info.st_mode & S_IFMT) == S_IFDIR else { return false }
        let lock = open(path + "/lock", O_RDWR | O_CLOEXEC)
        guard lock >= 0 else { return time(nil) - info.st_mtim.tv_sec > 60 }
        defer { close(lock) }
        return flock(lock, LOCK_EX | LOCK_NB) == 0
    }

    /// Writes a request's system prompt where only this user can read it; returns its path.
    package func writePrompt(id: String, text: String) throws -> String {
        let path = "\(prompts)/\(id).txt"
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8),
                                             attributes: [.posixPermissions: 0o600]) else {
            throw SystemError(operation: "create \(path)", errno: errno)
        }
        return path
    }

    /// Writes the MCP configuration that points a request's CLI at the proxy's tool endpoint.
    package func writeMCPConfig(id: String, url: String) throws -> String {
        let path = "\(prompts)/\(id).mcp.json"
        let config = JSONValue.object(["mcpServers": .object([ToolBridge.serverName: .object([
            "type": .string("http"), "url": .string(url)])])])
        guard FileManager.default.createFile(atPath: path, contents: Data(WireJSON.encode(config)),
                                             attributes: [.posixPermissions: 0o600]) else {
            throw SystemError(operation: "create \(path)", errno: errno)
        }
        return path
    }

    /// Writes a session file for a CLI to resume, under the project directory the CLI looks in
    /// (`SessionHistory.projectDirectory`), readable by this user only; returns its path.
    package func writeSession(_ bytes: [UInt8], id: String, in directory: String) throws -> String {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let path = "\(directory)/\(id).jsonl"
        try FileBytes.write(bytes, to: path, mode: 0o600)
        return path
    }

    package func removePrompt(at path: String) {
        unlink(path)
    }

    /// A CLI's own TMPDIR (its socket, and the probe directory every non-bare start leaves).
    package func makeCLITemporary(id: String) throws -> String {
        let path = "\(tmp)/\(id)"
        try syscall("mkdir \(path)") { mkdir(path, 0o700) }
        return path
    }

    package func removeTree(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }

    package func remove() {
        try? FileManager.default.removeItem(atPath: root)
    }
}
