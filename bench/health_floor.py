#!/usr/bin/env python3
"""The proxy's own cost against the floor (not part of the suite): a bare C evhttp server
(bench/evhttp_floor.c, built here with cc -levent) answering /health, beside the proxy (and, with
--baseline, an older proxy binary), in one run.

1. Instructions per request, counted by valgrind's callgrind (the same from run to run, whatever
   else the machine does): each server is run twice under callgrind, with 200 and with 1200
   keep-alive requests; the difference over 1000 is its cost per request. The proxy's /metrics
   scrape is counted the same way.
2. /health under `wrk -t2 -c32`, the servers interleaved round by round; medians and the ratio
   to the floor.

The proxy runs with `--log-level info` (an access line per request) and, beside it, with
`--log-level warning` (none), so that the line's own cost shows. The floor runs bare; with the
proxy's connection timeout (60 s), which makes evhttp re-arm a timer on every read and write; and
with that timeout and the proxy's loop setting (epoll's changes batched per turn, two epoll_ctl
calls a request instead of four): the proxy's own cost is what it adds over the last two.

  python3 bench/health_floor.py [--binary .build/release/claude-code-proxy] [--baseline OLD] [--rounds 4]
"""
import argparse
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def start(command, env=None):
    """Starts a server with its output in a file (a full pipe would stall its log writes); returns
    it and its port, read from its `listening on` line."""
    log = tempfile.NamedTemporaryFile(prefix="ccp-floor-log.", delete=False)
    process = subprocess.Popen(command, stdout=log, stderr=log, env=env)
    deadline = time.time() + 120
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{command[0]} exited: " + open(log.name, errors="replace").read()[-600:])
        with open(log.name, errors="replace") as file:
            match = re.search(r"listening on (?:http://127\.0\.0\.1:)?(\d+)", file.read())
        if match:
            return process, int(match.group(1))
        time.sleep(0.1)
    raise RuntimeError(f"{command[0]} did not start")


def proxy_command(binary, tmp):
    env = {"PATH": "/usr/bin:/bin", "PROXY_API_KEY": "k", "HOME": tmp, "TMPDIR": tmp}
    return [binary, "--port", "0", "--claude", "/bin/true", "--log-level", "info"], env


def requests(port, path, count, key=None):
    """`count` sequential keep-alive requests on one connection."""
    sock = socket.create_connection(("127.0.0.1", port))
    auth = f"Authorization: Bearer {key}\r\n" if key else ""
    request = f"GET {path} HTTP/1.1\r\nHost: x\r\n{auth}\r\n".encode()
    for _ in range(count):
        sock.sendall(request)
        data = b""
        while True:
            data += sock.recv(65536)
            head, _, rest = data.partition(b"\r\n\r\n")
            if not _:
                continue
            length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))
            if len(rest) >= length:
                break
    sock.close()


def stripped(binary, tmp):
    """A copy without debug info: valgrind 3.19 cannot read the DWARF 5 Swift writes (and counts
    instructions without it)."""
    copy = os.path.join(tmp, os.path.basename(binary) + f".{abs(hash(binary))}.stripped")
    subprocess.check_call(["objcopy", "--strip-debug", binary, copy])
    return copy


def instructions(command, env, path, count, key=None):
    out = tempfile.mktemp(prefix="callgrind.")
    process, port = start(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}"] + command, env)
    requests(port, path, count, key)
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=120)
    with open(out) as file:
        totals = [int(line.split()[1]) for line in file if line.startswith(("totals:", "summary:"))]
    os.unlink(out)
    return totals[0]


def per_request(command, env, path, key=None):
    low, high = 200, 1200
    return (instructions(command, env, path, high, key) - instructions(command, env, path, low, key)) / (high - low)


def wrk(port, seconds):
    output = subprocess.check_output(["wrk", "-t2", "-c32", f"-d{seconds}s", f"http://127.0.0.1:{port}/health"], text=True)
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build/release/claude-code-proxy"))
    parser.add_argument("--baseline")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--seconds", type=int, default=5)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="ccp-floor-")
    floor = os.path.join(tmp, "evhttp_floor")
    subprocess.check_call(["cc", "-O2", "-o", floor, os.path.join(ROOT, "bench/evhttp_floor.c"), "-levent"])
    servers = {"floor (bare evhttp)": ([floor, "0"], None)}
    # The same server with the proxy's connection timeout (60 s): the cost of evhttp's timers.
    servers["floor with the proxy's timeout"] = ([floor, "0", "60"], None)
    # And with the proxy's loop setting too (epoll's changes batched per turn): its best.
    servers["floor with the proxy's timeout and loop"] = ([floor, "0", "60", "changelist"], None)
    servers["proxy"] = proxy_command(args.binary, tmp)
    # The same binary without its access line (`--log-level warning`): what the line itself costs.
    command, env = proxy_command(args.binary, tmp)
    servers["proxy, no access log"] = (command + ["--log-level", "warning"], env)
    if args.baseline:
        servers["baseline proxy"] = proxy_command(args.baseline, tmp)

    print("instructions per request (callgrind, 1200 − 200 requests over one keep-alive connection)\n")
    print("| server | /health | /metrics |\n|---|---|---|")
    counted = {}
    for name, (command, env) in servers.items():
        command = [stripped(command[0], tmp)] + command[1:]
        health = per_request(command, env, "/health")
        metrics = per_request(command, env, "/metrics", key="k") if not name.startswith("floor") else None
        counted[name] = health
        print(f"| {name} | {health:,.0f} | {'' if metrics is None else f'{metrics:,.0f}'} |")
    floor_count = counted["floor (bare evhttp)"]
    timed_count = counted["floor with the proxy's timeout"]
    print()
    for name, value in counted.items():
        if name != "floor (bare evhttp)":
            print(f"{name}: {value / floor_count:.3f}× the bare floor's instructions per /health, "
                  f"{value / timed_count:.3f}× the floor with the proxy's timeout")

    running = {name: start(command, env) for name, (command, env) in servers.items()}
    try:
        rates = {name: [] for name in servers}
        for _ in range(args.rounds):
            for name, (_, port) in running.items():
                rates[name].append(wrk(port, args.seconds))
        print(f"\n/health under wrk -t2 -c32, {args.rounds} interleaved rounds of {args.seconds} s (median req/s)\n")
        print("| server | req/s | × floor | round by round: median (lowest–highest) |\n|---|---|---|---|")
        floor_rates = rates["floor (bare evhttp)"]
        base = statistics.median(floor_rates)
        for name, values in rates.items():
            # Each round's rate over the floor's in the same round: slow drifts of the machine cancel.
            ratios = [value / floor for value, floor in zip(values, floor_rates)]
            print(f"| {name} | {statistics.median(values):,.0f} | {statistics.median(values) / base:.2f} | "
                  f"{statistics.median(ratios):.2f} ({min(ratios):.2f}–{max(ratios):.2f}) |")
    finally:
        for process, _ in running.values():
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)


if __name__ == "__main__":
    main()
