#!/usr/bin/env python3
"""What the proxy adds to the CLI's own latency (not part of the suite). In one run, alternating
in pairs: the CLI started directly with the proxy's flags, timed from spawn to its first text
delta; and a streamed chat request through the proxy, timed from the request to its first content
chunk. Both against one mock Anthropic API on loopback, so the difference is the proxy's.

  python3 bench/proxy_vs_cli.py [--proxy BINARY] [--pairs 30]

Prints each side's median time to first token and the paired differences' median with a
bootstrap 95 % interval.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from first_token import MOCK, ROOT, bootstrap, cli_first_delta, first_token, start_proxy  # noqa: E402


def cli_first_token(cli, env, prompt_file):
    """Spawns the CLI as the proxy would and times its first text delta."""
    argv = [cli, "--print", "--input-format", "stream-json", "--output-format", "stream-json", "--verbose",
            "--include-partial-messages", "--tools", "", "--setting-sources", "", "--strict-mcp-config",
            "--no-session-persistence", "--disable-slash-commands", "--max-turns", "1",
            "--system-prompt-file", prompt_file, "--model", "sonnet"]
    started = time.perf_counter()
    child = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    line = {"type": "user", "message": {"role": "user", "content": "bench [[scenario:text]]"}}
    child.stdin.write((json.dumps(line) + "\n").encode())
    child.stdin.close()
    first = cli_first_delta(child, started)
    child.wait()
    if first is None:
        raise RuntimeError("the CLI gave no text")
    return first


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--proxy", default=next((p for p in [os.path.join(ROOT, ".build/release/claude-code-proxy"),
                                                              os.path.join(ROOT, ".build/debug/claude-code-proxy")]
                                                 if os.path.exists(p)), None))
    parser.add_argument("--cli", default=os.path.join(ROOT, ".cache/claude-cli/0.2.188/claude"))
    parser.add_argument("--pairs", type=int, default=30)
    args = parser.parse_args()
    tmpdir = tempfile.mkdtemp(prefix="ccp-bench-")
    mock = subprocess.Popen([sys.executable, MOCK], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    mock_port = int(mock.stdout.readline().split()[-1])
    key = "bench-key"
    proxy, port = start_proxy(args.proxy, args.cli, mock_port, key, tmpdir)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": tmpdir, "TMPDIR": tmpdir,
           "ANTHROPIC_BASE_URL": f"http://127.0.0.1:{mock_port}", "ANTHROPIC_API_KEY": "sk-bench",
           # The environment the proxy gives its CLIs (CLIProfile), so only the proxy differs.
           "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1", "CLAUDE_CODE_ATTRIBUTION_HEADER": "0",
           "CLAUDE_CODE_MAX_RETRIES": "0", "CLAUDE_CODE_DISABLE_NONSTREAMING_FALLBACK": "1",
           "CLAUDE_CODE_DISABLE_AUTO_MEMORY": "1", "CLAUDE_CODE_DISABLE_CLAUDE_MDS": "1", "DISABLE_AUTOUPDATER": "1",
           "DISABLE_TELEMETRY": "1", "DISABLE_ERROR_REPORTING": "1"}
    # A HOME like the proxy's runtime directory gives its CLIs (with its .claude directory made).
    env["HOME"] = os.path.join(tmpdir, "direct-home")
    os.makedirs(os.path.join(env["HOME"], ".claude"), exist_ok=True)
    prompt_file = os.path.join(tmpdir, "system.txt")
    with open(prompt_file, "w") as handle:
        handle.write("You are a helpful assistant.")
    try:
        for _ in range(2):  # warm the page cache for both
            cli_first_token(args.cli, env, prompt_file)
            first_token(port, key)
        direct, proxied = [], []
        for pair in range(args.pairs):
            order = [0, 1] if pair % 2 == 0 else [1, 0]
            results = {}
            for side in order:
                results[side] = cli_first_token(args.cli, env, prompt_file) if side == 0 else first_token(port, key)
            direct.append(results[0])
            proxied.append(results[1])
        diffs = [p - d for p, d in zip(proxied, direct)]
        low, high = bootstrap(diffs)
        print(f"CLI run directly, spawn to first text delta: median {statistics.median(direct):.1f} ms")
        print(f"through the proxy, request to first content: median {statistics.median(proxied):.1f} ms")
        print(f"proxy − direct, paired over {args.pairs}: median {statistics.median(diffs):+.1f} ms "
              f"[95 % {low:+.1f}, {high:+.1f}]")
    finally:
        proxy.terminate()
        proxy.wait()
        mock.stdin.close()


if __name__ == "__main__":
    main()
