#!/usr/bin/env python3
"""Paired first-token benchmark (not part of the suite): two proxy binaries, one mock upstream,
the same real CLI, requests alternated A, B, A, B… in one run, so the machine's noise falls on
both alike. Prints each side's time to first token (first content delta of a streamed chat
reply, seen by the client) and the paired differences' median with a bootstrap 95 % interval.

  python3 bench/first_token.py --baseline OLD_BINARY [--candidate NEW_BINARY] [--requests 40]

The candidate defaults to .build/release/claude-code-proxy, else .build/debug/. Traffic stays on
loopback: a mock Anthropic API and both proxies are started here.
"""
import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MOCK = os.path.join(ROOT, "Tests/Integration/Support/mock_anthropic.py")


def start_proxy(binary, cli, mock_port, key, tmpdir):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PROXY_API_KEY": key, "HOME": tmpdir, "TMPDIR": tmpdir,
           "ANTHROPIC_BASE_URL": f"http://127.0.0.1:{mock_port}", "ANTHROPIC_API_KEY": "sk-bench"}
    proxy = subprocess.Popen([binary, "--port", "0", "--claude", cli, "--log-level", "warning"],
                             env=env, stderr=subprocess.PIPE, text=True)
    line = proxy.stderr.readline()
    return proxy, int(line.rsplit(":", 1)[1])


def cli_first_delta(child, started):
    """Reads a CLI's stream-json stdout up to its `result`; returns ms from `started` to the first
    text delta (None when there was none)."""
    first = None
    for raw in child.stdout:
        event = json.loads(raw)
        delta = event.get("event", {}).get("delta", {}) if event.get("type") == "stream_event" else {}
        if first is None and delta.get("type") == "text_delta":
            first = (time.perf_counter() - started) * 1000
        if event.get("type") == "result":
            break
    return first


def stream(port, key, body, marks=(b'"content":"',)):
    """Posts a streamed chat request; returns (ms to the first chunk after the role chunk that holds
    one of `marks`, the whole reply)."""
    payload = json.dumps(body).encode()
    head = (f"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {key}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\nConnection: close\r\n\r\n").encode()
    sock = socket.create_connection(("127.0.0.1", port), timeout=60)
    started = time.perf_counter()
    sock.sendall(head + payload)
    data, first = b"", None
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
        after_role = data.split(b'"role":"assistant"', 1)[-1]
        if first is None and any(mark in after_role for mark in marks):
            first = (time.perf_counter() - started) * 1000
    sock.close()
    return first, data.decode(errors="replace")


def first_token(port, key):
    body = {"model": "sonnet", "stream": True, "messages": [{"role": "user", "content": "bench [[scenario:text]]"}]}
    first, data = stream(port, key, body)
    if first is None:
        raise RuntimeError(f"no content in reply: {data[:200]!r}")
    return first


def bootstrap(values, rounds=2000, seed=1):
    rng = random.Random(seed)
    medians = sorted(statistics.median(rng.choices(values, k=len(values))) for _ in range(rounds))
    return medians[int(rounds * 0.025)], medians[int(rounds * 0.975)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--baseline", required=True)
    parser.add_argument("--candidate")
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args()
    candidate = args.candidate or next(p for p in [os.path.join(ROOT, ".build/release/claude-code-proxy"),
                                                   os.path.join(ROOT, ".build/debug/claude-code-proxy")]
                                       if os.path.exists(p))
    cli = os.environ.get("CLAUDE_BIN") or subprocess.check_output(
        ["bash", os.path.join(ROOT, "scripts/fetch-cli.sh")], text=True).strip()
    mock = subprocess.Popen([sys.executable, MOCK], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    mock_port = int(mock.stdout.readline().split()[-1])
    key = "bench-key"
    tmp = tempfile.mkdtemp(prefix="ccp-bench-")
    sides = {}
    for name, binary in [("baseline", args.baseline), ("candidate", candidate)]:
        sides[name] = start_proxy(binary, cli, mock_port, key, tempfile.mkdtemp(dir=tmp))
    try:
        for _ in range(args.warmup):
            for proxy, port in sides.values():
                first_token(port, key)
        times = {"baseline": [], "candidate": []}
        for n in range(args.requests):
            order = ["baseline", "candidate"] if n % 2 == 0 else ["candidate", "baseline"]
            for name in order:
                times[name].append(first_token(sides[name][1], key))
    finally:
        for proxy, _ in sides.values():
            proxy.terminate()
            proxy.wait(timeout=30)
        mock.kill()
    diffs = [c - b for b, c in zip(times["baseline"], times["candidate"])]
    low, high = bootstrap(diffs)
    print(f"first token, ms (n={args.requests} pairs, alternated)")
    for name in ["baseline", "candidate"]:
        values = sorted(times[name])
        print(f"  {name:10} median {statistics.median(values):7.1f}   p90 {values[int(len(values) * 0.9) - 1]:7.1f}")
    print(f"  candidate - baseline: median {statistics.median(diffs):+.1f} ms, 95 % CI [{low:+.1f}, {high:+.1f}]")


if __name__ == "__main__":
    main()
