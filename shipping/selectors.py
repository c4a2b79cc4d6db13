"""Reads for the shipping workers and screens."""

from __future__ import annotations

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Prefetch, Q

from orders.carriers import PLATFORM_CARRIERS
from shipping.carriers import Address, LabelRequest, ParcelSpec
from shipping.models import PROBLEMS, Carrier, Parcel, Shipment, ShipmentLine

ADDRESS_FIELDS = ("name", "company", "line1", "line2", "postal_code", "city", "country", "phone", "email")


def buyer_address(order) -> Address:
    """Where the order ships to (and where a return label's parcel comes from)."""
    return Address(
        name=order.ship_name,
        company=order.ship_company,
        line1=order.ship_line1,
        line2=" ".join(part for part in (order.ship_line2, order.ship_line3) if part),
        postal_code=order.ship_postal_code,
        city=order.ship_city,
        country=order.ship_country,
        phone=order.ship_phone,
        email=order.buyer_email,
    )


def account_address(sender: dict) -> Address:
    """A carrier account's sender address (our warehouse), as its `sender` field stores it."""
    return Address(**{field: sender.get(field, "") for field in ADDRESS_FIELDS})


def label_request(shipment_id: int, *, request_key: str = "") -> LabelRequest:
    """What the carrier needs to print a shipment's labels: sender, addressee, product, parcels."""
    shipment = Shipment.objects.select_related("order", "service", "carrier_account").get(pk=shipment_id)
    order, sender = shipment.order, shipment.carrier_account.sender
    return LabelRequest(
        reference=order.number,
        product_code=shipment.service.product_code,
        sender=account_address(sender),
        addressee=buyer_address(order),
        parcels=[
            ParcelSpec(weight_grams=p.weight_grams, length_mm=p.length_mm, width_mm=p.width_mm, height_mm=p.height_mm)
            for p in shipment.parcels.order_by("pk")
        ],
        label_format=shipment.parcels.order_by("pk").values_list("label_format", flat=True).first() or "PDF",
        request_key=request_key,
        relay_point_id=order.relay_point_id,
    )


def _lines() -> Prefetch:
    return Prefetch("lines", queryset=ShipmentLine.objects.select_related("order_line").order_by("pk"))


def has_delivery_problem() -> Exists:
    """Per order (the queue's badge and filter): a shipment the carrier reports a problem with, or returned."""
    return Exists(Shipment.objects.filter(order=OuterRef("pk"), status__in=PROBLEMS))


def carrier_choices(platform: str) -> list[tuple[str, str]]:
    """(code, name) of the active carriers the platform takes, for the ship form."""
    codes = PLATFORM_CARRIERS[platform]
    return [
        (carrier.code, carrier.name)
        for carrier in Carrier.objects.exclude(status=Carrier.Status.INACTIVE).filter(code__in=codes)
    ]


def order_shipments(order_id: int):
    """An order's shipments with their carrier, lines and parcels, newest first (the order page)."""
    return (
        Shipment.objects.filter(order_id=order_id)
        .select_related("carrier", "service")
        .prefetch_related(_lines(), Prefetch("parcels", queryset=Parcel.objects.defer("label")))
        .order_by("-pk")
    )


def shipment_list():
    """Shipments for the API and webhooks, their order, carrier, lines and parcels read in a fixed number of queries."""
    return (
        Shipment.objects.select_related("order", "carrier")
        .prefetch_related(
            _lines(),
            Prefetch(
                "parcels",
                queryset=Parcel.objects.defer("label").annotate(
                    has_label=ExpressionWrapper(Q(label__isnull=False), output_field=BooleanField())
                ),
            ),
        )
        .order_by("-pk")
    )


def carrier_list():
    return Carrier.objects.prefetch_related("services", "accounts").order_by("name")
