"""A real receiver on 127.0.0.1 (an HTTP server in a thread), the documented verification snippet, endpoints."""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from webhooks import actions
from webhooks.actions import EndpointDefinition

DOCS = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"


class Receiver:
    """Answers `status` (500 while `failing`); keeps every request and the events it accepted (2xx)."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict, bytes]] = []
        self.accepted: list[dict] = []
        self.status = 200
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.lock:
                    receiver.requests.append((dict(self.headers), body))
                    status = receiver.status
                    if 200 <= status < 300:
                        receiver.accepted.append(json.loads(body))
                answer = b'{"ok": true}' if status < 300 else b"receiver down"
                self.send_response(status)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def events_of(self, event_type: str) -> list[dict]:
        return [event for event in self.accepted if event["type"] == event_type]


@pytest.fixture
def receiver():
    receiver = Receiver()
    receiver.thread.start()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


@pytest.fixture(scope="session")
def documented():
    """The verification snippet of docs/webhooks.md, run as a receiver would paste it."""
    code = re.search(r"```python\n(.*?)```", DOCS.read_text(), re.S).group(1)
    namespace: dict = {}
    exec(compile(code, str(DOCS), "exec"), namespace)
    return namespace


def add_endpoint(*, url: str, events=("order.created",), user=None, active=True):
    """An endpoint and its secret (as the admin sees it once)."""
    return actions.create_endpoint(
        definition=EndpointDefinition(url=url, events=tuple(events), active=active), created_by=user
    )
