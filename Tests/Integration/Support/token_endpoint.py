#!/usr/bin/env python3
"""A stand-in for Anthropic's OAuth token endpoint, on loopback, for the login tests (stdlib and
the openssl command only).

The CLI reaches it as its HTTPS proxy (HTTPS_PROXY=http://127.0.0.1:PORT): every CONNECT is
accepted and the TLS is ended here with a certificate for Anthropic's hosts, signed by a CA made
at start (the CLI trusts it through NODE_EXTRA_CA_CERTS). POST /v1/oauth/token answers a refresh
with fresh fake tokens; with mode reject_reused (a rotating refresh token, as Anthropic's) a
refresh token already spent gets 400 invalid_grant. Everything else gets 404.

Plain HTTP on the same port is the test's control: GET /_requests lists what came through.
Prints "token endpoint listening on PORT CA_PATH" once ready; exits when stdin closes.
"""
import json
import os
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

MODE = sys.argv[1] if len(sys.argv) > 1 else "ok"
LOCK = threading.Lock()
REQUESTS = []
SPENT = set()
COUNTER = [0]
HOSTS = ["platform.claude.com", "api.anthropic.com", "claude.ai", "console.anthropic.com"]


def make_certificates(directory):
    def run(*args):
        subprocess.run(["openssl", *args], check=True, cwd=directory, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(os.path.join(directory, "leaf.ext"), "w") as f:
        f.write("subjectAltName=" + ",".join("DNS:" + h for h in HOSTS) + "\n")
        f.write("extendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n")
    run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "ca.key",
        "-out", "ca.pem", "-days", "2", "-subj", "/CN=claude-code-proxy test CA",
        "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "leaf.key",
        "-out", "leaf.csr", "-subj", "/CN=" + HOSTS[0])
    run("x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "leaf.pem",
        "-days", "2", "-extfile", "leaf.ext")
    return os.path.join(directory, "ca.pem"), os.path.join(directory, "leaf.pem"), os.path.join(directory, "leaf.key")


def read_request(stream):
    """One HTTP/1.1 request from a file-like stream: method, path, headers, body."""
    line = stream.readline().decode("latin-1").strip()
    if not line:
        return None
    method, path, _ = (line.split(" ") + ["", ""])[:3]
    headers = {}
    while True:
        header = stream.readline().decode("latin-1").strip()
        if not header:
            break
        name, _, value = header.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length") or 0)
    body = stream.read(length) if length else b""
    return method, path, headers, body


def respond(connection, status, obj):
    data = json.dumps(obj).encode()
    reason = {200: "OK", 400: "Bad Request", 404: "Not Found"}.get(status, "OK")
    connection.sendall(f"HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\n"
                       f"content-length: {len(data)}\r\nconnection: close\r\n\r\n".encode() + data)


def token(body):
    try:
        grant = json.loads(body or b"{}")
    except ValueError:
        grant = {}
    refresh = grant.get("refresh_token", "")
    with LOCK:
        reused = refresh in SPENT
        SPENT.add(refresh)
        COUNTER[0] += 1
        n = COUNTER[0]
    if MODE == "reject_all" or (MODE == "reject_reused" and reused):
        return 400, {"error": "invalid_grant", "error_description": "Refresh token not found or invalid"}, None
    issued = f"sk-ant-oat01-REFRESHED-{n}"
    return 200, {"token_type": "Bearer", "access_token": issued, "refresh_token": f"sk-ant-ort01-REFRESHED-{n}",
                 "expires_in": 28800, "scope": "user:inference user:profile",
                 "account": {"uuid": "00000000-0000-0000-0000-000000000001", "email_address": "test@example.invalid"},
                 "organization": {"uuid": "00000000-0000-0000-0000-000000000002"}}, issued


def serve_tls(connection, host, context):
    try:
        tls = context.wrap_socket(connection, server_side=True)
        request = read_request(tls.makefile("rb"))
        if request is None:
            return
        method, path, _, body = request
        record = {"t": time.time(), "host": host, "method": method, "path": path}
        if method == "POST" and path.startswith("/v1/oauth/token"):
            status, answer, issued = token(body)
            record.update(status=status, refresh_token=json.loads(body or b"{}").get("refresh_token"), issued=issued)
        else:
            status, answer = 404, {"error": "not mocked"}
            record.update(status=404)
        with LOCK:
            REQUESTS.append(record)
        respond(tls, status, answer)
        tls.close()
    except (OSError, ssl.SSLError, ValueError):
        pass


def handle(connection, context):
    try:
        stream = connection.makefile("rb")
        request = read_request(stream)
        if request is None:
            return connection.close()
        method, path, _, _ = request
        if method == "CONNECT":
            connection.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            return serve_tls(connection, path.split(":")[0], context)
        if path.startswith("/_requests"):
            with LOCK:
                found = list(REQUESTS)
            return respond(connection, 200, found)
        respond(connection, 404, {"error": "not a proxy request"})
    except OSError:
        pass
    finally:
        try:
            connection.close()
        except OSError:
            pass


def main():
    directory = tempfile.mkdtemp(prefix="ccp-token-endpoint-")
    ca, leaf, key = make_certificates(directory)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(leaf, key)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)

    def exit_with_parent():
        sys.stdin.buffer.read()
        os._exit(0)
    threading.Thread(target=exit_with_parent, daemon=True).start()
    print(f"token endpoint listening on {listener.getsockname()[1]} {ca}", flush=True)
    while True:
        connection, _ = listener.accept()
        threading.Thread(target=handle, args=(connection, context), daemon=True).start()


if __name__ == "__main__":
    main()
