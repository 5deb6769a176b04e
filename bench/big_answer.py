#!/usr/bin/env python3
"""Big-answer benchmark (not part of the suite): a 64 MiB answer from a fake CLI, streamed on
both endpoints to a client that reads as fast as it can, while another client asks /health every
10 ms. Prints the proxy's peak RSS and the longest /health wait during each answer, against the
same figures at idle.

  python3 bench/big_answer.py [--mib 64] [--binary .build/release/claude-code-proxy]
"""
import argparse
import json
import os
import socket
import subprocess
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(next(line for line in f if line.startswith("VmRSS")).split()[1])


def get_health(port):
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    started = time.perf_counter()
    sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    while sock.recv(4096):
        pass
    sock.close()
    return (time.perf_counter() - started) * 1000


def measure(port, pid, path, body):
    stop = threading.Event()
    waits, peak = [], [rss_kb(pid)]

    def watch():
        while not stop.is_set():
            waits.append(get_health(port))
            peak[0] = max(peak[0], rss_kb(pid))
            time.sleep(0.01)

    thread = threading.Thread(target=watch)
    thread.start()
    payload = json.dumps(body).encode()
    sock = socket.create_connection(("127.0.0.1", port), timeout=300)
    sock.sendall((f"POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer k\r\nContent-Type: application/json\r\n"
                  f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n").encode() + payload)
    received = 0
    started = time.perf_counter()
    while True:
        chunk = sock.recv(1 << 20)
        if not chunk:
            break
        received += len(chunk)
    elapsed = time.perf_counter() - started
    stop.set()
    thread.join()
    return received, elapsed, peak[0], max(waits) if waits else 0, sorted(waits)[len(waits) // 2] if waits else 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mib", type=int, default=64)
    parser.add_argument("--binary", default=next(p for p in [os.path.join(ROOT, ".build/release/claude-code-proxy"),
                                                            os.path.join(ROOT, ".build/debug/claude-code-proxy")]
                                                 if os.path.exists(p)))
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="ccp-big-")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PROXY_API_KEY": "k", "HOME": tmp, "TMPDIR": tmp}
    proxy = subprocess.Popen([args.binary, "--port", "0", "--claude", os.path.join(ROOT, "Tests/Integration/Fixtures/fake_claude.py"),
                              "--log-level", "warning", "--max-reply-bytes", str((args.mib + 8) << 20)],
                             env=env, stderr=subprocess.PIPE, text=True)
    port = int(proxy.stderr.readline().rsplit(":", 1)[1])
    time.sleep(0.5)
    idle = [get_health(port) for _ in range(50)]
    print(f"idle: RSS {rss_kb(proxy.pid) / 1024:.1f} MB, /health median {sorted(idle)[25]:.2f} ms, max {max(idle):.2f} ms\n")
    print("| endpoint | bytes received | seconds | peak RSS | longest /health wait | median /health wait |\n|---|---|---|---|---|---|")
    prompt = f"[[fake:flood{args.mib}]]"
    for name, path, body in [("chat, streamed", "/v1/chat/completions", {"stream": True, "messages": [{"role": "user", "content": prompt}]}),
                             ("responses, streamed", "/v1/responses", {"stream": True, "input": prompt}),
                             ("chat, whole", "/v1/chat/completions", {"messages": [{"role": "user", "content": prompt}]})]:
        received, elapsed, peak, longest, median = measure(port, proxy.pid, path, body)
        print(f"| {name} | {received / 1048576:.0f} MiB | {elapsed:.1f} | {peak / 1024:.0f} MB | {longest:.0f} ms | {median:.1f} ms |")
    proxy.terminate()
    proxy.wait(timeout=30)


if __name__ == "__main__":
    main()
