"""Read-side queries: stock screens, the API, the rules engine and the channel quantities.

`stock_for_order` and `can_reserve` are what the order rules ask before accepting
an order. `channel_quantities` is what each marketplace should show.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import NamedTuple

from django.contrib.postgres.aggregates import JSONBAgg
from django.db import connection
from django.db.models import Exists, F, IntegerField, JSONField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, JSONObject
from django.utils import timezone

from inventory.models import (
    ChannelPublication,
    ChannelRule,
    Listing,
    OrderAllocation,
    Product,
    PurchaseOrder,
    PurchaseOrderLine,
    StockLevel,
    StockMovement,
    Warehouse,
)
from oms.access.selectors import within_scope
from orders.models import OrderLine
from orders.status import OrderStatus

# Order statuses that hold stock (the others never reserve).
HOLDING_STATUSES = frozenset(
    {OrderStatus.AWAITING_PAYMENT, OrderStatus.PENDING_ACCEPTANCE, OrderStatus.ACCEPTED, OrderStatus.PARTIALLY_SHIPPED}
)
# A channel whose last push is older than this while it differs from what we have is stale.
STALE_AFTER_SECONDS = 15 * 60


# Products and levels -----------------------------------------------------------------------


def _with_totals(queryset: QuerySet[Product]) -> QuerySet[Product]:
    zero = Value(0, output_field=IntegerField())
    return queryset.annotate(
        on_hand_total=Coalesce(Sum("levels__on_hand"), zero),
        reserved_total=Coalesce(Sum("levels__reserved"), zero),
    ).annotate(available_total=F("on_hand_total") - F("reserved_total"))


def _with_channels(queryset: QuerySet[Product]) -> QuerySet[Product]:
    """`channels`: what each enabled account was told about the product's SKU and what it answered,
    as a list of {account_id, account, platform, outcome, reason, published_quantity, published_at}."""
    rows = (
        ChannelPublication.objects.filter(sku=OuterRef("sku"), account__enabled=True)
        .order_by()
        .values("sku")
        .annotate(
            data=JSONBAgg(
                JSONObject(
                    account_id="account_id",
                    account="account__name",
                    platform="account__platform",
                    outcome="outcome",
                    reason="error",
                    published_quantity="published_quantity",
                    published_at="published_at",
                ),
                order_by=("account__name", "account_id"),
            )
        )
        .values("data")
    )
    return queryset.annotate(channels=Coalesce(Subquery(rows), Value([], output_field=JSONField())))


def publication_state(outcome: str) -> str:
    """published (the platform confirmed the quantity), rejected (it refused the SKU), or pending."""
    return PUBLICATION_STATES.get(outcome, "pending")


PUBLICATION_STATES = {ChannelPublication.Outcome.ACCEPTED: "published", ChannelPublication.Outcome.REJECTED: "rejected"}


def product_list() -> QuerySet[Product]:
    return _with_channels(_with_totals(Product.objects.all())).order_by("sku")


def low_stock(queryset: QuerySet[Product]) -> QuerySet[Product]:
    return queryset.filter(low_stock_threshold__gt=0, available_total__lte=F("low_stock_threshold"))


def product_detail() -> QuerySet[Product]:
    return _with_totals(Product.objects.all()).prefetch_related(
        Prefetch(
            "levels",
            queryset=StockLevel.objects.select_related("warehouse").order_by("warehouse__priority", "warehouse_id"),
        )
    )


def stock_api_list() -> QuerySet[Product]:
    return _with_channels(_with_totals(Product.objects.all())).prefetch_related(
        Prefetch(
            "levels",
            queryset=StockLevel.objects.select_related("warehouse").order_by("warehouse__priority", "warehouse_id"),
        )
    )


def movements_for(product: Product, *, user, limit: int = 200) -> list[StockMovement]:
    """The product's latest movements; those caused by an order of an account `user` may not see are left out."""
    movements = StockMovement.objects.filter(product=product).select_related(
        "level__warehouse", "actor_user", "order", "purchase_order"
    )
    return list(within_scope(movements, user=user, field="order__account", unlinked=True).order_by("-id")[:limit])


def movement_list() -> QuerySet[StockMovement]:
    return StockMovement.objects.select_related("product", "level__warehouse", "actor_user")


def active_reservations(product: Product, *, user) -> list:
    from inventory.models import Reservation

    reservations = Reservation.objects.filter(level__product=product, quantity__gt=0).select_related(
        "order__account", "level__warehouse"
    )
    return list(within_scope(reservations, user=user, field="order__account").order_by("created_at"))


def warehouses() -> QuerySet[Warehouse]:
    return Warehouse.objects.filter(active=True).order_by("priority", "id")


def purchase_order_list() -> QuerySet[PurchaseOrder]:
    return PurchaseOrder.objects.select_related("warehouse").prefetch_related("lines").order_by("-id")


def purchase_order_detail() -> QuerySet[PurchaseOrder]:
    return PurchaseOrder.objects.select_related("warehouse").prefetch_related(
        Prefetch("lines", queryset=PurchaseOrderLine.objects.select_related("product").order_by("id"))
    )


# What an order line takes from stock --------------------------------------------------------


def components_for(*, account_id: int, skus) -> dict[str, list[tuple[int, int]]]:
    """Marketplace SKU → [(product id, units per item)]; a SKU we do not know is absent.

    An account's own listings win over listings for every account, which win over
    our product of the same SKU.
    """
    skus = set(skus)
    found: dict[str, list[tuple[int, int]]] = {}
    listings = Listing.objects.filter(Q(account_id=account_id) | Q(account__isnull=True), listing_sku__in=skus)
    by_scope: dict[tuple[str, bool], list[tuple[int, int]]] = defaultdict(list)
    for listing in listings:
        by_scope[(listing.listing_sku, listing.account_id is not None)].append((listing.product_id, listing.units))
    for sku in skus:
        components = by_scope.get((sku, True)) or by_scope.get((sku, False))
        if components:
            found[sku] = sorted(components)
    rest = skus - set(found)
    for product_id, sku in Product.objects.filter(sku__in=rest).values_list("id", "sku"):
        found[sku] = [(product_id, 1)]
    return found


class LineNeed(NamedTuple):
    id: int
    order_id: int
    sku: str
    quantity: int


def lines_and_components(
    *, account_id: int, order_ids
) -> tuple[dict[int, list[LineNeed]], dict[str, list[tuple[int, int]]]]:
    """The lines of these orders, and what each of their SKUs is made of (as `components_for`), in one query.

    Ingest calls this for every page of new orders: one round trip, whatever the page size.
    """
    lines_table, listing, product = OrderLine._meta.db_table, Listing._meta.db_table, Product._meta.db_table
    sql = f"""
        WITH page AS (SELECT id, order_id, sku, quantity FROM {lines_table} WHERE order_id = ANY(%s::bigint[])),
        parts AS (
            SELECT l.listing_sku AS sku, l.product_id, l.units, CASE WHEN l.account_id IS NULL THEN 1 ELSE 0 END AS scope
            FROM {listing} l WHERE (l.account_id = %s OR l.account_id IS NULL) AND l.listing_sku IN (SELECT sku FROM page)
            UNION ALL
            SELECT p.sku, p.id, 1, 2 FROM {product} p WHERE p.sku IN (SELECT sku FROM page)
        )
        SELECT page.id, page.order_id, page.sku, page.quantity, parts.product_id, parts.units, parts.scope
        FROM page LEFT JOIN parts ON parts.sku = page.sku ORDER BY page.id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, ["{" + ",".join(str(int(i)) for i in order_ids) + "}", account_id])
        rows = cursor.fetchall()
    lines: dict[int, list[LineNeed]] = defaultdict(list)
    found: dict[str, dict[int, list[tuple[int, int]]]] = defaultdict(lambda: defaultdict(list))
    seen = set()
    for line_id, order_id, sku, quantity, product_id, units, scope in rows:
        if line_id not in seen:
            seen.add(line_id)
            lines[order_id].append(LineNeed(line_id, order_id, sku, quantity))
        if product_id is not None and (product_id, units) not in found[sku][scope]:
            found[sku][scope].append((product_id, units))
    # An account's own listing wins over a listing for every account, which wins over our product's SKU.
    components = {sku: sorted(scopes[min(scopes)]) for sku, scopes in found.items()}
    return lines, components


def feeding_warehouses(account_id: int) -> list[Warehouse]:
    """The active warehouses that ship this account's orders (the account rule's, else all), by priority."""
    feeds = ChannelRule.warehouses.through.objects.filter(
        warehouse_id=OuterRef("pk"), channelrule__account_id=account_id, channelrule__product__isnull=True
    )
    every = list(Warehouse.objects.annotate(feeds=Exists(feeds)).order_by("priority", "id"))
    configured = any(w.feeds for w in every)
    return [w for w in every if w.active and (w.feeds or not configured)]


def available_by_warehouse(product_ids) -> dict[tuple[int, int], int]:
    """(product id, warehouse id) → available units, as of now (no lock: a hint, not a promise)."""
    rows = StockLevel.objects.filter(product_id__in=list(product_ids)).values_list(
        "product_id", "warehouse_id", "on_hand", "reserved"
    )
    return {(p, w): on_hand - reserved for p, w, on_hand, reserved in rows}


def stock_for_order(order) -> dict[str, int]:
    """Marketplace line id → units of that line's SKU available now, in the order's warehouse
    when it has one, else in every warehouse feeding its account. A bundle counts whole bundles;
    an unknown SKU counts 0."""
    lines = list(order.lines.all())
    components = components_for(account_id=order.account_id, skus={line.sku for line in lines})
    product_ids = {p for parts in components.values() for p, _ in parts}
    available = available_by_warehouse(product_ids)
    allocation = OrderAllocation.objects.filter(order=order).select_related("warehouse").first()
    if allocation and allocation.warehouse_id:
        warehouse_ids = [allocation.warehouse_id]
    else:
        warehouse_ids = [w.pk for w in feeding_warehouses(order.account_id)]
    result = {}
    for line in lines:
        parts = components.get(line.sku)
        if not parts:
            result[line.marketplace_line_id] = 0
            continue
        result[line.marketplace_line_id] = min(
            sum(max(available.get((p, w), 0), 0) for w in warehouse_ids) // units for p, units in parts
        )
    return result


def backorders() -> QuerySet[OrderAllocation]:
    """Orders waiting for stock; narrow with `.filter(order=OuterRef("pk"))`."""
    return OrderAllocation.objects.filter(status=OrderAllocation.Status.BACKORDER)


def can_reserve(order) -> bool:
    """True when the order's stock is held (or shipped), or one warehouse could hold all of it now."""
    allocation = OrderAllocation.objects.filter(order=order).first()
    if allocation and allocation.status in (OrderAllocation.Status.RESERVED, OrderAllocation.Status.CONSUMED):
        return True
    needs, unknown = order_needs(order)
    if unknown or not needs:
        return False
    return choose_warehouse(order.account_id, needs)[0] is not None


def order_needs(order) -> tuple[dict[int, int], list[str]]:
    """(product id → units the whole order needs, SKUs we do not know)."""
    lines = list(order.lines.all())
    return needs_of(lines, components_for(account_id=order.account_id, skus={line.sku for line in lines}))


def needs_of(lines, components: dict[str, list[tuple[int, int]]]) -> tuple[dict[int, int], list[str]]:
    needs: dict[int, int] = defaultdict(int)
    unknown = []
    for line in lines:
        parts = components.get(line.sku)
        if not parts:
            unknown.append(line.sku)
            continue
        for product_id, units in parts:
            needs[product_id] += units * line.quantity
    return dict(needs), sorted(set(unknown))


class LazySkus(dict):
    """Product id → SKU, read only when an explanation needs one (the usual path needs none)."""

    def __init__(self, product_ids):
        super().__init__()
        self.product_ids = list(product_ids)

    def __missing__(self, product_id):
        self.update(Product.objects.filter(pk__in=self.product_ids).values_list("pk", "sku"))
        return super().get(product_id, product_id)


def shortages(
    needs: dict[int, int], warehouse_id: int, available: dict[tuple[int, int], int], skus: dict[int, str]
) -> list[str]:
    """What a warehouse lacks to ship every unit, as "SKU available/needed" (empty: it can ship it all)."""
    return [
        f"{skus[p]} {max(available.get((p, warehouse_id), 0), 0)}/{units}"
        for p, units in sorted(needs.items())
        if available.get((p, warehouse_id), 0) < units
    ]


def choose_warehouse(account_id: int, needs: dict[int, int]) -> tuple[Warehouse | None, list[str]]:
    """The first warehouse (by priority) that can ship every unit now, and why the ones before it could not."""
    available = available_by_warehouse(needs)
    skus = dict(Product.objects.filter(pk__in=needs).values_list("pk", "sku"))
    skipped = []
    for warehouse in feeding_warehouses(account_id):
        short = shortages(needs, warehouse.pk, available, skus)
        if not short:
            return warehouse, skipped
        skipped.append(f"{warehouse.name} lacks {', '.join(short)}")
    return None, skipped


# What each channel should show ----------------------------------------------------------------


@dataclass(frozen=True)
class EffectiveRule:
    publish: bool = True
    buffer: int = 0
    unpublish_below: int = 0
    max_quantity: int | None = None
    percentage: int = 100
    warehouse_ids: frozenset[int] = frozenset()

    @classmethod
    def of(cls, rule: ChannelRule | None) -> EffectiveRule:
        if rule is None:
            return cls()
        return cls(
            publish=rule.publish,
            buffer=rule.buffer,
            unpublish_below=rule.unpublish_below,
            max_quantity=rule.max_quantity,
            percentage=rule.percentage,
            warehouse_ids=frozenset(w.pk for w in rule.warehouses.all()),
        )

    def quantity(self, available: int) -> int:
        """What the channel shows for `available` units: 0 at or under the unpublish threshold,
        else the channel's percentage, minus the buffer, capped at the maximum, never negative."""
        if available <= self.unpublish_below or available <= 0:
            return 0
        quantity = available * self.percentage // 100 - self.buffer
        if self.max_quantity is not None:
            quantity = min(quantity, self.max_quantity)
        return max(quantity, 0)


def rules_for(account_id: int) -> tuple[EffectiveRule, dict[int, EffectiveRule]]:
    """(the account's rule, product id → the SKU's own rule)."""
    account_rule = EffectiveRule()
    per_product = {}
    for rule in ChannelRule.objects.filter(account_id=account_id).prefetch_related("warehouses"):
        if rule.product_id is None:
            account_rule = EffectiveRule.of(rule)
        else:
            per_product[rule.product_id] = EffectiveRule.of(rule)
    return account_rule, per_product


def channel_quantities(*, account, product_ids) -> dict[str, int]:
    """Marketplace SKU → quantity this account should show, for the SKUs these products sell under
    (their own SKU, and the listings and bundles they are part of). SKUs not published are absent."""
    product_ids = set(product_ids)
    account_rule, per_product = rules_for(account.pk)
    listings = list(
        Listing.objects.filter(Q(account=account) | Q(account__isnull=True)).filter(
            listing_sku__in=Listing.objects.filter(product_id__in=product_ids).values("listing_sku")
        )
    )
    bundles: dict[str, list[tuple[int, int]]] = defaultdict(list)
    own_listings = {(listing.listing_sku) for listing in listings if listing.account_id is not None}
    for listing in listings:
        if listing.account_id is None and listing.listing_sku in own_listings:
            continue  # the account's own listing of that SKU wins
        bundles[listing.listing_sku].append((listing.product_id, listing.units))
    every = product_ids | {p for parts in bundles.values() for p, _ in parts}
    products = {p.pk: p for p in Product.objects.filter(pk__in=every).only("pk", "sku", "active")}
    active_warehouses = set(warehouses().values_list("pk", flat=True))
    available = available_by_warehouse(every)

    def raw_available(product_id: int, rule: EffectiveRule) -> int:
        feeding = (rule.warehouse_ids or account_rule.warehouse_ids or active_warehouses) & active_warehouses
        return sum(max(available.get((product_id, w), 0), 0) for w in feeding)

    quantities = {}
    for product_id in product_ids:
        product = products.get(product_id)
        if product is None or product.sku in bundles:
            continue
        rule = per_product.get(product_id, account_rule)
        if not rule.publish:
            continue
        quantities[product.sku] = rule.quantity(raw_available(product_id, rule)) if product.active else 0
    if account_rule.publish:
        for sku, parts in bundles.items():
            if not all(p in products for p, _ in parts):
                continue
            whole = min(raw_available(p, account_rule) // units for p, units in parts)
            active = all(products[p].active for p, _ in parts)
            quantities[sku] = account_rule.quantity(whole) if active else 0
    return quantities


def enabled_accounts() -> QuerySet:
    """The enabled marketplace accounts, the channels stock is pushed to.

    Reached through the lazy relation `ChannelPublication.account`: marketplaces is a layer above
    inventory, which never imports it (ARCHITECTURE.md).
    """
    return ChannelPublication.account.field.related_model.objects.filter(enabled=True)


@dataclass(frozen=True)
class ChannelRow:
    """One account's view of one SKU on the product page."""

    account: object
    sku: str
    should_show: int | None
    publication: ChannelPublication | None
    stale: bool
    too_high: bool
    unsent: bool  # the quantity it should show has not been sent yet (the next push will)


def channel_rows(product: Product, *, user) -> list[ChannelRow]:
    """Per enabled account `user` may see: what it should show now, what we sent, when, confirmed or not, and flags."""
    publications = {
        (p.account_id, p.sku): p for p in ChannelPublication.objects.filter(sku=product.sku).select_related("message")
    }
    now = timezone.now()
    rows = []
    for account in within_scope(enabled_accounts(), user=user, field="pk").order_by("platform", "name"):
        should = channel_quantities(account=account, product_ids=[product.pk]).get(product.sku)
        publication = publications.get((account.pk, product.sku))
        shown = None
        if publication is not None:
            shown = publication.published_quantity if publication.published_quantity is not None else None
        too_high = should is not None and shown is not None and shown > should
        last = publication.queued_at if publication else None
        differs = should is not None and (
            publication is None or publication.queued_quantity != should or shown != should
        )
        stale = bool(
            should is not None and differs and (last is None or (now - last).total_seconds() > STALE_AFTER_SECONDS)
        ) or bool(publication and publication.outcome == ChannelPublication.Outcome.REJECTED)
        unsent = should is not None and (publication is None or publication.queued_quantity != should)
        rows.append(
            ChannelRow(
                account=account,
                sku=product.sku,
                should_show=should,
                publication=publication,
                stale=stale,
                too_high=too_high,
                unsent=unsent,
            )
        )
    return rows
