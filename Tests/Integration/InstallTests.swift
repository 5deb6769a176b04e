import Foundation
import HTTPStreamClient
import Testing

extension Integration {
    /// The release binary as a user gets it: installed into a fresh prefix and run where no
    /// Swift toolchain is reachable.
    @Suite struct Install {
        @Test(.needsReleaseBinary, .needsRealCLI) func theInstalledBinaryRunsWithoutTheToolchain() throws {
            let release = try #require(TestEnvironment.releaseBinary)
            let prefix = NSTemporaryDirectory() + "ccp-install-\(UUID().uuidString.prefix(8))"
            defer { try? FileManager.default.removeItem(atPath: prefix) }
            // No toolchain: a PATH without /opt/swift, no LD_LIBRARY_PATH.
            let bare = ["PATH": "/usr/bin:/bin", "HOME": prefix]
            let (status, output) = try Command.run(release, ["install", "--prefix", prefix, "--port", "0"], environment: bare)
            #expect(status == 0, "\(output)")
            let binary = prefix + "/.local/bin/claude-code-proxy"
            let keyFile = prefix + "/.config/claude-code-proxy/api-key"
            let unit = prefix + "/.config/systemd/user/claude-code-proxy.service"
            let files = FileManager.default
            #expect(files.isExecutableFile(atPath: binary))
            #expect((try files.attributesOfItem(atPath: keyFile)[.posixPermissions] as? Int) == 0o600)
            let key = try String(contentsOfFile: keyFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(key.count == 48 && key.allSatisfy(\.isHexDigit))
            let unitText = try String(contentsOfFile: unit, encoding: .utf8)
            #expect(unitText.contains("ExecStart=\(binary)\n") && unitText.contains("PROXY_API_KEY_FILE=\(keyFile)\n"))
            #expect(output.contains("systemctl --user daemon-reload && systemctl --user enable --now claude-code-proxy"))

            // The dynamic section names libevent and the C/C++ runtime, nothing else (libcurl is
            // loaded by `bench` only), and no toolchain path.
            let (_, dynamic) = try Command.run("/usr/bin/readelf", ["-d", binary], environment: bare)
            let needed = dynamic.split(separator: "\n").filter { $0.contains("(NEEDED)") }
                .compactMap { $0.split(separator: "[").last?.split(separator: "]").first.map(String.init) }
            let allowed = ["libevent-2.1.so.7", "libm.so.6", "libstdc++.so.6", "libgcc_s.so.1", "libc.so.6",
                           "ld-linux-x86-64.so.2"]
            #expect(needed.contains("libevent-2.1.so.7") && Set(needed).isSubset(of: allowed), "\(needed)")
            #expect(!dynamic.contains("/opt/swift"), "\(dynamic)")
            let (versionStatus, version) = try Command.run(binary, ["--version"], environment: bare)
            #expect(versionStatus == 0 && version.hasPrefix("claude-code-proxy "), "\(version)")

            // doctor tells the truth about the CLI and the missing login.
            let (doctorStatus, doctor) = try Command.run(binary, ["doctor", "--claude", TestEnvironment.realCLI, "--port", "0"],
                                                      environment: bare)
            #expect(doctorStatus == 1, "no login here: \(doctor)")
            #expect(doctor.contains("✓ CLI: \(TestEnvironment.realCLI), version 2.1.") || doctor.contains("! CLI: "),
                    "\(doctor)")
            #expect(doctor.contains("✗ login: none found") && doctor.contains("--fake-upstream"), "\(doctor)")

            // It serves: the installed binary with the installed key file, in test mode.
            let proxy = try ProxyProcess(arguments: ["--fake-upstream"],
                                         environment: ["PATH": "/usr/bin:/bin", "PROXY_API_KEY": "",
                                                       "PROXY_API_KEY_FILE": keyFile],
                                         binary: binary)
            defer { proxy.stop() }
            let answer = CurlClient.json("POST", proxy.baseURL + "/v1/chat/completions", key: key,
                                         body: #"{"model":"sonnet","messages":[{"role":"user","content":"hi"}]}"#)
            #expect(answer.status == 200, "\(answer.text)")
            // `bench` loads libcurl when it runs.
            let (benchStatus, bench) = try Command.run(binary, ["bench", "--url", proxy.baseURL + "/v1", "--api-key", key,
                                                             "--requests", "2", "--quiet"], environment: bare)
            #expect(benchStatus == 0 && bench.contains("2/2 ok"), "\(bench)")

            let (uninstallStatus, _) = try Command.run(release, ["install", "--prefix", prefix, "--uninstall"], environment: bare)
            #expect(uninstallStatus == 0)
            #expect(!files.fileExists(atPath: binary) && !files.fileExists(atPath: unit))
            #expect(files.fileExists(atPath: keyFile), "the key stays")
        }
    }
}
