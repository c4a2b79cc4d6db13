"""A tiny real HTTP server on 127.0.0.1 that records requests and answers canned replies.

Tests script the platform with `server.reply(method, path, status, body, headers)`;
replies for the same route are served in order, the last one repeating. Every
request is kept in `server.requests` (method, path, query, headers, body) so tests
assert on what the connector really put on the wire.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class RecordedRequest:
    method: str
    path: str
    raw_query: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None


@dataclass
class CannedReply:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering (to trigger read timeouts)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up (read-timeout tests) leaves a broken pipe: expected here.
        pass


class RecordingServer:
    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self._routes: dict[tuple[str, str], list[CannedReply]] = {}
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                record = RecordedRequest(
                    method=self.command,
                    path=parts.path,
                    raw_query=parts.query,
                    query=parse_qs(parts.query, keep_blank_values=True),
                    headers={key.lower(): value for key, value in self.headers.items()},
                    body=body,
                )
                reply = server._next_reply(record)
                if reply.delay:
                    time.sleep(reply.delay)
                self.send_response(reply.status)
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

        self._httpd = _QuietServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> RecordingServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def reply(
        self,
        method: str,
        path: str,
        status: int = 200,
        body: Any = None,
        headers: dict[str, str] | None = None,
        raw: bytes | None = None,
        delay: float = 0.0,
    ) -> None:
        """Queue a reply for METHOD PATH (exact path, query ignored)."""
        if raw is not None:
            payload = raw
        elif body is None:
            payload = b""
        else:
            payload = json.dumps(body).encode("utf-8")
        reply_headers = {"Content-Type": "application/json"} if payload else {}
        reply_headers.update(headers or {})
        with self._lock:
            self._routes.setdefault((method.upper(), path), []).append(
                CannedReply(status, payload, reply_headers, delay)
            )

    def _next_reply(self, record: RecordedRequest) -> CannedReply:
        with self._lock:
            self.requests.append(record)
            queue = self._routes.get((record.method, record.path))
            if not queue:
                body = json.dumps({"errors": [{"code": "NotFound", "message": f"no route {record.path}"}]})
                return CannedReply(404, body.encode(), {"Content-Type": "application/json"})
            return queue.pop(0) if len(queue) > 1 else queue[0]

    def calls(self, method: str, path: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == method.upper() and r.path == path]
