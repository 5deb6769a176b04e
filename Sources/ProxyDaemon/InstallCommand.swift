import SystemCalls
import ArgumentParser
import FoundationEssentials
import Glibc

/// `claude-code-proxy install`: puts this very binary (self-contained: it needs nothing of the
/// Swift toolchain) in `~/.local/bin`, a systemd user unit beside the user's others, and a 0600
/// key file with a random key when there is none; `--uninstall` takes the binary and the unit
/// away again. A subcommand rather than a script: the binary is all a user has to download.
package struct InstallCommand: ParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Install this binary, a systemd user unit and an API key file (--uninstall reverses it).")

    @Option(help: "Install under this directory instead of $HOME (for tests and packaging).")
    package var prefix: String?

    @Option(help: "The port the unit serves on.")
    package var port = 8080

    @Flag(help: "Remove the binary and the unit (the key file stays; its path is printed).")
    package var uninstall = false

    package init() {}

    package func run() throws {
        guard let home = prefix ?? ProcessInfo.processInfo.environment["HOME"], home.hasPrefix("/") else {
            throw ValidationError("no HOME; pass --prefix with an absolute path")
        }
        let plan = InstallPlan(home: home, port: port)
        if uninstall {
            for path in [plan.binary, plan.unit] {
                do throws(SystemError) {
                    try syscall("remove \(path)") { unlink(path) }
                } catch where error.errno == ENOENT {
                    // Not installed there: nothing to remove.
                } catch {
                    throw InstallError("\(error)")
                }
            }
            print("Removed \(plan.binary) and \(plan.unit); the key file \(plan.keyFile) stays.")
            print("If the service was enabled: systemctl --user disable --now claude-code-proxy; systemctl --user daemon-reload")
            return
        }
        for directory in [plan.binDirectory, plan.unitDirectory, plan.keyDirectory] {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        do throws(SystemError) { try syscall("chmod \(plan.keyDirectory)") { chmod(plan.keyDirectory, 0o700) } } catch {
            throw InstallError("\(error)")
        }
        try copySelf(to: plan.binary)
        try write(plan.unitText, to: plan.unit, mode: 0o644)
        var newKey = false
        if access(plan.keyFile, F_OK) != 0 {
            try write(InstallPlan.randomKey() + "\n", to: plan.keyFile, mode: 0o600)
            newKey = true
        }
        print("Installed \(plan.binary) and \(plan.unit)" + (newKey ? "; a new key is in \(plan.keyFile) (mode 0600)." : "."))
        print("Enable it:  systemctl --user daemon-reload && systemctl --user enable --now claude-code-proxy")
        print("Test it:    curl -H \"Authorization: Bearer $(cat \(plan.keyFile))\" http://127.0.0.1:\(port)/v1/models")
    }

    /// Copies the running executable (a temporary name, then a rename: a running old copy is not torn).
    private func copySelf(to destination: String) throws {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard length > 0 else { throw InstallError("cannot find this binary (/proc/self/exe)") }
        let source = String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let bytes: Data
        do {
            bytes = try Data(contentsOf: URL(filePath: source))
        } catch {
            throw InstallError("read \(source): \(error)")
        }
        let temporary = destination + ".new"
        try write(Array(bytes), to: temporary, mode: 0o755)
        do throws(SystemError) { try syscall("rename to \(destination)") { rename(temporary, destination) } } catch {
            throw InstallError("\(error)")
        }
    }

    private func write(_ text: String, to path: String, mode: mode_t) throws {
        try write(Array(text.utf8), to: path, mode: mode)
    }

    private func write(_ bytes: [UInt8], to path: String, mode: mode_t) throws {
        do throws(SystemError) { try FileBytes.write(bytes, to: path, mode: mode) } catch { throw InstallError("\(error)") }
    }
}

struct InstallError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
