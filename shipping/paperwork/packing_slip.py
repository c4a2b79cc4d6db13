"""Packing slips in the buyer's language, with the seller's details, the lines and a return form."""

from __future__ import annotations

from django.conf import settings
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Spacer, Table, TableStyle

from shipping.paperwork.barcodes import Barcode
from shipping.paperwork.documents import BODY, BOLD, GRID, HEADING, SHADE, SMALL, TITLE, WIDTH, render, text
from shipping.paperwork.selectors import PackingSlipData

LINE_COLUMNS = [40 * mm, WIDTH - 40 * mm - 2 * 22 * mm, 22 * mm, 22 * mm]
RETURN_REASONS = (
    ("1", gettext_lazy("Damaged or faulty")),
    ("2", gettext_lazy("Not the item ordered")),
    ("3", gettext_lazy("Not as described")),
    ("4", gettext_lazy("No longer wanted")),
)
TABLE = [
    ("GRID", (0, 0), (-1, -1), 0.4, GRID),
    ("BACKGROUND", (0, 0), (-1, 0), SHADE),
    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
]


def build(slips: list[PackingSlipData]) -> bytes:
    """One slip per order (a new page each), each in its buyer's language."""
    seller = settings.OMS_SELLER
    story = []
    for index, slip in enumerate(slips):
        if index:
            story.append(PageBreak())
        with translation.override(slip.language):
            story += _slip(slip, seller)
    return render(
        story or [text("—")],
        title=", ".join(slip.number for slip in slips[:5]),
        footer=lambda page: f"{seller['name']} · {page}",
    )


def _slip(slip: PackingSlipData, seller: dict) -> list:
    seller_lines = [
        *seller["address"],
        seller["email"],
        seller["phone"],
        _("VAT number: %(number)s") % {"number": seller["vat_number"]} if seller["vat_number"] else "",
    ]
    head = Table(
        [
            [
                [text(seller["name"], HEADING), *(text(line, SMALL) for line in seller_lines if line)],
                [
                    text(_("Packing slip"), TITLE),
                    Barcode(slip.number, max_width=60 * mm, bar_height=11 * mm, text_size=9),
                ],
            ]
        ],
        colWidths=[WIDTH / 2, WIDTH / 2],
        style=TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("ALIGN", (1, 0), (1, 0), "RIGHT")]),
    )
    details = Table(
        [
            [
                [text(_("Ship to"), BOLD), *(text(line) for line in slip.ship_to)],
                [
                    text(
                        _("Order %(reference)s on %(marketplace)s")
                        % {"reference": slip.reference, "marketplace": slip.marketplace}
                    ),
                    text(
                        _("Ordered on %(date)s") % {"date": formats.date_format(slip.purchased_at, "SHORT_DATE_FORMAT")}
                    ),
                    text(_("Our number: %(number)s") % {"number": slip.number}),
                ],
            ]
        ],
        colWidths=[WIDTH / 2, WIDTH / 2],
        style=TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]),
    )
    rows = [[text(_("SKU"), BOLD), text(_("Product"), BOLD), text(_("Quantity"), BOLD), text(_("Packed"), BOLD)]]
    rows += [
        [text(line.sku), [text(line.title), text(line.ean, SMALL)], text(line.quantity, BOLD), text("[   ]")]
        for line in slip.lines
    ]
    story = [
        head,
        Spacer(1, 4 * mm),
        details,
        Spacer(1, 4 * mm),
        Table(rows, colWidths=LINE_COLUMNS, repeatRows=1, style=TableStyle(TABLE)),
    ]
    gift_messages = [line.gift_message for line in slip.lines if line.gift_message]
    if gift_messages:
        story += [text(_("Gift message"), HEADING), *(text(message) for message in gift_messages)]
    story += [Spacer(1, 6 * mm), text(_("Cut here") + " " + "- " * 55, SMALL), *_return_form(slip, seller)]
    return story


def _return_form(slip: PackingSlipData, seller: dict) -> list:
    address = seller["returns_address"] or [seller["name"], *seller["address"]]
    if seller["returns_address"] and address[0] != seller["name"]:
        address = [seller["name"], *address]
    rows = [[text(_("SKU"), BOLD), text(_("Product"), BOLD), text(_("Quantity"), BOLD), text(_("Returned"), BOLD)]]
    rows += [[text(line.sku), text(line.title, SMALL), text(line.quantity), text("____")] for line in slip.lines]
    reasons = "   ".join(f"{code} {label}" for code, label in RETURN_REASONS)
    return [
        Table(
            [
                [
                    [
                        text(_("Return form"), HEADING),
                        text(
                            _(
                                "To return items within %(days)s days of delivery, fill in this form, put it in the "
                                "parcel and send it to the address opposite. Tell us first through the marketplace."
                            )
                            % {"days": seller["return_days"]},
                            SMALL,
                        ),
                    ],
                    [text(_("Return address"), BOLD), *(text(line) for line in address)],
                    Barcode(slip.number, max_width=45 * mm, bar_height=9 * mm),
                ]
            ],
            colWidths=[WIDTH * 0.45, WIDTH * 0.3, WIDTH * 0.25],
            style=TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]),
        ),
        Spacer(1, 2 * mm),
        Table(rows, colWidths=LINE_COLUMNS, repeatRows=1, style=TableStyle(TABLE)),
        Spacer(1, 2 * mm),
        text(_("Reason (write its number beside each returned item):") + "  " + reasons, SMALL),
        Spacer(1, 3 * mm),
        text(_("Name and signature:") + " " + "_" * 40 + "   " + _("Date:") + " " + "_" * 14, BODY),
    ]
