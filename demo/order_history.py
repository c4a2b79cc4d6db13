"""Orders in bulk, written with COPY: a seller's history at scale, for benchmarks and demos.

`generate_orders` writes orders, their lines and a "received" event each (the generated
columns `search_document` and `due_at` are computed by PostgreSQL);
`python manage.py generate_orders 1000000` fills a development database the same way.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time
import uuid
from decimal import Decimal

from django.db import connection
from faker import Faker

from marketplaces.models import MarketplaceAccount
from marketplaces.sandbox.catalogue import CATALOGUE
from orders import events
from orders.canonical import TaxMode
from orders.models import ActorType, Order, OrderEvent, OrderLine
from orders.status import OrderStatus

# What a seller's history looks like: mostly done, a working set to accept and ship.
STATUS_WEIGHTS = [
    (OrderStatus.DELIVERED, 55),
    (OrderStatus.SHIPPED, 30),
    (OrderStatus.ACCEPTED, 6),
    (OrderStatus.PENDING_ACCEPTANCE, 3),
    (OrderStatus.CANCELLED, 3),
    (OrderStatus.REFUSED, 1),
    (OrderStatus.PARTIALLY_SHIPPED, 1),
    (OrderStatus.AWAITING_PAYMENT, 1),
]
ACCOUNTS = [
    ("amazon", "Amazon FR"),
    ("ebay", "eBay FR"),
    ("mirakl", "Fnac-Darty"),
    ("mirakl", "Boulanger"),
    ("cdiscount", "Cdiscount"),
]
BATCH = 20_000

# The money columns a generated order leaves at zero or empty (taxes included, no discount).
_ZERO_MONEY = (
    "shipping_tax_amount",
    "discount_amount",
    "shipping_discount_amount",
    "fee_amount",
    "gift_wrap_amount",
    "gift_wrap_tax_amount",
    "marketplace_refunded_amount",
    "marketplace_cancelled_amount",
)
LINE_MONEY_DEFAULTS = {
    **dict.fromkeys(_ZERO_MONEY, Decimal("0")),
    "is_gift": False,
    "gift_message": "",
    "buyer_cancel_reason": "",
}
ORDER_MONEY_DEFAULTS = {
    **dict.fromkeys(_ZERO_MONEY, Decimal("0")),
    "tax_amount": Decimal("0"),
    "payment_method": "",
    "purchase_order_number": "",
    "earliest_ship_date": None,
    "earliest_delivery_date": None,
    "is_gift": False,
}


def _accounts() -> list[MarketplaceAccount]:
    return [
        MarketplaceAccount.objects.get_or_create(name=f"{name} (bench)", defaults={"platform": platform})[0]
        for platform, name in ACCOUNTS
    ]


def _columns(model, skip=()) -> list[str]:
    return [field.column for field in model._meta.concrete_fields if not field.generated and field.column not in skip]


def generate_orders(count: int, *, seed: int = 7) -> float:
    """Insert `count` orders (1 to 3 lines each, a "received" event each) with COPY; returns the seconds it took.

    A large load drops the tables' secondary indexes first and builds them again at
    the end (much faster than maintaining a trigram index row by row), as any bulk load does.
    """
    rng = random.Random(seed)
    fake = Faker("fr_FR")
    fake.seed_instance(seed)
    names = [fake.name() for _ in range(5000)]
    cities = [(fake.postcode(), fake.city()) for _ in range(500)]
    accounts = _accounts()
    statuses = [status for status, _ in STATUS_WEIGHTS]
    weights = [weight for _, weight in STATUS_WEIGHTS]
    order_columns = _columns(Order)
    line_columns = _columns(OrderLine, skip=("id",))
    event_columns = _columns(OrderEvent, skip=("id",))
    now = dt.datetime.now(dt.UTC)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM orders_order")
        next_id = cursor.fetchone()[0] + 1
    first_id = next_id
    run = uuid.uuid4().hex[:6]
    dropped = _drop_secondary_indexes() if count >= 100_000 else []
    try:
        while next_id < first_id + count:
            size = min(BATCH, first_id + count - next_id)
            orders, lines = [], []
            for pk in range(next_id, next_id + size):
                orders.append(_order_row(rng, pk, run, now, accounts, statuses, weights, names, cities, lines))
            connection.ensure_connection()
            with connection.connection.cursor() as cursor:  # psycopg's own cursor, for COPY
                with cursor.copy(f"COPY orders_order ({', '.join(order_columns)}) FROM STDIN") as copy:
                    copy.write("".join(_copy_line(row, order_columns) for row in orders))
                with cursor.copy(f"COPY orders_orderline ({', '.join(line_columns)}) FROM STDIN") as copy:
                    copy.write("".join(_copy_line(row, line_columns) for row in lines))
                with cursor.copy(f"COPY orders_orderevent ({', '.join(event_columns)}) FROM STDIN") as copy:
                    copy.write("".join(_copy_line(_received_event(row, accounts), event_columns) for row in orders))
            next_id += size
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '256MB'")
            for definition in dropped:
                cursor.execute(definition)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('orders_order', 'id'), (SELECT MAX(id) FROM orders_order))"
        )
        # What autovacuum does after a load: planner statistics and the visibility map (index-only
        # scans). VACUUM cannot run inside a transaction (a test's): statistics only, then.
        analyze = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
        cursor.execute(f"{analyze} orders_order")
        cursor.execute(f"{analyze} orders_orderline")
        cursor.execute(f"{analyze} orders_orderevent")
    return time.perf_counter() - started


def _received_event(order: dict, accounts) -> dict:
    platform = next(account.platform for account in accounts if account.pk == order["account_id"])
    return {
        "order_id": order["id"],
        "created_at": order["created_at"],
        "kind": events.RECEIVED,
        "actor_type": ActorType.MARKETPLACE,
        "actor_user_id": None,
        "actor_label": platform,
        "from_status": "",
        "to_status": order["status"],
        "params": json.dumps({"marketplace_status": order["marketplace_status"]}),
    }


def _drop_secondary_indexes() -> list[str]:
    """Drop the orders' and lines' plain indexes (not keys or unique constraints); return how to rebuild them."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.indexname, i.indexdef FROM pg_indexes i
            JOIN pg_class c ON c.relname = i.indexname
            JOIN pg_index x ON x.indexrelid = c.oid
            WHERE i.tablename IN ('orders_order', 'orders_orderline', 'orders_orderevent') AND NOT x.indisunique AND NOT x.indisprimary
            """
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    return [definition for _, definition in indexes]


def _copy_value(value) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, list):
        return "{" + ",".join(value) + "}"
    if isinstance(value, dt.datetime):
        return value.isoformat()
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")


def _copy_line(row: dict, columns: list[str]) -> str:
    return "\t".join(_copy_value(row[column]) for column in columns) + "\n"


def _order_row(rng, pk, run, now, accounts, statuses, weights, names, cities, lines) -> dict:
    account = accounts[pk % len(accounts)]
    status = rng.choices(statuses, weights)[0]
    open_work = status in (
        OrderStatus.PENDING_ACCEPTANCE,
        OrderStatus.ACCEPTED,
        OrderStatus.PARTIALLY_SHIPPED,
        OrderStatus.AWAITING_PAYMENT,
    )
    age = (
        dt.timedelta(minutes=rng.randint(5, 60 * 24 * 4))
        if open_work
        else dt.timedelta(minutes=rng.randint(60 * 24 * 3, 60 * 24 * 365))
    )
    purchased = now - age
    name = rng.choice(names)
    postcode, city = rng.choice(cities)
    total = Decimal("0")
    line_count = rng.choice((1, 1, 1, 2, 2, 3))
    for index in range(line_count):
        product = rng.choice(CATALOGUE)
        quantity = rng.choice((1, 1, 1, 2))
        line_total = product.price * quantity
        total += line_total
        shipped = quantity if status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED) else 0
        lines.append(
            {
                "order_id": pk,
                "marketplace_line_id": f"{pk}-{index + 1}",
                "sku": product.sku,
                "marketplace_product_id": "",
                "ean": product.ean,
                "title": product.title,
                "quantity": quantity,
                "quantity_shipped": shipped,
                "unit_price_amount": product.price,
                "total_amount": line_total,
                "shipping_amount": Decimal("0"),
                "tax_amount": Decimal("0"),
                "marketplace_status": "",
                "ship_by": None,
                "buyer_requested_cancel": False,
                **LINE_MONEY_DEFAULTS,
            }
        )
    shipping = rng.choice((Decimal("0.00"), Decimal("4.90"), Decimal("6.99")))
    order_id = f"B{run}-{pk:08d}"
    tracking = f"6A{pk:011d}" if status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED) else ""
    return {
        "id": pk,
        "account_id": account.pk,
        "marketplace_order_id": order_id,
        "reference": order_id,
        "status": status,
        "marketplace_status": status,
        "channel": "",
        "purchased_at": purchased,
        "marketplace_updated_at": purchased + dt.timedelta(minutes=5),
        "acceptance_deadline": purchased + dt.timedelta(hours=48) if status == OrderStatus.PENDING_ACCEPTANCE else None,
        "ship_by": purchased + dt.timedelta(days=2),
        "deliver_by": None,
        "currency": "EUR",
        "total_amount": total + shipping,
        "shipping_amount": shipping,
        "refunded_amount": Decimal("0"),
        "tax_mode": TaxMode.INCLUDED,
        "items_amount": total,
        "lines_total_amount": total + shipping,
        **ORDER_MONEY_DEFAULTS,
        "buyer_name": name,
        "buyer_email": f"buyer{pk}@marketplace.example",
        "shipping_method": "Standard",
        "is_prime": False,
        "is_business": False,
        "fulfilled_by_marketplace": False,
        "ship_name": name,
        "ship_company": "",
        "ship_line1": f"{rng.randint(1, 120)} rue de la République",
        "ship_line2": "",
        "ship_line3": "",
        "ship_postal_code": postcode,
        "ship_city": city,
        "ship_region": "",
        "ship_country": "FR" if rng.random() < 0.93 else rng.choice(("BE", "DE", "ES", "IT", "LU")),
        "ship_phone": "",
        "relay_point_id": "",
        "billing_address": json.dumps({}),
        "carrier": "colissimo" if tracking else "",
        "tracking_number": tracking,
        "assignee_id": None,
        "tags": [],
        "priority": 0,
        "on_hold": False,
        "raw_payload": json.dumps({"order_id": order_id, "status": status}),
        "content_hash": "bench",
        "created_at": purchased + dt.timedelta(minutes=6),
        "updated_at": purchased + dt.timedelta(minutes=6),
    }
