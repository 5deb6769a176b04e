import Foundation
import Testing

extension Integration {
    /// The real Codex CLI (the pinned `openai-codex-cli-bin` wheel scripts/test.sh installs) against
    /// the proxy's Responses endpoint, through the real Claude CLI as a subscriber. Codex speaks
    /// Responses statelessly (`store: false`, the whole history each time) with function tools, a
    /// `namespace` tool and, unless turned off, the built-in `web_search`.
    @Suite struct Codex {
        /// The Codex binary in the SDK venv, nil when the venv has none.
        static let binary: String? = {
            let python = TestEnvironment.packageRoot.appendingPathComponent(".cache/sdk-venv/bin/python").path
            guard let (status, output) = try? Command.run(
                python, ["-c", "import codex_cli_bin; print(codex_cli_bin.bundled_codex_path())"],
                environment: ["PATH": "/usr/bin:/bin"]), status == 0 else { return nil }
            return output.trimmingCharacters(in: .whitespacesAndNewlines)
        }()

        /// `codex exec` in a private home and working directory, pointed at the proxy; every other
        /// host it would reach goes to a closed loopback port.
        private func codex(_ proxy: ProxyProcess, prompt: String, workdir: String, extra: [String] = [])
            throws -> (status: Int32, output: String) {
            let binary = try #require(Self.binary, "no Codex CLI: scripts/test.sh installs openai-codex-cli-bin")
            let home = workdir + "-home"
            try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
            // Started with no signal blocked: Foundation's Process hands its blocked set on, and Codex
            // then notices its command's exit only when its 10 s wait for output runs out.
            let unblocked = "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); os.execv(sys.argv[1], sys.argv[1:])"
            return try Command.run("/usr/bin/python3", ["-c", unblocked, binary,
                "exec", "--skip-git-repo-check", "-C", workdir, "--sandbox", "danger-full-access",
                "-c", "model_provider=ccp", "-c", #"model_providers.ccp.name="ccp""#,
                "-c", #"model_providers.ccp.base_url="\#(proxy.baseURL)/v1""#,
                "-c", #"model_providers.ccp.env_key="CCP_KEY""#, "-c", #"model_providers.ccp.wire_api="responses""#,
                "-m", "sonnet",
            ] + extra + [prompt], environment: [
                "PATH": "/usr/bin:/bin", "HOME": home, "CODEX_HOME": home, "CCP_KEY": ProxyProcess.key,
                "HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9", "NO_PROXY": "127.0.0.1,localhost",
            ])
        }

        /// A tool loop: the model asks for Codex's `exec_command`, Codex runs it and sends the
        /// result back with the whole history; the proxy continues the turn in the kept CLI.
        @Test(.needsRealCLI) func codexRunsAToolLoopStatelessly() throws {
            let proxy = try ProxyProcess()
            defer { proxy.stop() }
            let workdir = NSTemporaryDirectory() + "codex-\(UUID().uuidString.prefix(8))"
            try FileManager.default.createDirectory(atPath: workdir, withIntermediateDirectories: true)
            let tag = "codex\(UInt32.random(in: 0...UInt32.max))"
            let (status, output) = try codex(proxy, prompt: "make a file [[scenario:exec_proof]] [[id:\(tag)]]",
                                             workdir: workdir, extra: ["-c", "web_search=disabled"])
            #expect(status == 0, "\(output.suffix(1500))")
            #expect(output.contains("The tool said:"), "\(output.suffix(1500))")
            #expect((try? String(contentsOfFile: workdir + "/proof.txt", encoding: .utf8)) == "proxied\n")
            // The result came back in a new stateless request and went on in the same CLI.
            #expect(proxy.metric(#"ccp_conversation_resumes_total{kind="tool_result"}"#) == 1, "\(proxy.log.suffix(1500))")
            let upstream = TestEnvironment.mock.requests(tag: tag)
            #expect(upstream.count == 2)
            let credentials = TestEnvironment.mock.credentials(tag: tag)
            #expect(!credentials.isEmpty && credentials.allSatisfy { $0.kind == "oauth" }, "\(credentials)")
            // Its namespace tool reached the model as one bridged name.
            let names = (upstream.first?["tools"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            #expect(names.contains("mcp__client__multi_agent_v1__close_agent"), "\(names)")
        }

        /// Codex's default `web_search` is refused by name, with the setting that turns it off.
        @Test(.needsRealCLI) func codexsWebSearchIsRefusedWithTheFix() throws {
            let proxy = try ProxyProcess()
            defer { proxy.stop() }
            let workdir = NSTemporaryDirectory() + "codex-\(UUID().uuidString.prefix(8))"
            try FileManager.default.createDirectory(atPath: workdir, withIntermediateDirectories: true)
            let (status, output) = try codex(proxy, prompt: "hi", workdir: workdir)
            #expect(status != 0)
            #expect(output.contains("web_search=disabled") && output.contains("unsupported_tool_type"), "\(output.suffix(1500))")
        }
    }
}
