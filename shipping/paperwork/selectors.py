"""What the paperwork prints, read in a fixed number of queries whatever the number of orders."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import F
from django.utils.translation import gettext as _

from inventory.models import OrderAllocation, Product, Reservation, StockLevel, Warehouse
from oms.access.selectors import within_scope
from orders.models import Order, OrderLine
from orders.status import OrderStatus
from shipping.models import Parcel, PickList, Shipment

# Orders whose units are still to pick (the others are listed as skipped).
TO_PICK = (OrderStatus.ACCEPTED, OrderStatus.PARTIALLY_SHIPPED)
MAX_PICK_LIST_ORDERS = 2000


@dataclass
class PickRow:
    """One SKU in one warehouse: the units to take from its bin and the orders they go to."""

    bin: str
    sku: str
    ean: str
    title: str
    quantity: int = 0
    orders: dict[str, int] = field(default_factory=dict)  # order number → units


@dataclass
class PickGroup:
    warehouse: str
    rows: list[PickRow]

    @property
    def units(self) -> int:
        return sum(row.quantity for row in self.rows)


@dataclass
class PickListData:
    code: str
    created_at: object
    created_by: str
    order_numbers: list[str]
    groups: list[PickGroup]
    skipped: list[str]  # orders of the selection with nothing to pick

    @property
    def units(self) -> int:
        return sum(group.units for group in self.groups)


def bin_key(row: PickRow) -> tuple:
    """Rows without a bin last; "A-2" before "A-10" (a picker walks the aisles in order)."""
    parts = tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.findall(r"\d+|\D+", row.bin))
    return (not row.bin, parts, row.sku)


def pick_list_data(pick_list: PickList, *, user) -> PickListData:
    """The pick list's orders still to pick, per warehouse (by priority), one row per SKU sorted by bin.

    Units come from the orders' reservations (the product and warehouse that hold them, bundles
    as their components); a line that holds no stock (a back-order, an unknown SKU) is listed
    under its order's warehouse, or under "Not reserved", by the SKU sold."""
    orders = {
        order.pk: order
        for order in within_scope(Order.objects.filter(pk__in=pick_list.order_ids), user=user).only(
            "id", "status", "fulfilled_by_marketplace"
        )
    }
    to_pick = [
        pk
        for pk in pick_list.order_ids
        if pk in orders and orders[pk].status in TO_PICK and not orders[pk].fulfilled_by_marketplace
    ]
    skipped = [_number(pk) for pk in pick_list.order_ids if pk in orders and pk not in set(to_pick)]
    lines = list(
        OrderLine.objects.filter(order_id__in=to_pick, quantity__gt=F("quantity_shipped"))
        .order_by("order_id", "pk")
        .values("pk", "order_id", "sku", "ean", "title", "quantity", "quantity_shipped")
    )
    reserved = defaultdict(list)
    for reservation in Reservation.objects.filter(order_id__in=to_pick, quantity__gt=0).values(
        "line_id",
        "quantity",
        "level__warehouse_id",
        "level__bin_location",
        "level__product__sku",
        "level__product__ean",
        "level__product__title",
    ):
        reserved[reservation["line_id"]].append(reservation)
    warehouse_of = dict(
        OrderAllocation.objects.filter(order_id__in=to_pick, warehouse__isnull=False).values_list(
            "order_id", "warehouse_id"
        )
    )
    unreserved = [line for line in lines if not reserved[line["pk"]]]
    products = {
        product.sku: product
        for product in Product.objects.filter(sku__in={line["sku"] for line in unreserved}).only("sku", "ean", "title")
    }
    bins = {
        (sku, warehouse_id): bin_location
        for sku, warehouse_id, bin_location in StockLevel.objects.filter(
            product__sku__in=set(products), warehouse_id__in=set(warehouse_of.values())
        ).values_list("product__sku", "warehouse_id", "bin_location")
    }
    rows: dict[tuple, PickRow] = {}

    def add(warehouse_id, bin_location, sku, ean, title, units, order_id):
        row = rows.setdefault((warehouse_id, sku), PickRow(bin=bin_location, sku=sku, ean=ean, title=title))
        row.quantity += units
        number = _number(order_id)
        row.orders[number] = row.orders.get(number, 0) + units

    for line in lines:
        for held in reserved[line["pk"]]:
            add(
                held["level__warehouse_id"],
                held["level__bin_location"],
                held["level__product__sku"],
                held["level__product__ean"],
                held["level__product__title"],
                held["quantity"],
                line["order_id"],
            )
        if not reserved[line["pk"]]:
            warehouse_id = warehouse_of.get(line["order_id"])
            product = products.get(line["sku"])
            add(
                warehouse_id,
                bins.get((line["sku"], warehouse_id), ""),
                line["sku"],
                (product.ean if product else "") or line["ean"],
                product.title if product else line["title"],
                line["quantity"] - line["quantity_shipped"],
                line["order_id"],
            )
    warehouses = {w.pk: w for w in Warehouse.objects.filter(pk__in={key[0] for key in rows if key[0]})}
    order_of_warehouses = sorted(
        {key[0] for key in rows},
        key=lambda pk: (pk is None, warehouses[pk].priority if pk else 0, pk or 0),
    )
    groups = [
        PickGroup(
            warehouse=warehouses[pk].name if pk else _("Not reserved"),
            rows=sorted((row for key, row in rows.items() if key[0] == pk), key=bin_key),
        )
        for pk in order_of_warehouses
    ]
    return PickListData(
        code=pick_list.code,
        created_at=pick_list.created_at,
        created_by=pick_list.created_by.get_username() if pick_list.created_by else "",
        order_numbers=[_number(pk) for pk in to_pick],
        groups=groups,
        skipped=skipped,
    )


def _number(order_id: int) -> str:
    return Order(pk=order_id).number


# Where the buyer reads French when the marketplace account does not say (its settings' "language").
FRENCH_COUNTRIES = frozenset({"FR", "BE", "LU", "MC", "CH", "RE", "GP", "MQ", "GF", "YT", "NC", "PF", "PM", "BL", "MF"})
SLIP_LANGUAGES = ("fr", "en")
MAX_SLIP_ORDERS = 500


def buyer_language(order: Order) -> str:
    """French or English: the account's own `language` setting (a marketplace site in one language),
    else French for an address in a French-speaking country, else English."""
    language = str((order.account.settings or {}).get("language", "")).lower()[:2]
    if language in SLIP_LANGUAGES:
        return language
    return "fr" if order.ship_country.upper() in FRENCH_COUNTRIES else "en"


@dataclass
class SlipLine:
    sku: str
    ean: str
    title: str
    quantity: int
    gift_message: str


@dataclass
class PackingSlipData:
    order_id: int
    number: str
    reference: str
    marketplace: str
    purchased_at: object
    language: str
    ship_to: list[str]
    lines: list[SlipLine]
    is_gift: bool


def packing_slips_data(order_ids, *, user) -> list[PackingSlipData]:
    """One slip per order the user may see, in the order given; each line with the units still to
    ship (all of them once the order has shipped: a slip printed again)."""
    orders = (
        within_scope(Order.objects.filter(pk__in=list(order_ids)), user=user)
        .select_related("account")
        .prefetch_related("lines")
        .defer("raw_payload")
        .in_bulk()
    )
    slips = []
    for pk in order_ids:
        order = orders.get(pk)
        if order is None:
            continue
        lines = list(order.lines.all())
        left = {line.pk: line.quantity - line.quantity_shipped for line in lines}
        shipped_all = not any(units > 0 for units in left.values())
        slips.append(
            PackingSlipData(
                order_id=order.pk,
                number=order.number,
                reference=order.reference or order.marketplace_order_id,
                marketplace=order.account.name,
                purchased_at=order.purchased_at,
                language=buyer_language(order),
                ship_to=[
                    part
                    for part in (
                        order.ship_name,
                        order.ship_company,
                        order.ship_line1,
                        order.ship_line2,
                        order.ship_line3,
                        " ".join(p for p in (order.ship_postal_code, order.ship_city) if p),
                        order.ship_region,
                        order.ship_country,
                    )
                    if part
                ],
                lines=[
                    SlipLine(
                        sku=line.sku,
                        ean=line.ean,
                        title=line.title,
                        quantity=line.quantity if shipped_all else left[line.pk],
                        gift_message=line.gift_message,
                    )
                    for line in lines
                    if shipped_all or left[line.pk] > 0
                ],
                is_gift=order.is_gift,
            )
        )
    return slips


def printable_parcels(order_id: int) -> list[Parcel]:
    """The order's parcels that have a label, with their shipment (the label itself not read)."""
    return list(
        Parcel.objects.filter(shipment__order_id=order_id)
        .exclude(label=None)
        .exclude(shipment__status=Shipment.Status.VOIDED)
        .select_related("shipment__service__carrier")
        .defer("label")
        .order_by("shipment_id", "pk")
    )


def parcel_with_label(parcel_id: int, *, user) -> Parcel:
    """One labelled parcel of an order the user may see (Parcel.DoesNotExist otherwise)."""
    return (
        Parcel.objects.filter(pk=parcel_id, shipment__order__in=within_scope(Order.objects.all(), user=user))
        .exclude(label=None)
        .select_related("shipment__order")
        .get()
    )


@dataclass
class LabelBatch:
    """The labels of a bulk labels job's orders: how many parcels are labelled, and those with a label."""

    parcels: int
    labelled: list[Parcel]
    refused: list[Shipment]

    @property
    def ready(self) -> bool:
        return self.parcels == len(self.labelled) and not self.refused


def label_batch(order_ids, *, with_labels: bool = False) -> LabelBatch:
    """Parcels of the orders' shipments that are not voided, in order then parcel order; the label
    bytes are read only `with_labels` (to build the file)."""
    parcels = Parcel.objects.filter(shipment__order_id__in=order_ids).exclude(shipment__status=Shipment.Status.VOIDED)
    labelled = parcels.exclude(label=None).select_related("shipment").order_by("shipment__order_id", "pk")
    refused = Shipment.objects.filter(order_id__in=order_ids, status=Shipment.Status.DRAFT).exclude(label_error="")
    return LabelBatch(
        parcels=parcels.count(),
        labelled=list(labelled if with_labels else labelled.defer("label")),
        refused=list(refused.select_related("order").only("pk", "label_error", "order_id")),
    )
