#!/usr/bin/env python3
"""What dropping `--bare` costs (not part of the suite). In one run, alternating in rounds, the CLI
started three ways against one mock Anthropic API on loopback, each timed from spawn to its first
text delta, and each measured for its resident memory once idle after its answer (a kept CLI):

  bare        the old profile: --bare, an API key (--bare reads no other login)
  login       the current profile (CLIProfile): no --bare, the environment that replaces it, a
              subscription login file reached through CLAUDE_SECURESTORAGE_CONFIG_DIR
  login+key   the current profile with an API key, to tell the flags from the login

  python3 bench/bare_vs_login.py [--cli PATH] [--rounds 20]

Prints each side's medians, and the paired differences against `bare` with bootstrap 95 % intervals.
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
from first_token import MOCK, ROOT, bootstrap, cli_first_delta  # noqa: E402

FLAGS = ["--print", "--input-format", "stream-json", "--output-format", "stream-json", "--verbose",
         "--include-partial-messages", "--tools", "", "--setting-sources", "", "--strict-mcp-config",
         "--no-session-persistence", "--disable-slash-commands", "--max-turns", "1",
         "--settings", '{"includeCoAuthoredBy":false}', "--model", "sonnet"]
# What CLIProfile.environment sets besides HOME, TMPDIR and the login.
PROFILE_ENV = {"CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1", "CLAUDE_CODE_ATTRIBUTION_HEADER": "0",
               "CLAUDE_CODE_MAX_RETRIES": "0", "CLAUDE_CODE_DISABLE_NONSTREAMING_FALLBACK": "1",
               "CLAUDE_CODE_DISABLE_AUTO_MEMORY": "1", "CLAUDE_CODE_DISABLE_CLAUDE_MDS": "1",
               "DISABLE_AUTOUPDATER": "1", "DISABLE_TELEMETRY": "1", "DISABLE_ERROR_REPORTING": "1"}


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def run(cli, env, extra, workdir):
    """Spawn to first text delta (ms), and RSS (MB) one second after the answer, stdin still open."""
    started = time.perf_counter()
    child = subprocess.Popen([cli] + FLAGS + extra, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, env=env, cwd=workdir)
    line = {"type": "user", "message": {"role": "user", "content": "bench [[scenario:text]]"}, "client_composed": True}
    child.stdin.write((json.dumps(line) + "\n").encode())
    child.stdin.flush()
    first = cli_first_delta(child, started)
    time.sleep(1)
    rss = rss_kib(child.pid) / 1024
    child.stdin.close()
    child.wait()
    if first is None:
        raise RuntimeError("the CLI gave no text")
    return first, rss


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cli", default=os.path.join(ROOT, ".cache/claude-cli/0.2.188/claude"))
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    tmpdir = tempfile.mkdtemp(prefix="ccp-bench-bare-")
    mock = subprocess.Popen([sys.executable, MOCK], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    port = int(mock.stdout.readline().split()[-1])
    person = os.path.join(tmpdir, "person", ".claude")
    os.makedirs(person)
    with open(os.path.join(person, ".credentials.json"), "w") as handle:
        json.dump({"claudeAiOauth": {"accessToken": "sk-ant-oat01-BENCH", "refreshToken": "sk-ant-ort01-BENCH",
                                     "expiresAt": int(time.time() + 86400) * 1000, "scopes": ["user:inference"],
                                     "subscriptionType": "max"}}, handle)
    os.chmod(os.path.join(person, ".credentials.json"), 0o600)
    prompt = os.path.join(tmpdir, "system.txt")
    with open(prompt, "w") as handle:
        handle.write("You are a helpful assistant.")
    workdir = os.path.join(tmpdir, "work")
    os.makedirs(workdir)
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "ANTHROPIC_BASE_URL": f"http://127.0.0.1:{port}",
            "CLAUDE_BYTE_STREAM_IDLE_TIMEOUT_MS": "60000", "API_TIMEOUT_MS": "60000",
            "NO_PROXY": "127.0.0.1,localhost,::1", "no_proxy": "127.0.0.1,localhost,::1"}

    def side(name):
        home = os.path.join(tmpdir, name, "home")
        tmp = os.path.join(tmpdir, name, "tmp")
        os.makedirs(os.path.join(home, ".claude"), exist_ok=True)
        os.makedirs(tmp, exist_ok=True)
        env = dict(base, HOME=home, TMPDIR=tmp, CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC="1",
                   CLAUDE_CODE_ATTRIBUTION_HEADER="0", CLAUDE_CODE_MAX_RETRIES="0",
                   CLAUDE_CODE_DISABLE_NONSTREAMING_FALLBACK="1")
        extra = ["--system-prompt-file", prompt]
        if name == "bare":
            env["ANTHROPIC_API_KEY"] = "sk-bench"
            extra.append("--bare")
        else:
            env.update(PROFILE_ENV)
            if name == "login":
                env["CLAUDE_SECURESTORAGE_CONFIG_DIR"] = person
            else:
                env["ANTHROPIC_API_KEY"] = "sk-bench"
        return env, extra

    sides = {name: side(name) for name in ["bare", "login", "login+key"]}
    results = {name: ([], []) for name in sides}
    try:
        for name, (env, extra) in sides.items():  # warm the page cache for each
            run(args.cli, env, extra, workdir)
        names = list(sides)
        for round_ in range(args.rounds):
            order = names[round_ % 3:] + names[:round_ % 3]
            for name in order:
                first, rss = run(args.cli, *sides[name], workdir)
                results[name][0].append(first)
                results[name][1].append(rss)
        for name, (firsts, rsses) in results.items():
            print(f"{name:10} first token median {statistics.median(firsts):7.1f} ms   "
                  f"idle RSS median {statistics.median(rsses):6.1f} MB")
        for name in ["login", "login+key"]:
            diffs = [a - b for a, b in zip(results[name][0], results["bare"][0])]
            low, high = bootstrap(diffs)
            rss = [a - b for a, b in zip(results[name][1], results["bare"][1])]
            rlow, rhigh = bootstrap(rss)
            print(f"{name} − bare, paired over {args.rounds}: first token {statistics.median(diffs):+.1f} ms "
                  f"[95 % {low:+.1f}, {high:+.1f}]; idle RSS {statistics.median(rss):+.1f} MB [{rlow:+.1f}, {rhigh:+.1f}]")
    finally:
        mock.stdin.close()


if __name__ == "__main__":
    main()
