"""Tracking numbers from a third-party warehouse: a CSV of (order, carrier, tracking, lines), each row
checked and shipped as `shipping.actions.ship_order` ships (origin: imported), with a report per row.

Columns (a header row names them, in any order; `;` or `,` separated): `order` (our number
OMS-0000042, the marketplace's order id or the reference the buyer sees), `carrier` (a carrier
code: colissimo, ups…), `tracking`, and `lines`, optional: `SKU:units` pairs separated by `|`
(or the marketplace line id instead of the SKU); empty, every unit not shipped yet.

Each row is its own transaction, unless `all_or_nothing`: then every row is checked and applied
in one transaction that is rolled back, whole, when any row fails (the report says why each did).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from oms.access.selectors import within_scope
from oms.errors import DomainError, InvalidInput
from orders.actions import Actor
from orders.models import Order
from shipping import actions
from shipping.models import Shipment

COLUMNS = ("order", "carrier", "tracking", "lines")
REQUIRED = ("order", "carrier", "tracking")
MAX_ROWS = 5000
OUR_NUMBER = re.compile(r"^oms-?0*(\d{1,18})$", re.IGNORECASE)


@dataclass
class RowOutcome:
    row: int  # the file's line number (the header is line 1)
    order: str
    tracking: str
    shipment: int | None = None
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


@dataclass
class ImportReport:
    all_or_nothing: bool
    rows: list[RowOutcome] = field(default_factory=list)
    applied: bool = False  # False: nothing was imported (all or nothing, and a row failed)

    @property
    def imported(self) -> int:
        return sum(1 for row in self.rows if row.ok) if self.applied else 0

    @property
    def failed(self) -> int:
        return sum(1 for row in self.rows if not row.ok)


class _Rollback(Exception):
    pass


def read_rows(text: str) -> list[dict[str, str]]:
    """The CSV's rows as column → value; raises InvalidInput for a file without the required columns."""
    text = text.lstrip("\ufeff")
    try:
        dialect = csv.Sniffer().sniff(text.splitlines()[0] if text.strip() else ",", delimiters=",;")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = [name.strip().lower() for name in reader.fieldnames or []]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise InvalidInput(
            _("The file needs the columns %(columns)s (missing: %(missing)s).")
            % {"columns": ", ".join(COLUMNS), "missing": ", ".join(missing)},
            details={"columns": missing},
        )
    rows = [
        {name.strip().lower(): (value or "").strip() for name, value in row.items() if name is not None}
        for row in reader
    ]
    if not rows:
        raise InvalidInput(_("The file has no rows."), details={"rows": 0})
    if len(rows) > MAX_ROWS:
        raise InvalidInput(
            _("At most %(max)s rows per file.") % {"max": MAX_ROWS}, details={"rows": len(rows), "max": MAX_ROWS}
        )
    return rows


def import_tracking(*, text: str, actor: Actor, user, all_or_nothing: bool = False) -> ImportReport:
    """Ship each row's order with its tracking number; `user` limits the orders to those they may see."""
    rows = read_rows(text)
    report = ImportReport(all_or_nothing=all_or_nothing)
    orders = within_scope(Order.objects.all(), user=user)
    if not all_or_nothing:
        for number, row in enumerate(rows, start=2):
            report.rows.append(_apply(number, row, orders=orders, actor=actor))
        report.applied = True
        return report
    try:
        with transaction.atomic():
            for number, row in enumerate(rows, start=2):
                report.rows.append(_apply(number, row, orders=orders, actor=actor))
            if report.failed:
                raise _Rollback
    except _Rollback:
        for row in report.rows:
            row.shipment = None
        return report
    report.applied = True
    return report


def _apply(number: int, row: dict[str, str], *, orders, actor: Actor) -> RowOutcome:
    outcome = RowOutcome(row=number, order=row.get("order", ""), tracking=row.get("tracking", ""))
    try:
        with transaction.atomic():
            order = _find_order(orders, outcome.order)
            shipment = actions.ship_order(
                order_id=order.pk,
                actor=actor,
                carrier=row.get("carrier", ""),
                tracking_number=outcome.tracking,
                lines=_lines(order, row.get("lines", "")),
                origin=Shipment.Origin.IMPORTED,
            )
    except DomainError as error:
        outcome.error = error.message
    else:
        outcome.shipment = shipment.pk
    return outcome


def _find_order(orders, text: str) -> Order:
    if not text:
        raise InvalidInput(_("The order is missing."), details={"order": "required"})
    condition = Q(marketplace_order_id=text) | Q(reference=text)
    ours = OUR_NUMBER.match(text)
    if ours:
        condition |= Q(pk=int(ours.group(1)))
    found = list(orders.filter(condition).values_list("pk", flat=True)[:2])
    if len(found) != 1:
        message = _("No order %(order)s.") if not found else _("%(order)s names several orders: use our number.")
        raise InvalidInput(message % {"order": text}, details={"order": text})
    return Order(pk=found[0])


def _lines(order: Order, text: str) -> dict[int, int] | None:
    """`SKU:units|SKU:units` → order line id → units; None (every unit left) when empty."""
    if not text:
        return None
    lines = {}
    known = list(order.lines.values_list("pk", "sku", "marketplace_line_id"))
    for part in filter(None, (piece.strip() for piece in text.split("|"))):
        name, _sep, units = part.rpartition(":")
        ids = [pk for pk, sku, line_id in known if name in (sku, line_id)]
        if not ids or not units.isdigit() or int(units) < 1:
            raise InvalidInput(
                _("“%(part)s” is not SKU:units of a line of this order.") % {"part": part}, details={"lines": part}
            )
        lines[ids[0]] = lines.get(ids[0], 0) + int(units)
    return lines
