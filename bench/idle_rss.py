#!/usr/bin/env python3
"""The daemon's footprint (not part of the suite): idle resident memory of a binary, split into
private (anonymous) and file-backed pages, then /health requests per second under wrk
(Debian's `wrk`, 2 threads, 32 connections, 10 s), and the memory after that load.

  python3 bench/idle_rss.py [BINARY ...]      default: the release binary of scripts/build-release.sh

With several binaries each is measured in turn, in one run, for a side-by-side table.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def memory(pid):
    fields = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            name, _, value = line.partition(":")
            if name in ("VmRSS", "RssAnon", "RssFile"):
                fields[name] = int(value.split()[0]) / 1024
    return fields


def measure(binary):
    tmp = tempfile.mkdtemp(prefix="ccp-rss-")
    env = {"PATH": "/usr/bin:/bin", "HOME": tmp, "TMPDIR": tmp, "PROXY_API_KEY": "k"}
    proxy = subprocess.Popen([binary, "--port", "0", "--claude", "/bin/true", "--log-level", "error"], env=env,
                             stderr=subprocess.PIPE, text=True)
    port = int(proxy.stderr.readline().rsplit(":", 1)[1])
    time.sleep(2)
    idle = memory(proxy.pid)
    rate = None
    if shutil.which("wrk"):
        out = subprocess.run(["wrk", "-t2", "-c32", "-d10s", f"http://127.0.0.1:{port}/health"],
                             capture_output=True, text=True).stdout
        match = re.search(r"Requests/sec:\s+([\d.]+)", out)
        rate = float(match.group(1)) if match else None
    loaded = memory(proxy.pid)
    proxy.terminate()
    proxy.wait()
    shutil.rmtree(tmp, ignore_errors=True)
    return idle, loaded, rate


def main():
    binaries = sys.argv[1:] or [subprocess.run(["bash", os.path.join(ROOT, "scripts/build-release.sh")],
                                               capture_output=True, text=True, check=True).stdout.strip()]
    print(f"{'binary':60} {'idle RSS':>9} {'anon':>6} {'file':>6} {'/health req/s':>14} {'RSS after':>10}")
    for binary in binaries:
        idle, loaded, rate = measure(binary)
        print(f"{binary[-60:]:60} {idle['VmRSS']:8.1f}M {idle['RssAnon']:5.1f}M {idle['RssFile']:5.1f}M "
              f"{rate or 0:14.0f} {loaded['VmRSS']:9.1f}M")


if __name__ == "__main__":
    main()
