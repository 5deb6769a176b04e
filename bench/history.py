#!/usr/bin/env python3
"""Native history benchmark (not part of the suite). One mock upstream, the real CLI, one run:

1. First token of a cold multi-turn request (20 messages, 4 tool round trips), the history as one
   flattened transcript (`--flatten-history`) vs native from a session file, requests alternating.
2. Turn 2 of a plain chat (continued in the CLI its first turn kept) vs that chat's cold first turn.
3. A 20-request agent conversation (10 tool round trips) whose CLI is lost every 5 requests (the
   proxy restarts), flattened vs native: the input sent upstream, and how much of it a prefix
   cache could have served (each request's longest message prefix equal to the request before it,
   with the same system prompt and tools; bytes / 4 as tokens).

  python3 bench/history.py [--rounds 12] [--binary .build/release/claude-code-proxy]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from first_token import MOCK, ROOT, bootstrap, stream  # noqa: E402

TOOLS = [{"type": "function", "function": {"name": "get_weather", "parameters": {
    "type": "object", "properties": {"city": {"type": "string"}}}}}]
CREDENTIALS = {"claudeAiOauth": {"accessToken": "sk-ant-oat01-BENCH", "refreshToken": "sk-ant-ort01-BENCH",
                                 "expiresAt": 4102444800000, "scopes": ["user:inference"], "subscriptionType": "max"}}


def start_proxy(binary, cli, mock_port, flags):
    """A proxy logged in as a subscriber (a credentials file in its HOME)."""
    tmp = tempfile.mkdtemp(prefix="ccp-hist-")
    os.makedirs(f"{tmp}/.claude")
    with open(f"{tmp}/.claude/.credentials.json", "w") as file:
        json.dump(CREDENTIALS, file)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PROXY_API_KEY": "k", "HOME": tmp, "TMPDIR": tmp,
           "ANTHROPIC_BASE_URL": f"http://127.0.0.1:{mock_port}", "HTTPS_PROXY": "http://127.0.0.1:9"}
    proxy = subprocess.Popen([binary, "--port", "0", "--claude", cli, "--log-level", "warning"] + flags,
                             env=env, stderr=subprocess.PIPE, text=True)
    while True:
        line = proxy.stderr.readline()
        if "listening on" in line:
            return proxy, int(line.rsplit(":", 1)[1])


def stop(proxy):
    proxy.terminate()
    proxy.wait(timeout=30)


def chat(port, body):
    """(ms to the first content or tool-call delta, the assistant message as a client keeps it)."""
    first, data = stream(port, "k", dict(body, stream=True), marks=(b'"content":"', b'"tool_calls"'))
    text, calls = "", {}
    for line in data.split("\n"):
        if not line.startswith("data: {"):
            continue
        delta = json.loads(line[6:])["choices"][0]["delta"] if json.loads(line[6:]).get("choices") else {}
        text += delta.get("content") or ""
        for call in delta.get("tool_calls") or []:
            entry = calls.setdefault(call["index"], {"id": "", "type": "function", "function": {"name": "", "arguments": ""}})
            entry["id"] += call.get("id") or ""
            entry["function"]["name"] += call.get("function", {}).get("name") or ""
            entry["function"]["arguments"] += call.get("function", {}).get("arguments") or ""
    message = {"role": "assistant", "content": text or None}
    if calls:
        message["tool_calls"] = [calls[i] for i in sorted(calls)]
    return first, message


def long_history(tag):
    """20 messages: 4 tool round trips between plain turns, then a new user turn."""
    messages = []
    for n in range(4):
        call = f"call_{tag}_{n}"
        messages += [{"role": "user", "content": f"step {n}: the weather in city {n}?"},
                     {"role": "assistant", "content": None, "tool_calls": [{"id": call, "type": "function", "function": {
                         "name": "get_weather", "arguments": json.dumps({"city": f"city {n}"})}}]},
                     {"role": "tool", "tool_call_id": call, "content": f"sunny, {20 + n} C"},
                     {"role": "assistant", "content": f"It is sunny and {20 + n} C in city {n}."},
                     {"role": "user", "content": "Thanks."} if n < 3 else {"role": "user", "content": "And tomorrow?"}]
    messages[-1]["content"] += f" [[scenario:text]] [[id:{tag}]]"
    return messages[:20]


def paired(name, base, other):
    b, o = statistics.median(base), statistics.median(other)
    diffs = [y - x for x, y in zip(base, other)]
    low, high = bootstrap(diffs)
    print(f"| {name} | {b:.0f} | {o:.0f} | {o / b:.2f} | {statistics.median(diffs):+.0f} [{low:+.0f}, {high:+.0f}] |")


def upstream(mock_port, tag):
    return json.loads(urllib.request.urlopen(f"http://127.0.0.1:{mock_port}/_requests?id={tag}").read())


def cacheable(bodies):
    """(input bytes, bytes a prefix cache could have served) over a conversation's requests."""
    def strip(value):
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k != "cache_control"}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    def size(value):
        return len(json.dumps(value, sort_keys=True))
    total = hit = 0
    previous = None
    for body in bodies:
        messages = [strip(m) for m in body["messages"]]
        fixed = size(strip(body.get("system"))) + size(strip(body.get("tools")))
        total += fixed + sum(size(m) for m in messages)
        if previous and strip(previous.get("system")) == strip(body.get("system")) \
                and strip(previous.get("tools")) == strip(body.get("tools")):
            before = [strip(m) for m in previous["messages"]]
            common = 0
            while common < min(len(before), len(messages)) and before[common] == messages[common]:
                common += 1
            hit += fixed + sum(size(m) for m in messages[:common])
        previous = body
    return total, hit


def agent_conversation(binary, cli, mock_port, flags, tag):
    """20 requests, the proxy restarted every 5: returns the upstream bodies."""
    messages = []
    proxy, port = start_proxy(binary, cli, mock_port, flags)
    try:
        for n in range(20):
            if n and n % 5 == 0:
                stop(proxy)
                proxy, port = start_proxy(binary, cli, mock_port, flags)
            if n % 2 == 0:
                messages.append({"role": "user", "content": f"step {n // 2}: weather? [[scenario:tool_call]] [[id:{tag}]]"})
            _, reply = chat(port, {"model": "sonnet", "tools": TOOLS, "messages": messages})
            messages.append(reply)
            if reply.get("tool_calls"):
                messages += [{"role": "tool", "tool_call_id": call["id"], "content": f"sunny at step {n // 2}"}
                             for call in reply["tool_calls"]]
    finally:
        stop(proxy)
    return upstream(mock_port, tag)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--binary", default=next(p for p in [os.path.join(ROOT, ".build/release/claude-code-proxy"),
                                                            os.path.join(ROOT, ".build/debug/claude-code-proxy")]
                                                 if os.path.exists(p)))
    args = parser.parse_args()
    cli = os.environ.get("CLAUDE_BIN") or subprocess.check_output(["bash", os.path.join(ROOT, "scripts/fetch-cli.sh")],
                                                                  text=True).strip()
    mock = subprocess.Popen([sys.executable, MOCK], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    mock_port = int(mock.stdout.readline().split()[-1])
    flat, flat_port = start_proxy(args.binary, cli, mock_port, ["--max-parked", "0", "--flatten-history"])
    native, native_port = start_proxy(args.binary, cli, mock_port, ["--max-parked", "0"])
    keeping, keeping_port = start_proxy(args.binary, cli, mock_port, [])
    try:
        cold = {"flattened": [], "native": []}
        turn1, turn2 = [], []
        for n in range(args.rounds):
            for name, port in [("flattened", flat_port), ("native", native_port)]:
                cold[name].append(chat(port, {"model": "sonnet", "tools": TOOLS, "messages": long_history(f"{name}{n}")})[0])
            user = {"role": "user", "content": f"hi {n} [[scenario:text]]"}
            first, reply = chat(keeping_port, {"model": "sonnet", "messages": [user]})
            second, _ = chat(keeping_port, {"model": "sonnet", "messages": [user, reply, {"role": "user", "content": "more"}]})
            turn1.append(first)
            turn2.append(second)
        print(f"first token, ms, medians of {args.rounds} pairs; paired difference with a bootstrap 95 % interval\n")
        print("| request | baseline | measured | ratio | paired difference |\n|---|---|---|---|---|")
        paired("cold 20-message request: flattened → native", cold["flattened"], cold["native"])
        paired("plain chat: cold turn 1 → turn 2 (kept)", turn1, turn2)
        sample = {name: upstream(mock_port, f"{name}0")[-1] for name in cold}
        for name, body in sample.items():
            print(f"\nupstream messages, cold {name}: {len(body['messages'])}, request body {len(json.dumps(body))} B")
        rss = []
        for line in open(f"/proc/{keeping.pid}/task/{keeping.pid}/children").read().split():
            with open(f"/proc/{line}/status") as status:
                rss += [int(l.split()[1]) / 1024 for l in status if l.startswith("VmRSS:")]
        print(f"\nkept plain-chat CLIs now: {len(rss)}, RSS each (MB): {[round(r) for r in rss]}")
        print("\n20-request agent conversation, the CLI lost every 5 requests (proxy restarts):\n")
        print("| history | input tokens sent | cacheable prefix | uncached |\n|---|---|---|---|")
        for name, flags in [("flattened", ["--flatten-history"]), ("native", [])]:
            total, hit = cacheable(agent_conversation(args.binary, cli, mock_port, flags, f"agent{name}"))
            print(f"| {name} | {total // 4} | {hit // 4} ({hit / total:.0%}) | {(total - hit) // 4} |")
    finally:
        for proxy in (flat, native, keeping):
            stop(proxy)
        mock.kill()


if __name__ == "__main__":
    main()
