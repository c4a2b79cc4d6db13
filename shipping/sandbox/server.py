"""The carrier sandbox's HTTP server: one ThreadingHTTPServer for every carrier and the admin API.

Paths: `/colissimo/…`, `/ups/…`, `/dhl/…`, `/mondial-relay/…` (unverified format) (each carrier's own paths below its prefix, see
accounts.PREFIXES), `/_sandbox/…` the admin API (loopback clients only):
- GET  /_sandbox/parcels                 every parcel with its steps so far
- POST /_sandbox/clock {"advance_seconds"} moves the sandbox's time forward
- POST /_sandbox/faults {"carrier", "status", "count"?, "operation"?}; GET, DELETE /_sandbox/faults
- POST /_sandbox/parcels/{number}/exception  the parcel meets a delivery problem
- POST /_sandbox/parcels/{number}/return     the parcel meets a problem, then goes back to its sender
- POST /_sandbox/incidents {"enabled"}     the occasional problem and return on (default) or off
- POST /_sandbox/reset                   forgets parcels, tokens, faults and the clock offset
Each carrier request: route → injected fault (the carrier's error body) → handler under the lock.

In-process (tests): `CarrierSandbox(port=0).start()` → `.url`, `.world`, `.stop()`.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from marketplaces.sandbox.wire import Request, Response, iso

from . import colissimo, dhl, mondial_relay, ups
from .world import World

logger = logging.getLogger(__name__)
# A label request carrying this header is answered once: the same key again gets the same labels.
IDEMPOTENCY_HEADER = "Idempotency-Key"

CARRIERS = {"/colissimo": colissimo, "/ups": ups, "/dhl": dhl, "/mondial-relay": mondial_relay}
LOOPBACK = ("127.0.0.1", "::1", "::ffff:127.0.0.1")
INCIDENT_PATH = re.compile(r"^/parcels/(?P<number>[^/]+)/(?P<incident>exception|return)/?$")


def handle_carrier(world: World, module, request: Request) -> Response:
    operation = module.operation(request)
    if operation is None:
        return module.error_response(404, f"No such resource: {request.method} {request.path}")
    fault = world.take_fault(module.CARRIER, operation)
    if fault is not None:
        return module.error_response(fault.status, f"Injected fault {fault.id} ({fault.status})")
    key = request.header(IDEMPOTENCY_HEADER) if operation == "label" else ""
    with world.lock:
        if key and (module.CARRIER, key) in world.label_replies:
            # The same label request again (a client retrying after it lost the answer): the same labels.
            world.requests.append(
                {"carrier": module.CARRIER, "operation": "label.replay", "status": 200, "time": iso(world.now())}
            )
            return world.label_replies[module.CARRIER, key]
        try:
            response = module.handle(world, request, operation)
        except Exception:  # a sandbox bug must look like the carrier's 500, not a dropped socket
            logger.exception("carrier sandbox %s %s failed", module.CARRIER, operation)
            response = module.error_response(500, "Internal error")
        world.requests.append(
            {"carrier": module.CARRIER, "operation": operation, "status": response.status, "time": iso(world.now())}
        )
        if key and 200 <= response.status < 300:
            world.label_replies[module.CARRIER, key] = response
    return response


def handle_admin(world: World, request: Request) -> Response:
    path = request.path.rstrip("/") or "/"
    body = request.json() or {} if request.body else {}
    if request.method == "POST" and path == "/reset":
        world.reset()
        return Response(200, {"reset": True})
    if request.method == "POST" and path == "/clock":
        with world.lock:
            world.offset += dt.timedelta(seconds=float(body["advance_seconds"]))
            return Response(200, {"now": iso(world.now())})
    if path == "/faults":
        if request.method == "POST":
            fault = world.add_fault(
                carrier=body["carrier"],
                status=int(body["status"]),
                count=int(body.get("count", 1)),
                operation=body.get("operation"),
            )
            return Response(201, fault.public())
        if request.method == "DELETE":
            with world.lock:
                world.faults.clear()
            return Response(204)
        with world.lock:
            return Response(200, {"faults": [fault.public() for fault in world.faults]})
    if request.method == "GET" and path == "/parcels":
        with world.lock:
            now = world.now()
            return Response(
                200,
                {
                    "parcels": [
                        {
                            "carrier": p.carrier,
                            "tracking_number": p.tracking_number,
                            "product": p.product,
                            "voided": p.voided,
                            "reference": p.reference,
                            "steps": [step for _, step in p.steps(now, world.speed)],
                        }
                        for p in world.parcels.values()
                    ]
                },
            )
    if request.method == "POST" and path == "/incidents":
        with world.lock:
            world.incidents = bool(body["enabled"])
            return Response(200, {"incidents": world.incidents})
    found = INCIDENT_PATH.match(path)
    if request.method == "POST" and found:
        with world.lock:
            parcel = world.parcels.get(found["number"])
            if parcel is None:
                return Response(404, {"error": f"unknown parcel {found['number']}"})
            if found["incident"] == "return":
                parcel.returned = True
            else:
                parcel.exception = True
            return Response(
                200,
                {"tracking_number": parcel.tracking_number, "exception": parcel.exception, "returned": parcel.returned},
            )
    return Response(404, {"error": f"no admin route {request.method} {request.path}"})


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "carrier-sandbox"
    world: World  # set on the subclass made by CarrierSandbox

    def log_message(self, format, *args):
        logger.debug("%s " + format, self.client_address[0], *args)

    def do_GET(self):
        self._dispatch()

    do_POST = do_PUT = do_DELETE = do_GET

    def _dispatch(self):
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {name.lower(): value for name, value in self.headers.items()}
        query = parse_qs(parts.query, keep_blank_values=True)
        if parts.path.startswith("/_sandbox"):
            if self.client_address[0] not in LOOPBACK:
                return self._send(Response(403, {"error": "the admin API answers loopback clients only"}))
            request = Request(self.command, parts.path[len("/_sandbox") :] or "/", query, headers, body)
            try:
                return self._send(handle_admin(self.world, request))
            except (KeyError, TypeError, ValueError) as error:
                return self._send(Response(400, {"error": f"{type(error).__name__}: {error}"}))
        for prefix, module in CARRIERS.items():
            if parts.path.startswith(prefix + "/"):
                request = Request(self.command, parts.path[len(prefix) :], query, headers, body, path_prefix=prefix)
                return self._send(handle_carrier(self.world, module, request))
        return self._send(Response(404, {"error": f"no carrier at {parts.path}"}))

    def _send(self, response: Response):
        payload = response.encoded()
        self.send_response(response.status)
        if payload:
            charset = "; charset=utf-8" if response.content_type == "application/json" else ""
            self.send_header("Content-Type", response.content_type + charset)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


class _Server(ThreadingHTTPServer):
    daemon_threads = True


class CarrierSandbox:
    """The carrier sandbox on `host:port` (port 0 = a free port), serving in a background thread."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, speed: float = 1.0):
        self.world = World(speed=speed)
        self.host, self.port = host, port
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> CarrierSandbox:
        handler = type("CarrierSandboxHandler", (_Handler,), {"world": self.world})
        self._httpd = _Server((self.host, self.port), handler)
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=lambda: self._httpd.serve_forever(poll_interval=0.1), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
