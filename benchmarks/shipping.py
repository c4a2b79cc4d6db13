"""Benchmarks of warehouse paperwork and packing (`python -m benchmarks --only shipping`).

- a pick list of 500 orders (three lines at most each, over the sandbox catalogue, every SKU in
  its bin), recorded, read and drawn as PDF, in seconds (and its pages);
- the packing station's scan round trip, p95 (target ≤ 100 ms): an operator's session scanning
  every unit of 50 orders through the whole Django stack (middleware, session, lock, template),
  the order scans that open a session (a shipment, its label asked) apart from the item scans;
- bulk labels per minute: a bulk labels job over 500 orders (shipments made, labels asked), then
  the outbox drained against the carrier sandbox (real HTTP, one process), labels received per minute;
- tracking to delivered: those shipments handed over, the carrier sandbox's clock moved past their
  delivery, then polls of the account (batches of OMS_TRACKING_BATCH, real HTTP) until every parcel
  was asked: parcels tracked per second (the carrier's answers included), parcels applied per second
  (shipping.actions.record_tracking_batch alone: the database side) and database queries per parcel.
"""

from __future__ import annotations

import io
import itertools
import random
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from benchmarks.support import p95, report
from demo.factories import OrderDataFactory, OrderLineDataFactory
from inventory import actions as stock
from inventory.models import Product, StockLevel, Warehouse
from marketplaces.models import MarketplaceAccount
from marketplaces.sandbox.catalogue import CATALOGUE
from oms import outbox, roles
from order_queue import bulk
from orders.actions import Actor, ingest_orders
from orders.models import BulkJob, Order, OrderLine
from orders.status import OrderStatus
from shipping import actions as shipping_actions
from shipping import tracking
from shipping.models import Carrier, CarrierAccount, PackingSession, Parcel, Shipment
from shipping.paperwork import actions as paperwork
from shipping.paperwork import pick_list
from shipping.paperwork.selectors import pick_list_data
from shipping.sandbox.accounts import CREDENTIALS, PREFIXES
from shipping.sandbox.testing import running_carrier_sandbox

PAGE = 200
SYSTEM = Actor.system("bench")


def run(*, quick: bool = False) -> None:
    random.seed(13)
    account = MarketplaceAccount.objects.create(platform="mirakl", name="Shipping bench", enabled=False)
    _stock()
    operator = _operator()
    with running_carrier_sandbox() as sandbox:
        _carrier_account(sandbox)
        sandbox.admin.set_incidents(False)  # every parcel is delivered: the tracking figure counts them
        pick_list_time(_orders(account, count=500), operator)
        scan_round_trip(_orders(account, count=20 if quick else 50), operator)
        labelled = _orders(account, count=50 if quick else 500)
        bulk_labels(labelled, operator)
        tracking_to_delivered(labelled, sandbox)


def _stock() -> None:
    warehouse = Warehouse.objects.create(code="bench", name="Bench", priority=1)
    for item in CATALOGUE:
        Product.objects.get_or_create(sku=item.sku, defaults={"title": item.title, "ean": item.ean})
    stock.set_stock(
        rows=[stock.StockCount(sku=item.sku, warehouse="bench", quantity=10_000_000) for item in CATALOGUE],
        actor=SYSTEM,
        note="bench",
    )
    for number, level in enumerate(StockLevel.objects.filter(warehouse=warehouse).order_by("pk")):
        StockLevel.objects.filter(pk=level.pk).update(bin_location=f"{'ABCDEFGH'[number % 8]}-{number // 8 + 1:02d}-1")


def _operator():
    roles.sync_roles()
    user = get_user_model().objects.create_user("bench-operator", password="bench")
    user.groups.add(Group.objects.get(name=roles.OPERATOR))
    return user


def _carrier_account(sandbox) -> None:
    account = CarrierAccount(
        carrier=Carrier.objects.get(code="colissimo"),
        name="Colissimo bench",
        base_url=sandbox.url + PREFIXES["colissimo"],
        sender={"name": "Bench", "line1": "1 rue du Banc", "postal_code": "69001", "city": "Lyon", "country": "FR"},
    )
    account.credentials = CREDENTIALS["colissimo"]
    account.save()


def _orders(account, *, count: int) -> list[int]:
    ids: list[int] = []
    for start in range(0, count, PAGE):
        page = []
        for _ in range(min(PAGE, count - start)):
            items = random.sample(CATALOGUE, random.choice((1, 1, 2, 3)))
            order_id = f"BENCH-{random.getrandbits(48):012x}"
            lines = tuple(
                OrderLineDataFactory(
                    marketplace_line_id=f"{order_id}-{i}", product=item, quantity=random.choice((1, 1, 2))
                )
                for i, item in enumerate(items)
            )
            page.append(
                OrderDataFactory(
                    platform="mirakl", marketplace_order_id=order_id, status=OrderStatus.ACCEPTED, lines=lines
                )
            )
        ids += [result.order.pk for result in ingest_orders(account=account, orders=page)]
    return ids


def pick_list_time(order_ids: list[int], operator) -> None:
    started = time.perf_counter()
    record = paperwork.create_pick_list(order_ids=order_ids, actor=Actor.of_user(operator))
    content = pick_list.build(pick_list_data(record, user=operator))
    elapsed = time.perf_counter() - started
    report("shipping_pick_list_500_orders", elapsed, "s")
    report("shipping_pick_list_500_orders_pages", len(PdfReader(io.BytesIO(content)).pages), "pages")


def scan_round_trip(order_ids: list[int], operator) -> None:
    # As the production settings see a request (over HTTPS, for a host they serve), static files
    # named without the collected manifest (the bench does not run collectstatic).
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(ALLOWED_HOSTS=["oms.bench"], STORAGES=storages):
        _scan_round_trip(order_ids, operator)


def _scan_round_trip(order_ids: list[int], operator) -> None:
    client = Client(HTTP_HOST="oms.bench")
    client.force_login(operator)
    headers = {"HTTP_HX_REQUEST": "true", "secure": True}
    url = reverse("shipping:pack_scan")
    client.get(reverse("shipping:pack"), secure=True)  # the first request pays for the URL and template caches
    opening, items = [], []
    for order_id in order_ids:
        started = time.perf_counter()
        client.post(url, {"code": f"OMS-{order_id:07d}"}, **headers)
        opening.append(time.perf_counter() - started)
        outbox.drain()  # the label, as a worker would meanwhile
        session = PackingSession.objects.get(order_id=order_id, finished_at__isnull=True)
        eans = _eans(session)
        for code in itertools.chain.from_iterable(itertools.repeat(ean, units) for ean, units in eans):
            started = time.perf_counter()
            response = client.post(url, {"code": code}, **headers)
            items.append(time.perf_counter() - started)
            assert b'data-outcome="refused"' not in response.content, response.content[:500]
        session.refresh_from_db()
        assert session.finished_at is not None, "not packed"
    report("shipping_scan_item_round_trip_p95", p95(items) * 1000, "ms")
    report("shipping_scan_item_round_trip_median", sorted(items)[len(items) // 2] * 1000, "ms")
    report("shipping_scan_order_round_trip_p95", p95(opening) * 1000, "ms")
    report("shipping_scans", len(items) + len(opening), "scans")


def _eans(session: PackingSession) -> list[tuple[str, int]]:
    lines = dict(OrderLine.objects.filter(pk__in=[int(pk) for pk in session.expected]).values_list("pk", "ean"))
    return [(lines[int(pk)], units) for pk, units in session.expected.items()]


def bulk_labels(order_ids: list[int], operator) -> None:
    started = time.perf_counter()
    job = bulk.start_job(user=operator, key="bench-labels", action=BulkJob.Action.LABELS, order_ids=order_ids)
    bulk.run_job(job_id=job.pk)
    while outbox.drain().get("sent"):
        pass
    elapsed = time.perf_counter() - started
    job.refresh_from_db()
    labelled = Parcel.objects.filter(shipment__order_id__in=order_ids).exclude(label=None).count()
    report("shipping_bulk_labels_orders", job.succeeded, "orders")
    report("shipping_bulk_labels_per_minute", labelled / elapsed * 60, "labels/min")


def tracking_to_delivered(order_ids: list[int], sandbox) -> None:
    shipments = Shipment.objects.filter(order_id__in=order_ids, status=Shipment.Status.LABELLED)
    for shipment_id in shipments.values_list("pk", flat=True):
        shipping_actions.hand_over_shipment(shipment_id=shipment_id, actor=SYSTEM)
    sandbox.admin.advance(2750)  # past every sandbox parcel's delivery
    account_id = CarrierAccount.objects.get(name="Colissimo bench").pk
    asked = 0
    applying = [0.0]
    apply_batch = shipping_actions.record_tracking_batch

    def timed_apply(batch):
        began = time.perf_counter()
        try:
            return apply_batch(batch)
        finally:
            applying[0] += time.perf_counter() - began

    started = time.perf_counter()
    shipping_actions.record_tracking_batch = timed_apply
    try:
        with override_settings(OMS_TRACKING_INTERVAL=0), CaptureQueriesContext(connection) as queries:
            while polled := tracking.poll_account(account_id=account_id).asked:
                asked += polled
    finally:
        shipping_actions.record_tracking_batch = apply_batch
    elapsed = time.perf_counter() - started
    delivered = Order.objects.filter(pk__in=order_ids, status="delivered").count()
    report("shipping_tracking_parcels", asked, "parcels")
    report("shipping_tracking_delivered_orders", delivered, "orders")
    report("shipping_tracking_parcels_per_second", asked / elapsed, "parcels/s")
    report("shipping_tracking_applied_parcels_per_second", asked / applying[0], "parcels/s")
    report("shipping_tracking_queries_per_parcel", len(queries) / asked, "queries")
