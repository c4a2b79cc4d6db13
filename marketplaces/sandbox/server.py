"""The HTTP server: one ThreadingHTTPServer serving the four platforms and the admin API.

Path prefixes (the agreed wire layout): `/amazon`, `/ebay`, `/mirakl/<operator>`,
`/octopia`, and `/_sandbox` for the admin API (loopback clients only). Each platform
request goes through the same pipeline: route → authenticate → injected fault → rate
limit → handler (under the world lock) → response faults → count and log.

In-process use (tests):
    server = SandboxServer(port=0); server.start(); server.url; …; server.stop()
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
import logging
import random
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from . import admin, amazon, cdiscount, conversations, ebay, lifecycle, mirakl
from .amazon_mail import AmazonRelay
from .faults import BEFORE_HANDLER, reorder, shift_timestamps
from .generate import create_orders
from .routing import match
from .state import World
from .wire import ApiError, Request, Response, iso, parse_iso

logger = logging.getLogger(__name__)

PREFIXES = (("/amazon", amazon), ("/ebay", ebay), ("/octopia", cdiscount))
LOOPBACK = ("127.0.0.1", "::1", "::ffff:127.0.0.1")
LOGGED_BODY_LIMIT = 8_000
SWEEP_INTERVAL_SECONDS = 0.25
SNAPSHOT_INTERVAL_SECONDS = 5.0
DROP = object()  # the pipeline's answer when the connection must be closed unanswered


def resolve(path: str):
    """(platform module, prefix) of a path, or (None, "")."""
    for prefix, module in PREFIXES:
        if path == prefix or path.startswith(prefix + "/"):
            return module, prefix
    if path.startswith("/mirakl/"):
        operator = path.split("/")[2]
        if operator:
            return mirakl, f"/mirakl/{operator}"
    return None, ""


class Pipeline:
    """Everything between a parsed request and the response, shared by all platforms."""

    def __init__(self, world: World):
        self.world = world
        self._last_sweep = 0.0
        self._sweep_lock = threading.Lock()

    def sweep(self, force: bool = False) -> None:
        with self._sweep_lock:
            if not force and time.monotonic() - self._last_sweep < SWEEP_INTERVAL_SECONDS:
                return
            self._last_sweep = time.monotonic()
        lifecycle.sweep(self.world)
        with self.world.lock:
            conversations.sweep(self.world)

    def handle(self, module, request: Request):
        """(Response or DROP, clock skew seconds) for one platform request."""
        world = self.world
        try:
            found, params = match(module.ROUTES, request.method, request.path)
        except ApiError as err:
            return self._finish(module, request, None, "-", module.error_response(err), None), 0
        if found is None:
            response = module.error_response(ApiError(404, "NotFound", f"Resource {request.path} not found"))
            return self._finish(module, request, None, "-", response, None), 0
        self.sweep()
        operation = found.operation
        account, response = None, None
        with world.lock:
            if found.kind == "api":
                try:
                    account = module.authenticate(world, request)
                except ApiError as err:
                    response = module.error_response(err)
            elif found.kind == "token":
                account = module.token_account(world, request)
        fault = None
        if account is not None:
            fault = world.faults.take(
                account=account.key, operation=operation, is_list=found.is_list, is_token=found.kind == "token"
            )
        failing = fault is not None and fault.kind in BEFORE_HANDLER
        if failing and not fault.apply and response is None:
            response = self._fail(module, fault)  # the request never reaches the platform
        throttled = False
        if response is None and account is not None and found.kind == "api":
            scale = account.rate_scale if account.rate_scale is not None else world.rate_scale
            retry_after = world.limiter.take(
                account_key=account.key,
                platform=module.PLATFORM,
                operation=operation,
                now=world.now().timestamp(),
                scale=scale,
                override=account.rate_overrides.get(operation),
            )
            if retry_after is not None:
                response, throttled = module.throttled(retry_after), True
        if response is None:
            response = self._run(module, found, world, account, request, params)
            if failing and fault.apply:  # the request took effect, yet the client sees a failure
                response = self._fail(module, fault) or response
        if response is DROP:
            return self._finish(module, request, account, operation, DROP, fault), 0
        skew = 0
        if fault is not None and not failing and response.status < 300:
            response, skew = self._apply_response_fault(fault, response, account, operation)
        if (
            found.is_list
            and response.status == 200
            and account is not None
            and (fault is None or fault.kind != "duplicate_page")
        ):
            world.last_pages[(account.key, operation)] = (response.encoded(), dict(response.headers))
        if hasattr(module, "decorate"):
            response = module.decorate(response, operation)
        return self._finish(module, request, account, operation, response, fault, throttled), skew

    def _run(self, module, found, world, account, request, params) -> Response:
        with world.lock:
            try:
                return found.handler(world, account, request, **params)
            except ApiError as err:
                return module.error_response(err)
            except Exception:  # a sandbox bug must look like a platform 500, not a dropped socket
                logger.exception("sandbox handler %s failed", found.operation)
                return module.server_error(500)

    @staticmethod
    def _fail(module, fault):
        """The failure a before-handler fault stands for: a Response, DROP, or None (late answer)."""
        if fault.kind == "timeout":
            time.sleep(fault.seconds)
            return DROP if fault.drop else None
        if fault.kind == "http_error":
            return module.server_error(fault.status)
        return module.error_response(module.unauthorized())

    def _apply_response_fault(self, fault, response: Response, account, operation: str):
        if fault.kind == "duplicate_page":
            previous = self.world.last_pages.get((account.key, operation))
            if previous is not None:
                return Response(response.status, previous[0], previous[1], response.content_type), 0
        elif fault.kind == "reordered_page":
            response.body = reorder(response.body, response.page_key)
        elif fault.kind == "clock_skew":
            if response.body is not None and not isinstance(response.body, bytes):
                response.body = shift_timestamps(response.body, fault.seconds)
            return response, fault.seconds
        elif fault.kind == "malformed_json":
            encoded = response.encoded() or b"{}"
            return Response(200, b"{'" + encoded[1:] + b",]", dict(response.headers), response.content_type), 0
        elif fault.kind == "truncated_json":
            encoded = response.encoded() or b'{"errors": []}'
            return Response(200, encoded[: max(1, len(encoded) // 2)], dict(response.headers), response.content_type), 0
        return response, 0

    def _finish(self, module, request: Request, account, operation: str, response, fault, throttled=False):
        world = self.world
        status = 0 if response is DROP else response.status
        body = ""
        if request.method != "GET" and request.body:
            body = request.body[:LOGGED_BODY_LIMIT].decode("utf-8", "replace")
        query = "&".join(f"{k}={v}" for k, values in request.query.items() for v in values)
        with world.lock:
            world.count(account.key if account else None, operation, throttled=throttled)
            world.log_request(
                {
                    "time": iso(world.now(), millis=True),
                    "platform": module.PLATFORM,
                    "method": request.method,
                    "path": request.path_prefix + request.path + (f"?{query}" if query else ""),
                    "account": account.key if account else None,
                    "operation": operation,
                    "status": status,
                    "fault": fault.kind if fault else None,
                    "throttled": throttled,
                    "body": body,
                }
            )
        return response


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "sandbox"
    sys_version = ""
    pipeline: Pipeline  # set on the subclass made by SandboxServer
    skew_seconds: float = 0

    def setup(self):
        super().setup()
        # Headers and body leave in two writes: without NODELAY, Nagle + delayed ACK add 40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.open_connections.add(self.connection)

    def finish(self):
        self.server.open_connections.discard(self.connection)
        super().finish()

    def log_message(self, format, *args):  # the stdlib's signature
        logger.debug("%s " + format, self.client_address[0], *args)

    def date_time_string(self, timestamp=None):
        moment = self.pipeline.world.now().timestamp() + self.skew_seconds
        return email.utils.formatdate(moment, usegmt=True)

    def do_GET(self):
        self._dispatch()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def _dispatch(self):
        self.skew_seconds = 0
        parts = urlsplit(self.path)
        body = self._read_body()
        headers = {name.lower(): value for name, value in self.headers.items()}
        host = self.headers.get("Host") or f"{self.server.server_address[0]}:{self.server.server_address[1]}"
        query = parse_qs(parts.query, keep_blank_values=True)
        if parts.path.startswith("/_sandbox"):
            if self.client_address[0] not in LOOPBACK:
                return self._send(Response(403, {"error": "the admin API answers loopback clients only"}))
            request = Request(
                self.command,
                parts.path[len("/_sandbox") :] or "/",
                query,
                headers,
                body,
                base_url=f"http://{host}",
                path_prefix="/_sandbox",
            )
            try:
                return self._send(admin.handle(self.server.sandbox, request))
            except Exception as err:  # a malformed admin call must answer, not reset the socket
                logger.exception("sandbox admin call failed")
                return self._send(Response(400, {"error": f"{type(err).__name__}: {err}"}))
        module, prefix = resolve(parts.path)
        if module is None:
            return self._send(Response(404, {"message": f"No sandbox marketplace at {parts.path}"}))
        request = Request(
            self.command,
            parts.path[len(prefix) :] or "/",
            query,
            headers,
            body,
            base_url=f"http://{host}{prefix}",
            path_prefix=prefix,
        )
        try:
            response, self.skew_seconds = self.pipeline.handle(module, request)
        except Exception:  # a sandbox bug must look like a platform 500, not a dropped socket
            logger.exception("sandbox pipeline failed on %s %s", self.command, parts.path)
            response = module.server_error(500)
        if response is DROP:
            self.close_connection = True
            return None
        return self._send(response)

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()  # the CRLF after each chunk
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, response: Response):
        payload = response.encoded()
        self.send_response(response.status)
        if payload or response.status not in (204, 304):
            charset = "; charset=utf-8" if "json" in response.content_type else ""
            self.send_header("Content-Type", response.content_type + charset)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # bursts of parallel connector workers must queue, not be refused

    def __init__(self, *args, **kwargs):
        self.open_connections: set[socket.socket] = set()
        super().__init__(*args, **kwargs)

    def close_connections(self) -> None:
        """End kept-alive connections, so no client keeps talking to a stopped sandbox."""
        for connection in list(self.open_connections):
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class SandboxServer:
    """The sandbox on `host:port` (port 0 = a free port), serving in background threads."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        state_path: str | None = None,
        rate_scale: float = 1.0,
        demo: bool = False,
        demo_interval: float = 20.0,
        tick_seconds: float = 0.5,
    ):
        self.world = World(rate_scale=rate_scale, state_path=state_path)
        self.mail = AmazonRelay(self.world)
        self.pipeline = Pipeline(self.world)
        self.host, self.port = host, port
        self.demo, self.demo_interval = demo, demo_interval
        self.tick_seconds = tick_seconds
        self._httpd: ThreadingHTTPServer | None = None
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> SandboxServer:
        if self.world.state_path:
            self.world.load(self.world.state_path)
        if self.demo:
            self.load_demo_accounts()
        handler = type("SandboxHandler", (_Handler,), {"pipeline": self.pipeline})
        self._httpd = _Server((self.host, self.port), handler)
        self._httpd.sandbox = self
        self.port = self._httpd.server_address[1]
        self._stopping.clear()
        for name, target in (
            ("http", lambda: self._httpd.serve_forever(poll_interval=0.1)),
            ("tick", self._tick_forever),
        ):
            thread = threading.Thread(target=target, name=f"sandbox-{name}", daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd.close_connections()
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads.clear()
        self.mail.stop()
        self.world.save()

    def load_demo_accounts(self) -> None:
        from .demo import DEMO_ACCOUNTS

        for entry in DEMO_ACCOUNTS:
            existing = self.world.accounts.get(entry["key"])
            if existing is None:
                existing = self.world.add_account(
                    platform=entry["platform"],
                    name=entry["name"],
                    key=entry["key"],
                    credentials=entry["credentials"],
                    operator=entry["operator"],
                )
            if existing.generation_interval is None:
                existing.generation_interval = self.demo_interval

    # ---- background work ---------------------------------------------------------
    def _tick_forever(self) -> None:
        last_save = time.monotonic()
        while not self._stopping.wait(self.tick_seconds):
            try:
                self.tick()
                if self.world.state_path and time.monotonic() - last_save >= SNAPSHOT_INTERVAL_SECONDS:
                    self.world.save()
                    last_save = time.monotonic()
            except Exception:  # a bad tick must not stop the sandbox
                logger.exception("sandbox tick failed")

    def tick(self) -> None:
        """Apply due timers, generate the orders that are due, mail Amazon buyers' messages."""
        self.pipeline.sweep(force=True)
        self.mail.send_due()
        world = self.world
        with world.lock:
            now = world.now()
            for account in list(world.accounts.values()):
                interval = account.generation_interval
                if not interval:
                    continue
                if account.next_generation_at is None:
                    account.next_generation_at = iso(now + dt.timedelta(seconds=interval * random.uniform(0.1, 1.0)))
                    continue
                if parse_iso(account.next_generation_at) <= now:
                    [order] = create_orders(world, account, 1)
                    conversations.maybe_start(world, account, order_id=order["id"])
                    account.next_generation_at = iso(now + dt.timedelta(seconds=interval * random.uniform(0.5, 1.5)))
