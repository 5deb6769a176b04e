#!/usr/bin/env python3
"""Continuity benchmark (not part of the suite): first token of a resumed tool round trip, a
resumed next turn and a warm-pool hit, each paired with the cold path in the same run, plus a
CLI started ahead and driven directly (the floor). Two proxies share one mock upstream and the
real CLI: A keeps nothing (--max-parked 0 --warm-pool 0), B runs with its defaults and
--warm-pool 2. Requests alternate A, B, A, B… Also prints how the history reaches the upstream
(real messages or one flattened one) and where the cache marker sits.

  python3 bench/continuity.py [--rounds 20] [--binary .build/release/claude-code-proxy]
"""
import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time

import first_token  # bench/first_token.py: the streaming client both benchmarks use

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOOLS = [{"type": "function", "function": {"name": "get_weather", "parameters": {
    "type": "object", "properties": {"city": {"type": "string"}}}}}]


def post(port, key, body):
    """Streams a chat request; returns (ms to the first content or tool-call delta, whole text)."""
    return first_token.stream(port, key, body, marks=(b'"content":"', b'"tool_calls"'))


def whole(port, key, body):
    payload = json.dumps(body).encode()
    head = (f"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\nConnection: close\r\n\r\n").encode()
    sock = socket.create_connection(("127.0.0.1", port), timeout=60)
    sock.sendall(head + payload)
    data = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    sock.close()
    return json.loads(data.split(b"\r\n\r\n", 1)[1])


def start_proxy(binary, cli, mock_port, flags):
    tmp = tempfile.mkdtemp(prefix="ccp-cont-")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PROXY_API_KEY": "k", "HOME": tmp, "TMPDIR": tmp,
           "ANTHROPIC_BASE_URL": f"http://127.0.0.1:{mock_port}", "ANTHROPIC_API_KEY": "sk"}
    proxy = subprocess.Popen([binary, "--port", "0", "--claude", cli, "--log-level", "warning"] + flags,
                             env=env, stderr=subprocess.PIPE, text=True)
    port = int(proxy.stderr.readline().rsplit(":", 1)[1])
    return proxy, port


def tool_round_trip(port, tag):
    user = {"role": "user", "content": f"weather? [[scenario:tool_call]] [[id:{tag}]]"}
    first = whole(port, "k", {"model": "sonnet", "tools": TOOLS, "messages": [user]})
    message = first["choices"][0]["message"]
    call = message["tool_calls"][0]
    body = {"model": "sonnet", "stream": True, "tools": TOOLS,
            "messages": [user, message, {"role": "tool", "tool_call_id": call["id"], "content": "Sunny"}]}
    return post(port, "k", body)[0]


def next_turn(port, tag):
    user = {"role": "user", "content": f"hi [[scenario:text]] [[id:{tag}]]"}
    first = whole(port, "k", {"model": "sonnet", "tools": TOOLS, "messages": [user]})
    body = {"model": "sonnet", "stream": True, "tools": TOOLS,
            "messages": [user, first["choices"][0]["message"], {"role": "user", "content": f"again [[id:{tag}]]"}]}
    return post(port, "k", body)[0]


def new_request(port, system):
    body = {"model": "sonnet", "stream": True,
            "messages": [{"role": "system", "content": system}, {"role": "user", "content": "hello"}]}
    return post(port, "k", body)[0]


def direct_cli(cli, mock_port):
    """A CLI started ahead, idle 1 s, then one user line: ms to its first text delta."""
    tmp = tempfile.mkdtemp(prefix="ccp-direct-")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": tmp, "ANTHROPIC_BASE_URL": f"http://127.0.0.1:{mock_port}",
           "ANTHROPIC_API_KEY": "sk", "CLAUDE_CODE_MAX_RETRIES": "0", "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1"}
    child = subprocess.Popen([cli, "-p", "--input-format", "stream-json", "--output-format", "stream-json", "--verbose",
                              "--include-partial-messages", "--bare", "--tools", "", "--max-turns", "1"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, cwd=tmp)
    time.sleep(1)
    started = time.perf_counter()
    child.stdin.write(json.dumps({"type": "user", "message": {"role": "user", "content": [{"type": "text", "text": "hello"}]}}).encode() + b"\n")
    child.stdin.flush()
    first = None
    for line in child.stdout:
        if b'"text_delta"' in line:
            first = (time.perf_counter() - started) * 1000
            break
    child.stdin.close()
    child.kill()
    child.wait()
    return first


def summary(name, cold, fast):
    c, f = statistics.median(cold), statistics.median(fast)
    diffs = sorted(b - a for a, b in zip(cold, fast))
    print(f"| {name} | {c:.0f} | {f:.0f} | {f / c:.2f} | {statistics.median(diffs):+.0f} |")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--binary", default=next(p for p in [os.path.join(ROOT, ".build/release/claude-code-proxy"),
                                                            os.path.join(ROOT, ".build/debug/claude-code-proxy")]
                                                 if os.path.exists(p)))
    args = parser.parse_args()
    cli = os.environ.get("CLAUDE_BIN") or subprocess.check_output(["bash", os.path.join(ROOT, "scripts/fetch-cli.sh")],
                                                                  text=True).strip()
    mock = subprocess.Popen([sys.executable, os.path.join(ROOT, "Tests/Integration/Support/mock_anthropic.py")],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    mock_port = int(mock.stdout.readline().split()[-1])
    cold, cold_port = start_proxy(args.binary, cli, mock_port, ["--max-parked", "0", "--warm-pool", "0"])
    kept, kept_port = start_proxy(args.binary, cli, mock_port, ["--warm-pool", "2"])
    results = {k: ([], []) for k in ["tool", "turn", "new"]}
    direct = []
    try:
        new_request(kept_port, "Be brief.")  # the warm pool learns the shape
        time.sleep(1)
        for n in range(args.rounds):
            for kind, run in [("tool", tool_round_trip), ("turn", next_turn)]:
                results[kind][0].append(run(cold_port, f"c{kind}{n}"))
                results[kind][1].append(run(kept_port, f"k{kind}{n}"))
            results["new"][0].append(new_request(cold_port, "Be brief."))
            results["new"][1].append(new_request(kept_port, "Be brief."))
            time.sleep(0.6)  # the pool's replacement starts in the background
            if n < 8:
                direct.append(direct_cli(cli, mock_port))
        print(f"first token, ms, median of {args.rounds} pairs (A cold, B kept or warm)\n")
        print("| request | cold | kept / warm | ratio | paired difference |\n|---|---|---|---|---|")
        summary("tool round trip, resumed", *results["tool"])
        summary("next turn, resumed", *results["turn"])
        summary("new request, warm hit", *results["new"])
        print(f"\nA CLI started ahead and driven directly: median {statistics.median(direct):.0f} ms (n={len(direct)})")
        bodies = json.loads(subprocess.check_output(["curl", "-s", f"http://127.0.0.1:{mock_port}/_requests?id=ktool0"]))
        cold_bodies = json.loads(subprocess.check_output(["curl", "-s", f"http://127.0.0.1:{mock_port}/_requests?id=ctool0"]))
        for name, body in [("cold", cold_bodies[-1]), ("resumed", bodies[-1])]:
            shape = [(m["role"], [c.get("type") for c in m["content"]] if isinstance(m["content"], list) else ["text"],
                      [bool(c.get("cache_control")) for c in m["content"]] if isinstance(m["content"], list) else [])
                     for m in body["messages"] if m["role"] != "system"]
            print(f"upstream history, {name} round trip: {shape}")
    finally:
        for proxy in (cold, kept):
            proxy.terminate()
            proxy.wait(timeout=30)
        mock.kill()


if __name__ == "__main__":
    main()
