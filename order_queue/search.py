"""What an operator types into the queue's search, as the database can answer it.

Free text is compared with `Order.search_document`: lower-case, no accents.
PostgreSQL's `unaccent` builds the stored side; `normalise` is the same
normalisation for what the operator types, so "Helene" finds "Hélène" and
"HÉLÈNE" finds "helene".

An identifier pasted from a marketplace, a parcel or our own screens (a marketplace
order id, a reference, a tracking number, our number) is compared for equality
with those columns, each through its B-tree index: one index probe per column
instead of a trigram search over every order.
"""

import re
import unicodedata

from django.db.models import Q, QuerySet

from orders.models import Order

# unaccent's rules also spell out the ligatures French names carry.
LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss"})
OUR_NUMBER = re.compile(r"^oms-?0*(\d{1,12})$", re.IGNORECASE)
# Identifiers carry digits and are at least this long; names and words do not.
IDENTIFIER = re.compile(r"^(?=.*\d)[\w./#-]{6,100}$")


def normalise(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.translate(LIGATURES))
    return "".join(char for char in decomposed if not unicodedata.combining(char)).lower().strip()


def our_number(text: str) -> int | None:
    """The primary key that our number (`OMS-0000123`, `oms123`) names, or None."""
    match = OUR_NUMBER.match(text.strip())
    return int(match.group(1)) if match else None


def looks_like_identifier(text: str) -> bool:
    return bool(IDENTIFIER.match(text)) or our_number(text) is not None


def exact_identifier(text: str) -> Q:
    """Orders this identifier names exactly, as typed or in capitals (platforms' ids are)."""
    spellings = {text, text.upper()}
    condition = Q(marketplace_order_id__in=spellings) | Q(reference__in=spellings) | Q(tracking_number__in=spellings)
    number = our_number(text)
    if number is not None:
        condition |= Q(pk=number)
    return condition


def identified_orders(text: str, *, limit: int, orders: QuerySet | None = None) -> list[int]:
    """Ids of the orders (of `orders`, all by default) one identifier names exactly, through their B-tree
    indexes, at most `limit`; an empty list when the text is not an identifier or names nothing."""
    if not looks_like_identifier(text):
        return []
    orders = Order.objects.all() if orders is None else orders
    return list(orders.filter(exact_identifier(text)).order_by().values_list("pk", flat=True)[:limit])
