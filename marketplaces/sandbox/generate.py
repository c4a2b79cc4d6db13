"""Realistic French orders, created in the platform-neutral shape the platform modules render.

An order is a dict (see `new_order`); amounts are strings (they go to JSON snapshots as
they are) and instants are ISO strings on the world clock. Ids follow each platform's
format and are random, so they never collide across restarts (they are also checked
against every id already known).
"""

from __future__ import annotations

import datetime as dt
import random
import re
import secrets
import string
import threading
import unicodedata
from decimal import Decimal

from .catalogue import BY_SKU, CATALOGUE
from .wire import iso, money

# Fractions of generated orders with each trait (demo realism, not platform facts).
PRIME_SHARE = 0.3
BUSINESS_SHARE = 0.08
RELAY_SHARE = 0.25
AFN_SHARE = 0.1
BUYER_CANCEL_SHARE = 0.04
RETURN_SHARE = 0.15  # Mirakl orders whose buyer opens a return once delivered
INCIDENT_SHARE = 0.03  # Mirakl orders whose buyer opens an incident once delivered (no return)
SHORT_ACCEPTANCE_SHARE = 0.1  # Mirakl/Octopia orders with a window of minutes, so expiries show
FREE_SHIPPING_FROM = Decimal("25.00")
SHIPPING_FEE = Decimal("4.99")

AMAZON_PENDING_SECONDS = (20, 90)  # Pending → Unshipped once "payment is authorised"
CDISCOUNT_PROCESSING_SECONDS = (20, 90)  # Processing → WaitingAcceptance
ACCEPTANCE_WINDOW = dt.timedelta(days=2)  # (unverified) Mirakl operators' and Cdiscount's usual delay
SHORT_ACCEPTANCE_WINDOW_SECONDS = (180, 600)
AFN_SHIPPING_DELAY = dt.timedelta(hours=2)
DELIVERY_DELAY = dt.timedelta(days=3)

MIRAKL_COMMERCIAL_PREFIX = {"fnac": "FNAC", "conforama": "CFM", "boulanger": "BLG", "leroymerlin": "LM"}
MIRAKL_CHANNELS = {
    "fnac": ("FNAC", "Fnac.com"),
    "conforama": ("CONFO", "Conforama.fr"),
    "boulanger": ("BOUL", "Boulanger.com"),
    "leroymerlin": ("LMFR", "Leroy Merlin France"),
}
RELAY_SHOPS = (
    "Tabac Presse du Centre",
    "Carrefour City",
    "Pressing des Lilas",
    "Fleuriste Les Jardins",
    "Cordonnerie Minute",
    "Librairie de la Gare",
    "Épicerie Bio du Marché",
)
MONDIAL_RELAY_POINTS = ("020418", "005632", "078112", "034519", "062871", "013377", "091240")

# Amazon marketplaces outside France ship to buyers of that country (locale, ISO country).
BUYER_LOCALES = {"A1PA6795UKMFR9": ("de_DE", "DE"), "A1RKKUPIHCS9HS": ("es_ES", "ES"), "APJ6JRA9NG5V4": ("it_IT", "IT")}
FRENCH = ("fr_FR", "FR")

_fakers: dict = {}
_faker_lock = threading.Lock()


def _fake(locale: str = "fr_FR"):
    """One Faker per locale and process (creating one is slow)."""
    with _faker_lock:
        if locale not in _fakers:
            from faker import Faker

            _fakers[locale] = Faker(locale)
        return _fakers[locale]


def _username(person: dict) -> str:
    raw = unicodedata.normalize("NFKD", f"{person['first_name'][:1]}{person['last_name']}").lower()
    return re.sub(r"[^a-z0-9]", "", raw) + str(random.randint(10, 999))


def _digits(n: int) -> str:
    return "".join(random.choice(string.digits) for _ in range(n))


def new_order_id(platform: str, account, now: dt.datetime, taken) -> tuple[str, str]:
    """(order id, human reference) in the platform's format; `taken(order_id)` says whether an
    id is already used by any account, and such ids are drawn again."""
    while True:
        if platform == "amazon":
            order_id = f"{random.choice(('402', '403', '404', '405', '406', '407', '408'))}-{_digits(7)}-{_digits(7)}"
            reference = order_id
        elif platform == "ebay":
            order_id = f"{_digits(2)}-{_digits(5)}-{_digits(5)}"
            reference = _digits(12)  # legacyOrderId-like number shown to the buyer
        elif platform == "mirakl":
            prefix = MIRAKL_COMMERCIAL_PREFIX.get(account.operator or "", (account.operator or "MKP")[:4].upper())
            reference = f"{prefix}{_digits(9)}"
            order_id = f"{reference}-A"
        else:
            letters = "".join(random.choice(string.ascii_uppercase) for _ in range(5))
            order_id = now.strftime("%y%m%d%H%M") + letters
            reference = order_id
        if not taken(order_id):
            return order_id, reference


def _person(fake) -> dict:
    civility = random.choice(("M", "Mme"))
    first = fake.first_name_male() if civility == "M" else fake.first_name_female()
    last = fake.last_name()
    return {
        "civility": civility,
        "first_name": first,
        "last_name": last,
        "phone": fake.phone_number(),
        "email": f"{secrets.token_hex(8)}@marketplace.example",
    }


def _address(fake, person: dict, company: str = "", country: str = "FR") -> dict:
    line2 = random.choice(("", "", "", f"Appartement {random.randint(1, 80)}", f"Bâtiment {random.choice('ABCD')}"))
    return {
        "first_name": person["first_name"],
        "last_name": person["last_name"],
        "company": company,
        "line1": fake.street_address(),
        "line2": line2,
        "postal_code": fake.postcode(),
        "city": fake.city(),
        "country_code": country,
        "phone": person["phone"],
    }


def _pick_products(lines: int | None, skus: list[str] | None) -> list:
    if skus:
        unknown = [sku for sku in skus if sku not in BY_SKU]
        if unknown:
            raise ValueError(f"unknown SKUs {unknown}")
        return [BY_SKU[sku] for sku in skus]
    count = lines or random.choices((1, 2, 3, 4), weights=(70, 18, 9, 3))[0]
    return random.sample(CATALOGUE, min(count, len(CATALOGUE)))


def _chance(value: bool | None, share: float) -> bool:
    return random.random() < share if value is None else bool(value)


def new_order(
    world,
    account,
    *,
    lines: int | None = None,
    skus: list[str] | None = None,
    quantity: int | None = None,
    prime: bool | None = None,
    business: bool | None = None,
    relay: bool | None = None,
    afn: bool | None = None,
    buyer_cancels: bool | None = None,
    short_acceptance: bool | None = None,
    age_hours: float | None = None,
    returns: bool | None = None,
    incidents: bool | None = None,
) -> dict:
    """A new order for `account`, in its platform's initial status; not yet stored.

    `age_hours` places it that long ago (its deadlines with it; it still counts as
    updated now, so a poll picks it up): the demo's late and due-today orders."""
    locale, country = BUYER_LOCALES.get(account.credentials.get("marketplace_id", ""), FRENCH)
    fake = _fake(locale)
    now = world.now()
    placed = now - dt.timedelta(hours=float(age_hours or 0))
    platform = account.platform
    order_id, reference = new_order_id(platform, account, now, world.is_order_id_taken)
    buyer = _person(fake)
    is_business = _chance(business, BUSINESS_SHARE)
    company = fake.company() if is_business else ""
    is_prime = platform == "amazon" and _chance(prime, PRIME_SHARE)
    # Amazon AFN (FBA) and Cdiscount Fulfilment: shipped by the marketplace, read-only for us.
    is_afn = platform in ("amazon", "cdiscount") and _chance(afn, AFN_SHARE)
    relay_id = ""
    if platform in ("mirakl", "cdiscount") and _chance(relay, RELAY_SHARE):
        relay_id = random.choice(MONDIAL_RELAY_POINTS)
    products = _pick_products(lines, skus)
    order_lines = []
    for index, product in enumerate(products, start=1):
        # An explicit quantity is kept as asked, even 0 or negative: tests feed bad payloads too.
        qty = quantity if quantity is not None else random.choices((1, 2, 3), weights=(82, 14, 4))[0]
        handling_days = random.choice((1, 2, 2, 3))
        order_lines.append(
            {
                "id": _line_id(platform, order_id, index),
                "index": index,
                "sku": product.sku,
                "ean": product.ean,
                "asin": product.asin,
                "title": product.title,
                "quantity": qty,
                "unit_price": str(product.price),
                "shipping_price": "0.00",
                "status": "",
                "quantity_shipped": 0,
                "quantity_cancelled": 0,
                "refunded_amount": "0.00",
                "buyer_cancel_requested": False,
                "ship_by": iso(placed + dt.timedelta(days=handling_days)),
            }
        )
    subtotal = sum(money(line["unit_price"]) * line["quantity"] for line in order_lines)
    if subtotal < FREE_SHIPPING_FROM and not is_prime:
        order_lines[0]["shipping_price"] = str(SHIPPING_FEE)
    ship_by = placed + dt.timedelta(days=1 if is_prime else 2)
    window = ACCEPTANCE_WINDOW
    # Mirakl does not publish the deadline in OR11 (it is operator configuration), so a random
    # short window would look like an arbitrary refusal: there it only happens when asked.
    short_share = 0.0 if platform == "mirakl" else SHORT_ACCEPTANCE_SHARE
    if _chance(short_acceptance, short_share):
        window = dt.timedelta(seconds=random.randint(*SHORT_ACCEPTANCE_WINDOW_SECONDS))
    order = {
        "id": order_id,
        "reference": reference,
        "account": account.key,
        "platform": platform,
        "status": "",
        "created_at": iso(placed),
        "updated_at": iso(now),
        "pending_until": None,
        "acceptance_deadline": None,
        "earliest_ship": iso(placed),
        "ship_by": iso(ship_by),
        "deliver_by": iso(ship_by + dt.timedelta(days=2)),
        "shipped_at": None,
        "delivered_at": None,
        "shipping_method": "Relay" if relay_id else ("Express" if is_prime else "Standard"),
        "buyer": {**buyer, "customer_id": f"CUST-{secrets.token_hex(3).upper()}", "username": _username(buyer)},
        "shipping_address": _address(fake, buyer, company, country),
        "billing_address": _address(fake, buyer, company, country),
        "relay_id": relay_id,
        "is_prime": is_prime,
        "is_business": is_business,
        "fulfilled_by_marketplace": is_afn,
        "marketplace_id": account.credentials.get("marketplace_id", ""),
        "channel": list(
            MIRAKL_CHANNELS.get(
                account.operator or "", ((account.operator or "").upper(), (account.operator or "").capitalize())
            )
        ),
        "lines": order_lines,
        "tracking": None,
        "shipments": [],
        "refunds": [],
        "cancelations": [],
        "cancel": None,
        "buyer_cancel": None,
        "buyer_cancel_at": None,
        "afn_ship_at": None,
    }
    if relay_id:  # delivered to the relay point's shop, not to the buyer's home
        order["shipping_address"].update(
            {
                "company": f"{random.choice(RELAY_SHOPS)} (Point Relais {relay_id})",
                "line1": fake.street_address(),
                "line2": "",
                "postal_code": fake.postcode(),
                "city": fake.city(),
            }
        )
    if _chance(buyer_cancels, BUYER_CANCEL_SHARE):
        order["buyer_cancel_at"] = iso(now + dt.timedelta(seconds=random.randint(60, 900)))
    order["return_after_delivery"] = platform == "mirakl" and _chance(returns, RETURN_SHARE)
    order["incident_after_delivery"] = (
        platform == "mirakl" and not order["return_after_delivery"] and _chance(incidents, INCIDENT_SHARE)
    )
    _set_initial_status(order, placed, window)
    return order


def _line_id(platform: str, order_id: str, index: int) -> str:
    if platform == "amazon":
        return _digits(14)
    if platform == "ebay":
        return _digits(11)
    if platform == "mirakl":
        return f"{order_id}-{index}"
    return str(index)


def _set_initial_status(order: dict, now: dt.datetime, window: dt.timedelta) -> None:
    platform = order["platform"]
    if platform == "amazon":
        order["status"] = "Pending"
        order["pending_until"] = iso(now + dt.timedelta(seconds=random.randint(*AMAZON_PENDING_SECONDS)))
        if order["fulfilled_by_marketplace"]:
            order["afn_ship_at"] = iso(now + AFN_SHIPPING_DELAY)
        line_status = ""
    elif platform == "ebay":
        order["status"] = "NOT_STARTED"
        line_status = "NOT_STARTED"
    elif platform == "mirakl":
        order["status"] = "WAITING_ACCEPTANCE"
        order["acceptance_deadline"] = iso(now + window)
        line_status = "WAITING_ACCEPTANCE"
    else:
        order["status"] = "Processing"
        order["pending_until"] = iso(now + dt.timedelta(seconds=random.randint(*CDISCOUNT_PROCESSING_SECONDS)))
        order["acceptance_deadline"] = iso(now + window)
        line_status = "WaitingAcceptance"
    for line in order["lines"]:
        line["status"] = line_status


def create_orders(world, account, count: int = 1, *, status: str | None = None, **options) -> list[dict]:
    """Generate and store `count` orders; `status` forces an initial platform status."""
    from .lifecycle import force_status

    created = []
    with world.lock:
        for _ in range(count):
            order = new_order(world, account, **options)
            if status:
                force_status(world, order, status)
            world.orders.setdefault(account.key, {})[order["id"]] = order
            created.append(order)
    return created
