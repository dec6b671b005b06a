"""Real git servers on loopback for the clone tests: `git daemon`, and smart HTTP
(`git http-backend` behind a small threaded HTTP server) requiring basic auth."""

from __future__ import annotations

import base64
import contextlib
import http.server
import os
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection((LOOPBACK, port), timeout=0.2):
            return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {LOOPBACK}:{port}")


@contextlib.contextmanager
def git_daemon(base_path: Path, port: int | None = None) -> Iterator[tuple[int, subprocess.Popen]]:
    """Serves every repository under base_path at git://127.0.0.1:<port>/<name>."""
    port = port or free_port()
    proc = subprocess.Popen(
        ["git", "daemon", "--reuseaddr", "--export-all", f"--base-path={base_path}", f"--listen={LOOPBACK}",
         f"--port={port}", "--informative-errors", str(base_path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    try:
        wait_for_port(port)
        yield port, proc
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, 9)
        proc.wait()


class _GitHttpHandler(http.server.BaseHTTPRequestHandler):
    server: _GitHttpServer
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:  # quiet tests
        pass

    def _authorised(self) -> bool:
        expected = self.server.credentials
        if expected is None:
            return True
        header = self.headers.get("Authorization", "")
        self.server.seen_auth_headers.append(header)
        token = base64.b64encode(f"{expected[0]}:{expected[1]}".encode()).decode()
        return header == f"Basic {token}"

    def _serve(self) -> None:
        self.server.seen_paths.append(self.path)
        if not self._authorised():
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="git"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        path, _, query = self.path.partition("?")
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            body = self._read_chunked()
        env = {
            "PATH": os.environ["PATH"], "GIT_PROJECT_ROOT": str(self.server.base_path), "GIT_HTTP_EXPORT_ALL": "1",
            "PATH_INFO": path, "QUERY_STRING": query, "REQUEST_METHOD": self.command,
            "CONTENT_TYPE": self.headers.get("Content-Type", ""), "CONTENT_LENGTH": str(len(body)),
            "REMOTE_USER": "tester", "REMOTE_ADDR": LOOPBACK, "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
        }
        if self.headers.get("Content-Encoding"):
            env["HTTP_CONTENT_ENCODING"] = self.headers["Content-Encoding"]
        out = subprocess.run(["git", "http-backend"], input=body, env=env, capture_output=True).stdout
        head, _, payload = out.partition(b"\r\n\r\n")
        status = 200
        headers = []
        for line in head.decode("latin-1").split("\r\n"):
            name, _, value = line.partition(":")
            if name.lower() == "status":
                status = int(value.strip().split()[0])
            elif name:
                headers.append((name, value.strip()))
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _read_chunked(self) -> bytes:
        data = b""
        while True:
            size = int(self.rfile.readline().strip(), 16)
            if size == 0:
                self.rfile.readline()
                return data
            data += self.rfile.read(size)
            self.rfile.readline()

    do_GET = do_POST = _serve


class _GitHttpServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, base_path: Path, credentials: tuple[str, str] | None) -> None:
        super().__init__((LOOPBACK, 0), _GitHttpHandler)
        self.base_path = base_path
        self.credentials = credentials
        self.seen_auth_headers: list[str] = []
        self.seen_paths: list[str] = []


@contextlib.contextmanager
def smart_http_server(base_path: Path, credentials: tuple[str, str] | None = None) -> Iterator[_GitHttpServer]:
    """Serves base_path at http://127.0.0.1:<port>/<name>, asking for basic auth if given."""
    server = _GitHttpServer(base_path, credentials)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
