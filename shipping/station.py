"""What the packing station shows of a session: its lines with the counts, its shipment's label."""

from __future__ import annotations

from dataclasses import dataclass

from orders.models import OrderLine
from shipping.models import PackingSession, Parcel, Shipment
from shipping.paperwork.selectors import printable_parcels


@dataclass
class StationLine:
    pk: int
    sku: str
    ean: str
    title: str
    expected: int
    scanned: int

    @property
    def done(self) -> bool:
        return self.scanned >= self.expected


def station_lines(session: PackingSession) -> list[StationLine]:
    lines = OrderLine.objects.filter(pk__in=[int(pk) for pk in session.expected]).order_by("pk")
    return [
        StationLine(
            pk=line.pk,
            sku=line.sku,
            ean=line.ean,
            title=line.title,
            expected=session.expected[str(line.pk)],
            scanned=session.scanned.get(str(line.pk), 0),
        )
        for line in lines.only("pk", "sku", "ean", "title")
    ]


def station_parcels(session: PackingSession) -> list[Parcel]:
    """The shipment's labelled parcels, once it is packed (the label is printed then)."""
    if session.shipment.status != Shipment.Status.PACKED:
        return []
    return [parcel for parcel in printable_parcels(session.order_id) if parcel.shipment_id == session.shipment_id]
