#!/usr/bin/env python3
"""A fake Claude Code CLI for fault injection. It reads the stream-json input line the
proxy writes and acts on the marker [[fake:MODE]] in its text:

  ok          a normal streamed answer ("fake answer")
  crash       one delta, then SIGKILL itself (no result line)
  exit1       stderr noise and exit 1 before any output
  hang        the init line, then sleep without end
  garbage     non-JSON lines and a delta with invalid UTF-8, then a normal answer
  huge        a 17 MB line, then a normal answer
  tools       init reports the Bash tool (the proxy must refuse)
  grandchild  forks a grandchild that ignores SIGTERM, then hangs
  report      answers with its argv, cwd and environment as JSON text
  flood       40 MB of text deltas as fast as the pipe takes them (floodN: N MiB)
  stubbornN   the same, ignoring SIGTERM, with a child of its own group holding stdout
  setsid      answers, leaving a grandchild in a session of its own that holds stdout open
              (its pid is the answer's text)
  setsidhang  leaves such a grandchild, then hangs without answering
"""
import json
import os
import re
import signal
import sys
import time

out = sys.stdout.buffer

if sys.argv[1:] == ["--version"]:
    print("2.1.331 (Claude Code; fake)")
    sys.exit(0)


def emit(obj):
    out.write(json.dumps(obj).encode() + b"\n")
    out.flush()


def init(tools=()):
    emit({"type": "system", "subtype": "init", "model": "fake-model", "tools": list(tools), "mcp_servers": []})


def start():
    emit({"type": "stream_event", "event": {"type": "message_start", "message": {
        "id": "msg_fake", "model": "fake-model", "usage": {"input_tokens": 3, "output_tokens": 1}}}})


def delta(text):
    emit({"type": "stream_event", "event": {"type": "content_block_delta", "index": 0,
                                            "delta": {"type": "text_delta", "text": text}}})


def result(text):
    emit({"type": "result", "subtype": "success", "is_error": False, "result": text, "stop_reason": "end_turn",
          "usage": {"input_tokens": 3, "output_tokens": 2}, "total_cost_usd": 0.001})


def answer(parts):
    start()
    for p in parts:
        delta(p)
    result("".join(parts))


line = sys.stdin.readline()
text = json.dumps(json.loads(line)) if line.strip() else ""
mode = (re.search(r"\[\[fake:(\w+)\]\]", text) or [None, "ok"])[1]

if mode == "ok":
    init(); answer(["fake ", "answer"])
elif mode == "crash":
    init(); start(); delta("partial")
    os.kill(os.getpid(), signal.SIGKILL)
elif mode == "exit1":
    sys.stderr.write("error: something broke\n"); sys.exit(1)
elif mode == "hang":
    init()
    while True:
        time.sleep(60)
elif mode == "garbage":
    init()
    out.write(b"this is not json\n")
    out.write(b"\x00\x01\x02 binary junk\n")
    start()
    out.write(b'{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"bad\xc3("}}}\n')
    delta(" good")
    result("bad good")
elif mode == "huge":
    init()
    out.write(b'{"type":"other","blob":"' + b"x" * (17 << 20) + b'"}\n')
    answer(["after ", "huge"])
elif mode == "tools":
    init(tools=["Bash"]); answer(["should not be seen"])
elif mode == "grandchild":
    init()
    if os.fork() == 0:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        while True:
            time.sleep(60)
    while True:
        time.sleep(60)
elif mode.startswith("stubborn"):
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if os.fork() == 0:
        time.sleep(30)
        os._exit(0)
    init(); start()
    piece = "x" * 8192
    for _ in range(int(mode[8:] or "64") * 128):
        delta(piece)
    result("flood")
elif mode.startswith("flood"):
    init(); start()
    piece = "x" * 8192
    count = int(mode[5:]) * 128 if mode[5:].isdigit() else 5000
    for _ in range(count):
        delta(piece)
    result("flood")
elif mode == "setsid":
    init()
    pid = os.fork()
    if pid == 0:
        os.setsid()
        time.sleep(60)
        os._exit(0)
    answer([str(pid)])
    sys.exit(0)
elif mode == "setsidhang":
    init()
    if os.fork() == 0:
        os.setsid()
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        time.sleep(120)
        os._exit(0)
    while True:
        time.sleep(60)
elif mode == "report":
    init()
    report = json.dumps({"argv": sys.argv, "cwd": os.getcwd(), "env": dict(os.environ)})
    answer([report])
