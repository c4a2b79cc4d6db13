"""Benchmarks of webhook deliveries (`python -m benchmarks --only webhooks`), to a real receiver
(an HTTP server on 127.0.0.1 in this process) from real Celery worker processes.

- new order → signed `order.created` received, p95 (target ≤ 5 s): the real path, ingest
  commits, the outbox drainer is woken on commit, a worker signs and POSTs;
- deliveries per second (target ≥ 200/s): a backlog of `order.created` deliveries (the API's
  order representation, signed) drained by one worker with the production concurrency (4 processes, as in docker-compose.yml).
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.db import transaction

from benchmarks.support import celery, child_env, p95, processes, report, wait_for
from demo.factories import OrderDataFactory
from marketplaces.models import MarketplaceAccount
from oms.outbox import OutboxMessage
from orders.actions import ingest_order
from orders.models import Order
from orders.status import OrderStatus
from rules.models import Rule
from webhooks import actions, publishing
from webhooks.actions import EndpointDefinition
from webhooks.events import orders_as_api
from webhooks.models import Endpoint


class Receiver:
    """Answers 204 at once; notes when each event arrived (wall clock, as `occurred_at` is)."""

    def __init__(self) -> None:
        self.arrivals: dict[str, tuple[float, str]] = {}  # event id → (arrival, occurred_at)
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as a production receiver would

            def do_POST(self):
                event = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with receiver.lock:
                    receiver.arrivals.setdefault(event["id"], (time.time(), event["occurred_at"]))
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def count(self) -> int:
        with self.lock:
            return len(self.arrivals)


def run(*, quick: bool = False) -> None:
    # Earlier benchmarks leave rules switched on and pushes to marketplaces no server answers here:
    # the workers measured here deliver webhooks only.
    Rule.objects.update(enabled=False)
    OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING).update(status=OutboxMessage.Status.DISCARDED)
    account = MarketplaceAccount.objects.create(platform="mirakl", name="Webhooks bench")
    with Receiver() as receiver:
        actions.create_endpoint(
            definition=EndpointDefinition(url=receiver.url, events=("order.created",)), created_by=None
        )
        with processes(celery("worker", "--pool=prefork", "--concurrency=4"), env=child_env()):
            new_order_to_delivery_lag(account, receiver, orders=30 if quick else 200)
            deliveries_per_second(receiver, deliveries=500 if quick else 5_000)


def new_order_to_delivery_lag(account, receiver: Receiver, *, orders: int) -> None:
    lags = []
    for _ in range(orders):
        order = ingest_order(
            account=account, data=OrderDataFactory(platform="mirakl", status=OrderStatus.PENDING_ACCEPTANCE)
        ).order
        before = receiver.count()
        wait_for(lambda before=before: receiver.count() > before, seconds=60, step=0.002)
        with receiver.lock:
            arrived, occurred = max(receiver.arrivals.values())
        lags.append(arrived - dt.datetime.fromisoformat(occurred).timestamp())
        time.sleep(0.02)
    assert receiver.count() >= orders and order.pk
    report("webhooks_new_order_to_delivery_p95", p95(lags), "s")


def deliveries_per_second(receiver: Receiver, *, deliveries: int) -> None:
    endpoint = Endpoint.objects.get()
    data = {"order": orders_as_api([Order.objects.latest("pk").pk])[0]}  # a real order, as the API shows it
    already = receiver.count()
    with transaction.atomic():
        for _ in range(deliveries):
            publishing.deliver(endpoint_id=endpoint.pk, event=publishing.event(event_type="order.created", data=data))
    started = time.time()
    unsent = OutboxMessage.objects.filter(kind=publishing.DELIVER).exclude(status=OutboxMessage.Status.SENT)
    wait_for(lambda: not unsent.exists(), seconds=600, step=0.05)  # received, and recorded as sent
    elapsed = time.time() - started
    assert receiver.count() == already + deliveries
    report("webhooks_deliveries_per_second", deliveries / elapsed, "deliveries/s")
