/// Where `install` puts things under a home directory, and the unit's text. Pure.
package struct InstallPlan: Sendable, Equatable {
    package var home: String
    package var port: Int

    package init(home: String, port: Int = 8080) {
        self.home = home
        self.port = port
    }

    package var binDirectory: String { home + "/.local/bin" }
    package var binary: String { binDirectory + "/claude-code-proxy" }
    package var unitDirectory: String { home + "/.config/systemd/user" }
    package var unit: String { unitDirectory + "/claude-code-proxy.service" }
    package var keyDirectory: String { home + "/.config/claude-code-proxy" }
    package var keyFile: String { keyDirectory + "/api-key" }

    /// 24 random bytes as hex, from the system's generator (the kernel's getrandom).
    package static func randomKey() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<24).map { _ in
            let byte = UInt8.random(in: 0...255, using: &generator)
            return (byte < 16 ? "0" : "") + String(byte, radix: 16)
        }.joined()
    }

    /// The systemd user unit (the same as contrib/claude-code-proxy.service, with this plan's paths).
    package var unitText: String {
        """
        # systemd user unit for claude-code-proxy, written by `claude-code-proxy install`.
        [Unit]
        Description=OpenAI-compatible API over the Claude Code CLI
        After=network-online.target

        [Service]
        Type=simple
        # The key is read from a file (never argv): one key per line.
        Environment=PROXY_API_KEY_FILE=\(keyFile)
        Environment=PORT=\(port)
        Environment=HOST=127.0.0.1
        # Where `claude` lives for this user; the proxy finds it on PATH.
        Environment=PATH=\(binDirectory):/usr/local/bin:/usr/bin:/bin
        ExecStart=\(binary)
        Restart=on-failure
        RestartSec=2
        # SIGTERM drains running requests (--drain-timeout, 30 s) before the CLIs are stopped.
        KillMode=mixed
        TimeoutStopSec=45

        # Hardening that leaves room for what the proxy must do: spawn the CLI (a Bun binary that
        # needs executable memory for its JIT), read the Claude Code login in ~/.claude, and reach
        # the Anthropic API over the network.
        NoNewPrivileges=yes
        PrivateTmp=yes
        ProtectSystem=strict
        ProtectHome=read-only
        ReadWritePaths=%h/.claude
        ProtectKernelTunables=yes
        ProtectKernelModules=yes
        ProtectControlGroups=yes
        ProtectClock=yes
        ProtectHostname=yes
        RestrictNamespaces=yes
        RestrictRealtime=yes
        RestrictSUIDSGID=yes
        LockPersonality=yes
        RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6
        SystemCallArchitectures=native
        UMask=0077

        [Install]
        WantedBy=default.target

        """
    }
}
