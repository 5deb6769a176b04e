#!/usr/bin/env python3
"""Soak test (not part of the suite): many requests through the real CLI, with a share of
clients leaving at random moments, a share of long Responses answers (300 KiB, whose final
events pass the proxy's 1 MiB high-water mark) and a share of slow readers. Prints the
proxy's children, zombies, open file descriptors, RSS, requests in flight and prompt files
before and after. Expected: 0, 0, unchanged, within a few MB, 0, 0.

  python3 bench/soak.py [--requests 1000] [--clients 8] [--leave 0.3] [--long 0.15] [--slow 0.1] [--seed 1]

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
import tempfile
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


def in_flight(port, key):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/metrics", headers={"Authorization": f"Bearer {key}"})
    text = conn.getresponse().read().decode()
    conn.close()
    return int(float(re.search(r"^ccp_requests_in_flight (\S+)$", text, re.M).group(1)))


def prompt_files(tmpdir):
    count = 0
    for name in os.listdir(tmpdir):
        prompts = os.path.join(tmpdir, name, "prompts")
        if name.startswith("claude-code-proxy.") and os.path.isdir(prompts):
            count += len(os.listdir(prompts))
    return count


def snapshot(pid, port, key, tmpdir):
    with open(f"/proc/{pid}/status") as f:
        rss = int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))
    kids = children(pid)
    return {"children": len([k for k in kids if k[1] != "Z"]), "zombies": len([k for k in kids if k[1] == "Z"]),
            "fds": len(os.listdir(f"/proc/{pid}/fd")), "rss_kb": rss, "in_flight": in_flight(port, key),
            "prompt_files": prompt_files(tmpdir)}


def one_request(port, key, rng, leave, long=False, slow=False):
    stream = rng.random() < 0.6
    path = "/v1/chat/completions" if rng.random() < 0.7 else "/v1/responses"
    scenario = rng.choice(["text", "text", "slow", "utf8", "thinking"])
    if long:
        stream, path, scenario = True, "/v1/responses", "big:300"
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
            chunk = sock.recv(4096 if slow else 65536)
            if not chunk:
                break
            data += chunk
            if slow:
                time.sleep(0.005)
        status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/1.1") else 0
        return status
    finally:
        sock.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--leave", type=float, default=0.3)
    parser.add_argument("--long", type=float, default=0.15, help="share of 300 KiB Responses streams")
    parser.add_argument("--slow", type=float, default=0.1, help="share of slow readers (4 KiB per 5 ms)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--proxy-args", default="", help="extra flags for the proxy, e.g. '--queue-timeout 2'")
    args = parser.parse_args()

    binary = os.environ.get("PROXY_BINARY", os.path.join(ROOT, ".build/debug/claude-code-proxy"))
    cli = os.environ.get("CLAUDE_BIN") or subprocess.check_output(["bash", os.path.join(ROOT, "scripts/fetch-cli.sh")],
                                                                  text=True).strip()
    mock = subprocess.Popen([sys.executable, os.path.join(ROOT, "Tests/Integration/Support/mock_anthropic.py")],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    mock_port = int(mock.stdout.readline().split()[-1])
    key = "soak-key"
    tmpdir = tempfile.mkdtemp(prefix="ccp-soak-")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PROXY_API_KEY": key, "HOME": tmpdir, "TMPDIR": tmpdir,
           "ANTHROPIC_BASE_URL": f"http://127.0.0.1:{mock_port}", "ANTHROPIC_API_KEY": "sk-soak"}
    proxy = subprocess.Popen([binary, "--port", "0", "--claude", cli, "--log-level", "warning"] + args.proxy_args.split(),
                             env=env, stderr=subprocess.PIPE, text=True)
    line = proxy.stderr.readline()
    port = int(line.rsplit(":", 1)[1])
    threading.Thread(target=lambda: [None for _ in proxy.stderr], daemon=True).start()

    # Warm up (first CLI start fills caches), then take the baseline.
    one_request(port, key, random.Random(0), False)
    time.sleep(1)
    before = snapshot(proxy.pid, port, key, tmpdir)

    rng = random.Random(args.seed)
    plan = []
    for _ in range(args.requests):
        roll = rng.random()
        plan.append(("leave" if roll < args.leave else "long" if roll < args.leave + args.long
                     else "slow" if roll < args.leave + args.long + args.slow else "plain"))
    results, lock, started = {}, threading.Lock(), time.time()
    queue = list(enumerate(plan))

    def worker(n):
        local = random.Random(args.seed * 1000 + n)
        while True:
            with lock:
                if not queue:
                    return
                index, kind = queue.pop()
            try:
                outcome = one_request(port, key, local, kind == "leave", long=kind == "long", slow=kind == "slow")
                if kind in ("long", "slow") and outcome != "left":
                    outcome = f"{kind}:{outcome}"
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
    while time.time() < deadline and snapshot(proxy.pid, port, key, tmpdir)["children"] > 0:
        time.sleep(0.2)
    time.sleep(1)
    after = snapshot(proxy.pid, port, key, tmpdir)
    proxy.send_signal(signal.SIGTERM)
    code = proxy.wait(timeout=60)
    mock.kill()

    print(f"requests: {args.requests} in {elapsed:.1f} s with {args.clients} clients; outcomes: "
          + ", ".join(f"{k}={v}" for k, v in sorted(results.items(), key=lambda kv: str(kv[0]))))
    print(f"{'':14}{'before':>10}{'after':>10}")
    for name in ["children", "zombies", "fds", "rss_kb", "in_flight", "prompt_files"]:
        print(f"{name:14}{before[name]:>10}{after[name]:>10}")
    print(f"proxy exit status after SIGTERM: {code}")
    left = [n for n in os.listdir(tmpdir) if n.startswith("claude-code-proxy.")]
    print(f"private directories left after exit: {len(left)}")


if __name__ == "__main__":
    main()
