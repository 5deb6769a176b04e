#!/usr/bin/env python3
"""A streaming chat endpoint with exactly known timing, to check the profiler's own accuracy
(stdlib only). Each POST is answered with its headers at once, then after DELAY_MS the first
content chunk, then the others INTERVAL_MS apart, each sent as it is due (TCP_NODELAY, one write
per event), then [DONE]. Times are kept against the moment the request was read, with a
monotonic clock, so the server's own lateness does not add up.

  timed_sse.py DELAY_MS INTERVAL_MS CHUNKS      prints "timed listening on PORT"
"""
import json
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DELAY, INTERVAL, CHUNKS = float(sys.argv[1]) / 1000, float(sys.argv[2]) / 1000, int(sys.argv[3])


def sleep_until(deadline):
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return
        # Sleep most of the way, then spin the last half millisecond.
        time.sleep(left - 0.0005) if left > 0.001 else None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, *args):
        pass

    def setup(self):
        # The schedule starts when the connection is taken, before Python parses the request.
        self.start = time.monotonic()
        super().setup()

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        start = self.start
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        self.wfile.flush()
        for index in range(CHUNKS):
            sleep_until(start + DELAY + index * INTERVAL)
            event = {"choices": [{"index": 0, "delta": {"content": f"t{index} "}}]}
            self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
            self.wfile.flush()
        usage = {"choices": [], "usage": {"completion_tokens": CHUNKS}}
        self.wfile.write(f"data: {json.dumps(usage)}\n\ndata: [DONE]\n\n".encode())
        self.wfile.flush()


def exit_with_parent():
    sys.stdin.buffer.read()
    import os
    os._exit(0)


if __name__ == "__main__":
    if not sys.stdin.isatty():
        threading.Thread(target=exit_with_parent, daemon=True).start()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(f"timed listening on {server.server_address[1]}", flush=True)
    server.serve_forever()
