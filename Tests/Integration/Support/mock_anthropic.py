#!/usr/bin/env python3
"""A mock Anthropic Messages API for the integration tests (stdlib only).

The scenario is chosen by a marker in the last user message: [[scenario:NAME]].
A test can tag its request with [[id:TAG]]; GET /_requests?id=TAG lists the bodies
received for that tag, so a test can count upstream calls, and GET /_credentials?id=TAG the
credential each of them carried: {"kind": "oauth"|"api_key"|"bearer"|"none", "token": …}.

Usage windows: a [[limits:KIND]] marker makes the reply carry Anthropic's unified rate-limit
headers (which the CLI reports, for a subscription login, as rate_limit_event lines): allowed
(5h 0.12, 7d 0.05), warn (5h 0.85, allowed_warning, threshold 0.75), high (5h 0.83, allowed),
rejected (a 429 refusal of the 5-hour window, reset in an hour), rejected_soon (the same, reset in
3 s).

Logins: like Anthropic, a request needs a credential (x-api-key, or Authorization: Bearer; a
subscription's OAuth access token is `sk-ant-oat01-…`), else 401. An OAuth token containing
EXPIRED or REVOKED is refused with 401 as Anthropic refuses an expired or revoked one.

Scenarios: text (default), echo, say (the text between [[say]] and [[/say]]), count (a reply unique to the request), slow, gate:ID, big:KIB, utf8, long, thinking, max_tokens,
tool_call, tool_calls2, tool_text_call, tool_call_max_tokens, exec_proof (an `exec_command` tool called with
`echo proxied > proof.txt`) (the client's bridged tools; once the
newest user message holds a tool result, they answer "The tool said: …"),
tool_use, refusal, cut, stall, sse_error, err400, prompt_too_long, err401, err403,
err404, err413, err429, err500, err503, err529.

Gate: the stream sends its first delta, then waits until POST /_gate/ID is called
(answered 200 while the stream is still waiting, 409 once it gave up after 20 s).

Prints "mock listening on PORT" on stdout once bound.
"""
import json
import os
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse, parse_qs

LOCK = threading.Lock()
REQUESTS = []          # (tag, body, credential)
GATES = {}             # id -> {"event": Event, "state": "waiting"|"released"|"timed_out"}
COUNTER = [0]

USAGE = {"input_tokens": 12, "cache_creation_input_tokens": 5, "cache_read_input_tokens": 30}


def all_user_text(body):
    """Every user message's text: the CLI's own follow-up calls (continuations) keep the markers."""
    texts = []
    for message in body.get("messages", []):
        if message.get("role") != "user":
            continue
        content = message.get("content")
        if isinstance(content, str):
            texts.append(content)
        else:
            texts += [b.get("text", "") for b in content if isinstance(b, dict) and b.get("type") == "text"]
    return "\n".join(texts)


def last_user_text(body):
    for message in reversed(body.get("messages", [])):
        if message.get("role") != "user":
            continue
        content = message.get("content")
        if isinstance(content, str):
            return content
        return "\n".join(b.get("text", "") for b in content if isinstance(b, dict) and b.get("type") == "text")
    return ""


def tool_result_text(body):
    """The newest tool result the model was given: a native tool_result block in the last user
    message, or one written into a flattened transcript as <tool_result …>…</tool_result>."""
    users = [m for m in body.get("messages", []) if m.get("role") == "user"]
    if not users:
        return None
    content = users[-1].get("content")
    blocks = [{"type": "text", "text": content}] if isinstance(content, str) else content
    for block in reversed(blocks):
        if block.get("type") == "tool_result":
            inner = block.get("content")
            if isinstance(inner, list):
                inner = "".join(b.get("text", "") for b in inner if isinstance(b, dict))
            return str(inner)
        if block.get("type") == "text":
            found = re.findall(r"<tool_result(?:\s[^>]*)?>\n?(.*?)\n?</tool_result>", block.get("text", ""), re.S)
            if found:
                return found[-1]
    return None


def sample(schema):
    """A value of a JSON schema, for the `structured` scenario (strings are "Alice", integers 30)."""
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        return {name: sample(sub) for name, sub in props.items()} or {"ok": True}
    if kind == "array":
        return [sample(schema.get("items", {}))]
    if "enum" in schema:
        return schema["enum"][0]
    return {"string": "Alice", "integer": 30, "number": 1.5, "boolean": True, "null": None}.get(kind, "Alice")


def limit_headers(kind):
    """Anthropic's unified rate-limit headers for a [[limits:KIND]] marker (limits/README.md §1.6)."""
    if kind is None:
        return {}
    now = int(time.time())
    five = now + (3 if kind == "rejected_soon" else 3600)
    seven = now + 5 * 86400
    status, used, window_status = {
        "allowed": ("allowed", "0.12", "allowed"),
        "warn": ("allowed_warning", "0.85", "allowed_warning"),
        "high": ("allowed", "0.83", "allowed"),
        "rejected": ("rejected", "1.0", "rejected"),
        "rejected_soon": ("rejected", "1.0", "rejected"),
    }.get(kind, ("allowed", "0.12", "allowed"))
    p = "anthropic-ratelimit-unified-"
    headers = {p + "status": status, p + "reset": str(five), p + "representative-claim": "five_hour",
               p + "5h-status": window_status, p + "5h-utilization": used, p + "5h-reset": str(five),
               p + "7d-status": "allowed", p + "7d-utilization": "0.30", p + "7d-reset": str(seven)}
    if kind == "warn":
        headers[p + "5h-surpassed-threshold"] = "0.75"
    if status == "rejected":
        headers[p + "5h-surpassed-threshold"] = "1.0"
        headers[p + "overage-status"] = "rejected"
        headers[p + "overage-disabled-reason"] = "org_level_disabled"
    return headers


def gate(gate_id):
    with LOCK:
        g = GATES.get(gate_id)
        if g is None:
            g = GATES[gate_id] = {"event": threading.Event(), "state": "waiting"}
    return g


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    # ---- plumbing -------------------------------------------------------
    def send_json(self, status, obj, headers=None):
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.send_header("request-id", "req_mock")
        for k, v in dict(getattr(self, "limits", {}), **(headers or {})).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def start_sse(self):
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("cache-control", "no-cache")
        self.send_header("connection", "close")
        self.send_header("request-id", "req_mock")
        for k, v in getattr(self, "limits", {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.close_connection = True

    def sse(self, event, data):
        self.wfile.write(f"event: {event}\ndata: {json.dumps(data)}\n\n".encode())
        self.wfile.flush()

    def api_error(self, status, etype, message, headers=None):
        self.send_json(status, {"type": "error", "error": {"type": etype, "message": message}}, headers)

    # ---- control endpoints ----------------------------------------------
    def do_GET(self):
        url = urlparse(self.path)
        if url.path == "/_requests":
            tag = parse_qs(url.query).get("id", [None])[0]
            with LOCK:
                bodies = [b for (t, b, _) in REQUESTS if tag is None or t == tag]
            return self.send_json(200, bodies)
        if url.path == "/_credentials":
            tag = parse_qs(url.query).get("id", [None])[0]
            with LOCK:
                found = [c for (t, _, c) in REQUESTS if tag is None or t == tag]
            return self.send_json(200, found)
        self.send_json(404, {"error": "not found"})

    def do_POST(self):
        url = urlparse(self.path)
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        if url.path.startswith("/_gate/"):
            g = gate(url.path[len("/_gate/"):])
            with LOCK:
                if g["state"] == "waiting":
                    g["state"] = "released"
                    g["event"].set()
                    return self.send_json(200, {"state": "released"})
            return self.send_json(409, {"state": g["state"]})
        if not url.path.startswith("/v1/messages"):
            return self.send_json(404, {"type": "error", "error": {"type": "not_found_error", "message": "no route"}})
        body = json.loads(raw or b"{}")
        text = all_user_text(body)
        tag = (re.findall(r"\[\[id:([\w.-]+)\]\]", text) or [None])[-1]
        scenario = (re.findall(r"\[\[scenario:([\w:.-]+)\]\]", text) or ["text"])[-1]
        credential = self.credential()
        with LOCK:
            REQUESTS.append((tag, body, credential))
            COUNTER[0] += 1
            msg_id = f"msg_mock_{COUNTER[0]}"
        if credential["kind"] == "none":
            return self.api_error(401, "authentication_error", "x-api-key header is required")
        if credential["kind"] == "oauth" and ("EXPIRED" in credential["token"] or "REVOKED" in credential["token"]):
            return self.api_error(401, "authentication_error",
                                  "OAuth token has expired. Please obtain a new token or refresh your existing token.")
        kind = (re.findall(r"\[\[limits:(\w+)\]\]", text) or [None])[-1]
        self.limits = limit_headers(kind)
        if kind in ("rejected", "rejected_soon"):
            return self.api_error(429, "rate_limit_error", "Number of request tokens has exceeded your rate limit",
                                  {"retry-after": self.limits["anthropic-ratelimit-unified-5h-reset"]})
        self.serve(scenario, body, msg_id)

    def credential(self):
        """Which login the request carried, as the Messages API reads it."""
        key = self.headers.get("x-api-key")
        bearer = self.headers.get("authorization") or ""
        token = bearer[len("Bearer "):] if bearer.startswith("Bearer ") else ""
        if key:
            return {"kind": "api_key", "token": key}
        if token.startswith("sk-ant-oat01-"):
            return {"kind": "oauth", "token": token}
        if token:
            return {"kind": "bearer", "token": token}
        return {"kind": "none", "token": ""}

    # ---- the Messages API ---------------------------------------------------
    def serve(self, scenario, body, msg_id):
        errors = {
            "err400": (400, "invalid_request_error", "mock: bad request"),
            "prompt_too_long": (400, "invalid_request_error", "prompt is too long: 300000 tokens > 200000 maximum"),
            "err401": (401, "authentication_error", "invalid x-api-key"),
            "err403": (403, "permission_error", "mock: forbidden"),
            "err404": (404, "not_found_error", "model: not-a-model"),
            "err413": (413, "request_too_large", "mock: request too large"),
            "err429": (429, "rate_limit_error", "mock: rate limited"),
            "err500": (500, "api_error", "mock: internal error"),
            "err503": (503, "api_error", "mock: unavailable"),
            "err529": (529, "overloaded_error", "Overloaded"),
        }
        if scenario in errors:
            status, etype, message = errors[scenario]
            headers = {"retry-after": "7"} if status == 429 else None
            return self.api_error(status, etype, message, headers)

        model = body.get("model", "mock-model")
        if scenario == "echo":
            system = [b.get("text", "") for b in body.get("system", []) if isinstance(b, dict)]
            reply = json.dumps({"system": system, "user": last_user_text(body), "model": model,
                                "max_tokens": body.get("max_tokens")})
            pieces = [reply[i:i + 40] for i in range(0, len(reply), 40)] or [""]
        elif scenario == "say":
            # The text between [[say]] and [[/say]] in the last user message, word for word (a
            # client's own reply format, such as an editor's SEARCH/REPLACE block).
            said = re.search(r"\[\[say\]\](.*?)\[\[/say\]\]", last_user_text(body), re.S)
            text = said.group(1) if said else ""
            pieces = [text[i:i + 40] for i in range(0, len(text), 40)] or [""]
        elif scenario == "utf8":
            pieces = ["h\u00e9", "llo \U0001F600", " \u4e16\u754c", " done"]
        elif scenario == "long":
            pieces = [f"word{i} " for i in range(400)]
        elif scenario == "refusal":
            pieces = []
        elif scenario == "count":
            pieces = ["Reply ", str(COUNTER[0])]
        elif scenario.startswith("big:"):
            # N KiB of text in 1 KiB deltas.
            pieces = [("y" * 1023) + " " for _ in range(int(scenario[len("big:"):]))]
        else:
            pieces = ["Hello", " from", " mock."]

        if not body.get("stream"):
            text = "".join(pieces)
            return self.send_json(200, {
                "id": msg_id, "type": "message", "role": "assistant", "model": model,
                "content": [{"type": "text", "text": text}], "stop_reason": "end_turn", "stop_sequence": None,
                "usage": dict(USAGE, output_tokens=max(1, len(pieces)))})

        self.start_sse()
        try:
            self.sse("message_start", {"type": "message_start", "message": {
                "id": msg_id, "type": "message", "role": "assistant", "model": model, "content": [],
                "stop_reason": None, "stop_sequence": None, "usage": dict(USAGE, output_tokens=1)}})
            if scenario == "stall":
                time.sleep(120)
                return
            index = 0
            if scenario == "thinking":
                self.sse("content_block_start", {"type": "content_block_start", "index": 0,
                                                 "content_block": {"type": "thinking", "thinking": "", "signature": ""}})
                for t in ["Let me ", "think."]:
                    self.sse("content_block_delta", {"type": "content_block_delta", "index": 0,
                                                     "delta": {"type": "thinking_delta", "thinking": t}})
                self.sse("content_block_delta", {"type": "content_block_delta", "index": 0,
                                                 "delta": {"type": "signature_delta", "signature": "c2ln"}})
                self.sse("content_block_stop", {"type": "content_block_stop", "index": 0})
                index = 1
            if scenario in ("tool_call", "tool_calls2", "tool_text_call", "tool_call_max_tokens", "exec_proof"):
                result = tool_result_text(body)
                if result is None:
                    return self.call_tools(body, scenario)
                pieces = ["The tool said: ", result[:60]]
            if scenario == "tool_use":
                self.sse("content_block_start", {"type": "content_block_start", "index": 0, "content_block": {
                    "type": "tool_use", "id": "toolu_mock_1", "name": "Bash", "input": {}}})
                self.sse("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": {
                    "type": "input_json_delta", "partial_json": "{\"command\": \"echo hi\"}"}})
                self.sse("content_block_stop", {"type": "content_block_stop", "index": 0})
                self.finish_message("tool_use", 9)
                return
            if scenario in ("structured", "structured_text"):
                self.sse("content_block_start", {"type": "content_block_start", "index": 0,
                                                 "content_block": {"type": "text", "text": ""}})
                self.sse("content_block_delta", {"type": "content_block_delta", "index": 0,
                                                 "delta": {"type": "text_delta", "text": "Here it is."}})
                self.sse("content_block_stop", {"type": "content_block_stop", "index": 0})
                tool = next((t for t in body.get("tools", []) if t.get("name") == "StructuredOutput"), None)
                if scenario == "structured_text" or tool is None:
                    self.finish_message("end_turn", 3)
                    return
                value = json.dumps(sample(tool.get("input_schema", {})))
                self.sse("content_block_start", {"type": "content_block_start", "index": 1, "content_block": {
                    "type": "tool_use", "id": "toolu_struct_1", "name": "StructuredOutput", "input": {}}})
                for i in range(0, len(value), 10):
                    self.sse("content_block_delta", {"type": "content_block_delta", "index": 1, "delta": {
                        "type": "input_json_delta", "partial_json": value[i:i + 10]}})
                self.sse("content_block_stop", {"type": "content_block_stop", "index": 1})
                self.finish_message("tool_use", 12)
                return
            if scenario == "sse_error":
                self.sse("error", {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})
                return
            self.sse("content_block_start", {"type": "content_block_start", "index": index,
                                             "content_block": {"type": "text", "text": ""}})
            for n, piece in enumerate(pieces):
                self.sse("content_block_delta", {"type": "content_block_delta", "index": index,
                                                 "delta": {"type": "text_delta", "text": piece}})
                if scenario == "slow":
                    time.sleep(0.3)
                if scenario.startswith("gate:") and n == 0:
                    g = gate(scenario[len("gate:"):])
                    if not g["event"].wait(20):
                        with LOCK:
                            if g["state"] == "waiting":
                                g["state"] = "timed_out"
                if scenario == "cut" and n == 1:
                    self.connection.shutdown(2)
                    return
            self.sse("content_block_stop", {"type": "content_block_stop", "index": index})
            stop = {"max_tokens": "max_tokens", "refusal": "refusal"}.get(scenario, "end_turn")
            self.finish_message(stop, max(1, len(pieces)))
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass

    def call_tools(self, body, scenario):
        """The model calls the client's bridged tools (named mcp__client__*), arguments sampled
        from each tool's schema and streamed in 6-byte fragments; `tool_calls2` calls two tools
        (or one twice), `tool_text_call` says something first, `tool_call_max_tokens` is cut off
        mid-arguments."""
        tools = [t for t in body.get("tools", []) if t.get("name", "").startswith("mcp__client__")]
        if scenario == "exec_proof":
            # An agent's shell tool (Codex's exec_command) asked to leave a file behind.
            tools = [dict(t, proof=True) for t in tools if t["name"].endswith("exec_command")]
        if not tools:
            self.sse("content_block_start", {"type": "content_block_start", "index": 0,
                                             "content_block": {"type": "text", "text": ""}})
            self.sse("content_block_delta", {"type": "content_block_delta", "index": 0,
                                             "delta": {"type": "text_delta", "text": "No tools reached me."}})
            self.sse("content_block_stop", {"type": "content_block_stop", "index": 0})
            return self.finish_message("end_turn", 4)
        index = 0
        if scenario == "tool_text_call":
            self.sse("content_block_start", {"type": "content_block_start", "index": 0,
                                             "content_block": {"type": "text", "text": ""}})
            for piece in ["Let me ", "check."]:
                self.sse("content_block_delta", {"type": "content_block_delta", "index": 0,
                                                 "delta": {"type": "text_delta", "text": piece}})
            self.sse("content_block_stop", {"type": "content_block_stop", "index": 0})
            index = 1
        count = 2 if scenario == "tool_calls2" else 1
        for n in range(count):
            tool = tools[n % len(tools)]
            args = json.dumps({"cmd": "echo proxied > proof.txt"} if tool.get("proof") else sample(tool.get("input_schema", {})))
            self.sse("content_block_start", {"type": "content_block_start", "index": index, "content_block": {
                "type": "tool_use", "id": f"toolu_mock_{COUNTER[0]}_{n}", "name": tool["name"], "input": {}}})
            pieces = [args[i:i + 6] for i in range(0, len(args), 6)]
            if scenario == "tool_call_max_tokens":
                pieces = pieces[:2]
            for piece in pieces:
                self.sse("content_block_delta", {"type": "content_block_delta", "index": index, "delta": {
                    "type": "input_json_delta", "partial_json": piece}})
            if scenario == "tool_call_max_tokens":
                return self.finish_message("max_tokens", 5)
            self.sse("content_block_stop", {"type": "content_block_stop", "index": index})
            index += 1
        self.finish_message("tool_use", 9)

    def finish_message(self, stop_reason, output_tokens):
        self.sse("message_delta", {"type": "message_delta", "delta": {"stop_reason": stop_reason, "stop_sequence": None},
                                   "usage": {"output_tokens": output_tokens}})
        self.sse("message_stop", {"type": "message_stop"})


def exit_with_parent():
    """The test process holds our stdin; when it ends, so does the mock."""
    sys.stdin.buffer.read()
    os._exit(0)


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    if not sys.stdin.isatty():
        threading.Thread(target=exit_with_parent, daemon=True).start()
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    print(f"mock listening on {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
