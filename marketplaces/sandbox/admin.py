"""The admin/inspection API under /_sandbox/ (JSON, no auth, loopback clients only).

Routes are listed in README.md ("Admin API"). Errors answer `{"error": "…"}` with 400 or
404. Amounts in order states are strings (the stored form).
"""

from __future__ import annotations

import base64
import re

from . import conversations
from .amazon_returns import open_return as open_amazon_return
from .cdiscount_claims import open_claim
from .ebay_returns import open_return as open_ebay_return
from .faults import KINDS
from .generate import create_orders
from .lifecycle import buyer_cancel
from .mirakl_incidents import close_incident, open_incident
from .mirakl_returns import open_return
from .wire import ApiError, Response, iso, to_jsonable


class AdminError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


_ROUTES: list[tuple[str, re.Pattern, str]] = []


def _route(method: str, template: str):
    regex = re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template) + "/?$")

    def register(function):
        _ROUTES.append((method, regex, function))
        return function

    return register


def handle(server, request) -> Response:
    """Dispatch one admin request; `server` is the SandboxServer."""
    for method, regex, function in _ROUTES:
        found = regex.match(request.path)
        if found and method == request.method:
            try:
                body = request.json() if request.body else {}
                return function(server, request, body or {}, **found.groupdict())
            except AdminError as err:
                return Response(err.status, {"error": str(err)})
            except ValueError as err:
                return Response(400, {"error": str(err)})
    return Response(404, {"error": f"no admin route {request.method} {request.path}"})


def _account(server, key: str):
    account = server.world.accounts.get(key)
    if account is None:
        raise AdminError(404, f"unknown account {key}")
    return account


def _order(server, key: str, order_id: str) -> dict:
    order = server.world.order(_account(server, key).key, order_id)
    if order is None:
        raise AdminError(404, f"unknown order {order_id} for account {key}")
    return order


@_route("GET", "/")
def index(server, request, body):
    """An overview for a person opening /_sandbox/ in a browser: accounts, their URLs, the routes."""
    from .demo import demo_account_urls

    base = request.base_url
    with server.world.lock:
        accounts = [
            {
                "key": a.key,
                "platform": a.platform,
                "name": a.name,
                "orders": len(server.world.orders.get(a.key, {})),
                "generation_interval_seconds": a.generation_interval,
                **demo_account_urls(base, a.public()),
            }
            for a in server.world.accounts.values()
        ]
    routes = sorted({f"{method} /_sandbox{regex.pattern[1:].replace('/?$', '')}" for method, regex, _ in _ROUTES})
    return Response(
        200,
        {
            "sandbox": "marketplaces sandbox (Amazon, eBay, Mirakl, Octopia)",
            "now": iso(server.world.now(), millis=True),
            "accounts": accounts,
            "admin_routes": [re.sub(r"\(\?P<(\w+)>\[\^/\]\+\)", r"{\1}", r) for r in routes],
        },
    )


@_route("GET", "/health")
def health(server, request, body):
    return Response(200, {"ok": True, "now": iso(server.world.now(), millis=True)})


@_route("GET", "/accounts")
def list_accounts(server, request, body):
    with server.world.lock:
        return Response(200, {"accounts": [a.public() for a in server.world.accounts.values()]})


@_route("POST", "/accounts")
def create_account(server, request, body):
    account = server.world.add_account(
        platform=body.get("platform", ""),
        name=body.get("name", ""),
        credentials=body.get("credentials") or {},
        key=body.get("key"),
        operator=body.get("operator"),
    )
    return Response(201, account.public())


@_route("GET", "/accounts/{key}")
def get_account(server, request, body, key):
    return Response(200, _account(server, key).public())


@_route("PUT", "/accounts/{key}/generation")
def set_generation(server, request, body, key):
    """{"interval_seconds": 20} or {"orders_per_minute": 3}; null/0 stops generation."""
    account = _account(server, key)
    interval = body.get("interval_seconds")
    if body.get("orders_per_minute"):
        interval = 60.0 / float(body["orders_per_minute"])
    with server.world.lock:
        account.generation_interval = float(interval) if interval else None
        account.next_generation_at = None
    return Response(200, account.public())


@_route("PUT", "/accounts/{key}/stock-rejections")
def set_stock_rejections(server, request, body, key):
    """{"rejections": {"SKU": "reason"}}: the account's stock imports (Mirakl STO01, Cdiscount offer
    packages) refuse these SKUs with that reason in their report; {} accepts everything again."""
    account = _account(server, key)
    rejections = body.get("rejections")
    if not isinstance(rejections, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v for k, v in rejections.items()
    ):
        raise AdminError(400, "rejections must map SKUs to non-empty reasons")
    with server.world.lock:
        account.stock_rejections = dict(rejections)
    return Response(200, account.public())


@_route("PUT", "/stock-imports/{submission_id}")
def set_stock_import_status(server, request, body, submission_id):
    """{"status": "RUNNING"}: what a Mirakl stock import (STO02) or a Cdiscount offer package reports
    from now on, e.g. one the platform is still working on."""
    status = body.get("status")
    if not isinstance(status, str) or not status:
        raise AdminError(400, "status is required")
    with server.world.lock:
        for kind in ("mirakl_imports", "cdiscount_packages"):
            record = server.world.documents.get(kind, {}).get(submission_id)
            if record is not None:
                record["status"] = status
                return Response(200, {"submission_id": submission_id, "status": status})
    raise AdminError(404, f"unknown stock import {submission_id}")


@_route("POST", "/accounts/{key}/orders")
def generate_orders(server, request, body, key):
    """Options: count, lines, skus, quantity, status, prime, business, relay, afn,
    buyer_cancels, short_acceptance, age_hours (placed that long ago), realistic.

    Without "realistic": true, the traits that change what actions are legal (AFN, a later
    buyer cancellation, a minutes-long acceptance window) are off unless asked, so tests
    stay deterministic; with it, they follow the demo mix like generated traffic."""
    account = _account(server, key)
    options = {
        name: body[name]
        for name in (
            "lines",
            "skus",
            "quantity",
            "prime",
            "business",
            "relay",
            "afn",
            "buyer_cancels",
            "short_acceptance",
            "age_hours",
            "returns",
            "incidents",
        )
        if name in body
    }
    if not body.get("realistic"):
        for trait in ("afn", "buyer_cancels", "short_acceptance", "returns", "incidents"):
            options.setdefault(trait, False)
    count = int(body.get("count", 1))
    if not 1 <= count <= 10_000:
        raise AdminError(400, "count must be between 1 and 10000")
    orders = create_orders(server.world, account, count, status=body.get("status"), **options)
    return Response(201, {"orders": to_jsonable(orders)})


@_route("GET", "/accounts/{key}/orders")
def list_orders(server, request, body, key):
    account = _account(server, key)
    with server.world.lock:
        orders = [
            {"id": o["id"], "status": o["status"], "created_at": o["created_at"], "updated_at": o["updated_at"]}
            for o in server.world.orders.get(account.key, {}).values()
        ]
    return Response(200, {"orders": sorted(orders, key=lambda o: (o["created_at"], o["id"]))})


@_route("GET", "/accounts/{key}/orders/{order_id}")
def get_order(server, request, body, key, order_id):
    with server.world.lock:
        order = _order(server, key, order_id)
        actions = server.world.actions.get(f"{key}/{order_id}", [])
        return Response(200, to_jsonable({**order, "actions": actions}))


@_route("GET", "/accounts/{key}/orders/{order_id}/actions")
def order_actions(server, request, body, key, order_id):
    _order(server, key, order_id)
    with server.world.lock:
        return Response(200, {"actions": list(server.world.actions.get(f"{key}/{order_id}", []))})


@_route("POST", "/accounts/{key}/orders/{order_id}/buyer-cancel")
def cancel_by_buyer(server, request, body, key, order_id):
    with server.world.lock:
        order = _order(server, key, order_id)
        applied = buyer_cancel(server.world, order, body.get("reason") or "Buyer changed their mind")
        return Response(200, {"applied": applied, "order": to_jsonable(order)})


RETURN_OPENERS = {
    "mirakl": open_return,
    "amazon": open_amazon_return,
    "ebay": open_ebay_return,
    "cdiscount": open_claim,
}
# Cdiscount: the claim's type (Return, ItemNotReceived, ProductNotAsDescribed, ProductDefective).
DEFAULT_RETURN_REASONS = {"mirakl": "DAMAGED", "amazon": "DEFECTIVE", "ebay": "DEFECTIVE_ITEM", "cdiscount": "Return"}


@_route("POST", "/accounts/{key}/orders/{order_id}/return")
def open_return_by_buyer(server, request, body, key, order_id):
    """The buyer opens a return (Mirakl, Amazon): {reason_code, quantity, claim} → the return as stored
    (`claim`: an Amazon A-to-z claim)."""
    with server.world.lock:
        order = _order(server, key, order_id)
        opener = RETURN_OPENERS.get(order["platform"])
        if opener is None:
            raise AdminError(400, f"returns are not imitated for {order['platform']}")
        options = {"claim": bool(body.get("claim"))} if order["platform"] != "mirakl" else {}
        try:
            record = opener(
                server.world,
                order,
                reason_code=body.get("reason_code") or DEFAULT_RETURN_REASONS[order["platform"]],
                quantity=body.get("quantity"),
                **options,
            )
        except ApiError as error:
            raise AdminError(400, error.message) from None
        server.world.touch(order)
        return Response(201, {"return": to_jsonable(record)})


@_route("POST", "/accounts/{key}/orders/{order_id}/incident")
def open_incident_by_buyer(server, request, body, key, order_id):
    """The buyer opens an incident on a line (Mirakl): {line_id, reason_code} → the line as OR11 shows it."""
    with server.world.lock:
        order = _order(server, key, order_id)
        if order["platform"] != "mirakl":
            raise AdminError(400, "incidents are imitated for Mirakl only")
        try:
            line = open_incident(
                server.world,
                order,
                line_id=body.get("line_id") or None,
                reason_code=str(body.get("reason_code") or "1"),
            )
        except ApiError as error:
            raise AdminError(400, error.message) from None
        return Response(201, {"line": to_jsonable(line)})


@_route("POST", "/accounts/{key}/orders/{order_id}/incident/close")
def close_incident_on_platform(server, request, body, key, order_id):
    """The operator closes an incident on Mirakl's side (no OR64 from the seller): {line_id} → the line."""
    with server.world.lock:
        order = _order(server, key, order_id)
        if order["platform"] != "mirakl":
            raise AdminError(400, "incidents are imitated for Mirakl only")
        try:
            line = close_incident(server.world, order, line_id=body.get("line_id") or None)
        except ApiError as error:
            raise AdminError(400, error.message) from None
        return Response(200, {"line": to_jsonable(line)})


@_route("GET", "/accounts/{key}/actions")
def account_actions(server, request, body, key):
    """Every applied action of the account (orders, stock, listings), by target."""
    _account(server, key)
    prefix = f"{key}/"
    with server.world.lock:
        return Response(
            200, {"actions": {k[len(prefix) :]: v for k, v in server.world.actions.items() if k.startswith(prefix)}}
        )


@_route("POST", "/accounts/{key}/expire-tokens")
def expire_tokens(server, request, body, key):
    with server.world.lock:
        return Response(200, {"expired": server.world.expire_tokens(_account(server, key).key)})


@_route("GET", "/accounts/{key}/stock")
def account_stock(server, request, body, key):
    _account(server, key)
    with server.world.lock:
        history = [h for h in server.world.stock_history if h["account"] == key]
        return Response(200, {"stock": dict(server.world.stock.get(key, {})), "history": history})


@_route("GET", "/clock")
def clock(server, request, body):
    return Response(
        200,
        {
            "now": iso(server.world.now(), millis=True),
            "offset_seconds": server.world.clock_offset,
            "frozen": server.world.frozen_at is not None,
        },
    )


@_route("POST", "/clock/advance")
def advance_clock(server, request, body):
    seconds = float(body.get("seconds", 0))
    if seconds < 0:
        raise AdminError(400, "the clock only moves forward")
    now = server.world.advance_clock(seconds)
    server.pipeline.sweep(force=True)
    return Response(200, {"now": iso(now, millis=True), "offset_seconds": server.world.clock_offset})


@_route("POST", "/clock/freeze")
def freeze_clock(server, request, body):
    """{"frozen": true} stops the clock (it then moves only by /clock/advance); false restarts it."""
    now = server.world.freeze_clock(bool(body.get("frozen", True)))
    return Response(200, {"now": iso(now, millis=True), "frozen": server.world.frozen_at is not None})


@_route("GET", "/requests")
def requests_log(server, request, body):
    """Filters: account, operation, platform, since (seq, exclusive), limit (default 1000)."""
    account, operation = request.arg("account"), request.arg("operation")
    platform, since = request.arg("platform"), int(request.arg("since", "0"))
    limit = int(request.arg("limit", "1000"))
    with server.world.lock:
        entries = [
            e
            for e in server.world.requests
            if e["seq"] > since
            and (account is None or e["account"] == account)
            and (operation is None or e["operation"] == operation)
            and (platform is None or e["platform"] == platform)
        ]
    return Response(200, {"requests": entries[-limit:]})


@_route("GET", "/counters")
def counters(server, request, body):
    account = request.arg("account")
    with server.world.lock:
        rows = [
            {"account": a, "operation": op, **values}
            for (a, op), values in server.world.counters.items()
            if account is None or a == account
        ]
    return Response(
        200,
        {
            "counters": sorted(rows, key=lambda r: (r["account"], r["operation"])),
            "total_requests": sum(r["requests"] for r in rows),
            "total_throttled": sum(r["throttled"] for r in rows),
        },
    )


@_route("GET", "/faults")
def list_faults(server, request, body):
    return Response(200, {"faults": server.world.faults.pending(), "kinds": list(KINDS)})


@_route("POST", "/accounts/{key}/threads")
def start_threads(server, request, body, key):
    """A buyer writes: {"count": 1, "order_id": "…" (none: a question before purchase), "topic": "cancel",
    "body": "…" (else the topic's script)}. Topics: where_is_my_parcel, cancel, damaged, invoice,
    before_purchase."""
    account = _account(server, key)
    count = int(body.get("count", 1))
    if not 1 <= count <= 10_000:
        raise AdminError(400, "count must be between 1 and 10000")
    with server.world.lock:
        threads = [
            conversations.start(
                server.world, account, order_id=body.get("order_id"), topic=body.get("topic"), body=body.get("body")
            )
            for _ in range(count)
        ]
        return Response(201, {"threads": to_jsonable(threads)})


@_route("GET", "/accounts/{key}/threads")
def list_threads(server, request, body, key):
    account = _account(server, key)
    with server.world.lock:
        return Response(200, {"threads": to_jsonable(list(server.world.threads.get(account.key, {}).values()))})


@_route("POST", "/accounts/{key}/threads/{thread_id}/messages")
def buyer_writes(server, request, body, key, thread_id):
    """The buyer writes again on a thread: {"body": "…", "files": [{"name", "content_type", "content_base64"}]}
    (files optional: Mirakl lists them on the message for M13, Amazon's relay mails them as attachments)."""
    account = _account(server, key)
    with server.world.lock:
        thread = server.world.threads.get(account.key, {}).get(thread_id)
        if thread is None:
            raise AdminError(404, f"unknown thread {thread_id}")
        text = body.get("body")
        if not isinstance(text, str) or not text.strip():
            raise AdminError(400, "body is required")
        try:
            files = [
                {"name": str(f["name"]), "content_type": str(f.get("content_type") or "application/octet-stream"),
                 "content": base64.b64decode(f["content_base64"], validate=True)}
                for f in body.get("files") or []
            ]  # fmt: skip
            attachments = conversations.keep_files(server.world, thread, files)
        except (KeyError, TypeError, ValueError) as error:
            raise AdminError(400, f"files: {error}") from None
        message = conversations.add_message(
            server.world, thread, sender="customer", author=thread["customer"]["name"], body=text,
            attachments=attachments,
        )  # fmt: skip
        return Response(201, to_jsonable(message))


@_route("PUT", "/mail")
def configure_mail(server, request, body):
    """Amazon's relay by e-mail: {"smtp": "127.0.0.1:8025" (where buyer mail goes), "seller_address":
    "ventes@seller.localhost", "listen_port": 0 (the SMTP port taking the seller's replies; 0: any)}."""
    smtp = body.get("smtp")
    if smtp is not None and (not isinstance(smtp, str) or ":" not in smtp):
        raise AdminError(400, "smtp must be HOST:PORT")
    host, _, port = (smtp or "").rpartition(":")
    server.mail.configure(
        smtp=(host, int(port)) if smtp else None, seller_address=str(body.get("seller_address") or "")
    )
    listening = server.mail.listen(port=int(body.get("listen_port") or 0))
    return Response(200, {"smtp": smtp, "seller_address": server.mail.seller_address, "listen_port": listening})


@_route("POST", "/faults")
def inject_fault(server, request, body):
    """{"account", "kind", "count"=1, "operation"?, "status"?, "seconds"?, "drop"?, "apply"?}"""
    _account(server, body.get("account", ""))
    fault = server.world.faults.add(
        account=body["account"],
        kind=body.get("kind", ""),
        count=int(body.get("count", 1)),
        operation=body.get("operation"),
        status=int(body.get("status", 500)),
        seconds=float(body.get("seconds", 30)),
        drop=bool(body.get("drop", False)),
        apply=bool(body.get("apply", False)),
    )
    return Response(201, fault.public())


@_route("DELETE", "/faults")
def clear_faults(server, request, body):
    server.world.faults.clear()
    return Response(204)


@_route("PUT", "/rate-limits")
def set_rate_limits(server, request, body):
    """{"scale": X} for everyone, or with "account": KEY for one account; "refill": true
    starts the buckets full again; with an account, "limits": {"getOrders": [rate, burst]}
    replaces documented limits (null removes the override)."""
    scale = body.get("scale")
    with server.world.lock:
        if body.get("account"):
            account = _account(server, body["account"])
            account.rate_scale = float(scale) if scale is not None else None
            for operation, limit in (body.get("limits") or {}).items():
                if limit is None:
                    account.rate_overrides.pop(operation, None)
                else:
                    account.rate_overrides[operation] = [float(limit[0]), int(limit[1])]
        elif scale is not None:
            server.world.rate_scale = float(scale)
        if body.get("refill"):
            server.world.limiter.refill(body.get("account"))
    return Response(200, {"scale": server.world.rate_scale})


@_route("POST", "/snapshot")
def snapshot(server, request, body):
    if not server.world.state_path:
        raise AdminError(400, "the sandbox runs without --state")
    server.world.save()
    return Response(200, {"saved": server.world.state_path})


@_route("POST", "/reset")
def reset(server, request, body):
    server.world.reset()
    return Response(200, {"reset": True})
