#!/usr/bin/env python3
"""Soak test (not part of the suite): many requests through the real CLI, with a share of
clients leaving at random moments. Prints the proxy's children, zombies, open file
descriptors and RSS before and after. Expected: 0, 0, unchanged, within a few MB.

  python3 bench/soak.py [--requests 1000] [--clients 8] [--leave 0.3] [--seed 1]

Needs the built proxy (.build/debug or PROXY_BINARY) and the pinned CLI (scripts/fetch-cli.sh).
Traffic goes to loopback only: a mock Anthropic API and the proxy, both started here.
"""
import argparse
import http.client
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def proc_stat(pid):
    with open(f"/proc/{pid}/stat") as f:
        data = f.read()
    fields = data[data.rindex(")") + 2:].split()
    return fields[0], int(fields[1])  # state, ppid


def children(pid):
    out = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                state, ppid = proc_stat(name)
            except (OSError, ValueError):
                continue
            if ppid == pid:
                out.append((int(name), state))
    return out


def snapshot(pid):
    with open(f"/proc/{pid}/status") as f:
        rss = int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))
    kids = children(pid)
    return {"children": len([k for k in kids if k[1] != "Z"]), "zombies": len([k for k in kids if k[1] == "Z"]),
            "fds": len(os.listdir(f"/proc/{pid}/fd")), "rss_kb": rss}


def one_request(port, key, rng, leave):
    stream = rng.random() < 0.6
    path = "/v1/chat/completions" if rng.random() < 0.7 else "/v1/responses"
    scenario = rng.choice(["text", "text", "slow", "utf8", "thinking"])
    text = f"soak [[scenario:{scenario}]]"
    body = ({"stream": stream, "messages": [{"role": "user", "content": text}]} if "chat" in path
            else {"stream": stream, "input": text})
    payload = json.dumps(body).encode()
    head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {key}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\nConnection: close\r\n\r\n").encode()
    sock = socket.create_connection(("127.0.0.1", port), timeout=120)
    try:
        sock.sendall(head + payload)
        if leave:
            time.sleep(rng.uniform(0, 1.2))
            return "left"
        data = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
        status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/1.1") else 0
        return status
    finally:
        sock.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--leave", type=float, default=0.3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    binary = os.environ.get("PROXY_BINARY", os.path.join(ROOT, ".build/debug/claude-code-proxy"))
    cli = os.environ.get("CLAUDE_BIN") or subprocess.check_output(["bash", os.path.join(ROOT, "scripts/fetch-cli.sh")],
                                                                  text=True).strip()
    mock = subprocess.Popen([sys.executable, os.path.join(ROOT, "Tests/Integration/Support/mock_anthropic.py")],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    mock_port = int(mock.stdout.readline().split()[-1])
    key = "soak-key"
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PROXY_API_KEY": key, "HOME": "/tmp",
           "ANTHROPIC_BASE_URL": f"http://127.0.0.1:{mock_port}", "ANTHROPIC_API_KEY": "sk-soak"}
    proxy = subprocess.Popen([binary, "--port", "0", "--claude", cli, "--log-level", "warning"],
                             env=env, stderr=subprocess.PIPE, text=True)
    line = proxy.stderr.readline()
    port = int(line.rsplit(":", 1)[1])
    threading.Thread(target=lambda: [None for _ in proxy.stderr], daemon=True).start()

    # Warm up (first CLI start fills caches), then take the baseline.
    one_request(port, key, random.Random(0), False)
    time.sleep(1)
    before = snapshot(proxy.pid)

    rng = random.Random(args.seed)
    plan = [rng.random() < args.leave for _ in range(args.requests)]
    results, lock, started = {}, threading.Lock(), time.time()
    queue = list(enumerate(plan))

    def worker(n):
        local = random.Random(args.seed * 1000 + n)
        while True:
            with lock:
                if not queue:
                    return
                index, leave = queue.pop()
            try:
                outcome = one_request(port, key, local, leave)
            except OSError as error:
                outcome = f"error:{error.__class__.__name__}"
            with lock:
                results[outcome] = results.get(outcome, 0) + 1

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(args.clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.time() - started

    # Let the proxy finish stopping the CLIs of clients that left (SIGTERM, SIGKILL after 2 s).
    deadline = time.time() + 30
    while time.time() < deadline and snapshot(proxy.pid)["children"] > 0:
        time.sleep(0.2)
    time.sleep(1)
    after = snapshot(proxy.pid)
    proxy.send_signal(signal.SIGTERM)
    code = proxy.wait(timeout=60)
    mock.kill()

    print(f"requests: {args.requests} in {elapsed:.1f} s with {args.clients} clients; outcomes: "
          + ", ".join(f"{k}={v}" for k, v in sorted(results.items(), key=lambda kv: str(kv[0]))))
    print(f"{'':14}{'before':>10}{'after':>10}")
    for name in ["children", "zombies", "fds", "rss_kb"]:
        print(f"{name:14}{before[name]:>10}{after[name]:>10}")
    print(f"proxy exit status after SIGTERM: {code}")


if __name__ == "__main__":
    main()
