"""The pick list PDF: per warehouse, one row per SKU sorted by bin, with the units and the orders they go to."""

from __future__ import annotations

from django.utils import formats
from django.utils.translation import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table, TableStyle

from shipping.paperwork.barcodes import Barcode
from shipping.paperwork.documents import BOLD, GRID, HEADING, SHADE, SMALL, TITLE, WIDTH, render, text
from shipping.paperwork.selectors import PickListData

COLUMNS = [25 * mm, 50 * mm, 52 * mm, 12 * mm]
COLUMNS.append(WIDTH - sum(COLUMNS))  # the orders


def build(data: PickListData) -> bytes:
    story = [
        Table(
            [
                [
                    [
                        text(_("Pick list %(code)s") % {"code": data.code}, TITLE),
                        text(
                            _("%(orders)s order(s), %(units)s unit(s) · %(when)s · %(who)s")
                            % {
                                "orders": len(data.order_numbers),
                                "units": data.units,
                                "when": formats.date_format(data.created_at, "SHORT_DATETIME_FORMAT"),
                                "who": data.created_by or "—",
                            }
                        ),
                    ],
                    Barcode(data.code, max_width=60 * mm, bar_height=12 * mm, text_size=9),
                ]
            ],
            colWidths=[WIDTH - 64 * mm, 64 * mm],
            style=TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("ALIGN", (1, 0), (1, 0), "RIGHT")]),
        ),
    ]
    if data.skipped:
        story.append(
            text(_("Not on this list (nothing left to pick): %(orders)s") % {"orders": ", ".join(data.skipped)}, SMALL)
        )
    if not data.groups:
        story.append(text(_("Nothing to pick."), HEADING))
    header = [text(_("Bin"), BOLD), text(_("Barcode"), BOLD), text(_("Product"), BOLD), text(_("Qty"), BOLD)]
    header.append(text(_("Orders"), BOLD))
    for group in data.groups:
        story.append(
            text(
                _("%(warehouse)s — %(rows)s SKU(s), %(units)s unit(s)")
                % {"warehouse": group.warehouse, "rows": len(group.rows), "units": group.units},
                HEADING,
            )
        )
        rows = [header]
        for row in group.rows:
            rows.append(
                [
                    text(row.bin or "—", BOLD),
                    Barcode(row.ean or row.sku, max_width=COLUMNS[1] - 4 * mm),
                    [text(row.sku, BOLD), text(row.title, SMALL)],
                    text(row.quantity, HEADING),
                    text(", ".join(f"{number}\u00a0×{units}" for number, units in row.orders.items()), SMALL),
                ]
            )
        story.append(
            Table(
                rows,
                colWidths=COLUMNS,
                repeatRows=1,
                splitInRow=1,
                style=TableStyle(
                    [
                        ("GRID", (0, 0), (-1, -1), 0.4, GRID),
                        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                        ("ALIGN", (3, 0), (3, -1), "RIGHT"),
                    ]
                ),
            )
        )
        story.append(Spacer(1, 2 * mm))
    return render(
        story,
        title=data.code,
        footer=lambda page: _("Pick list %(code)s · page %(page)s") % {"code": data.code, "page": page},
    )
