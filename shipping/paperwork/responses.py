"""Documents as HTTP responses, for shipping's pages and the queue's selections alike; an
operator's download is printing for work and goes on the orders' timelines, a viewer's is reading."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext as _

from oms.errors import InvalidInput
from orders.actions import Actor
from shipping.models import Parcel
from shipping.paperwork import actions, events, labels, packing_slip
from shipping.paperwork.selectors import MAX_SLIP_ORDERS, packing_slips_data

PRINTS = "orders.act_on_order"
LABEL_NAMES = {"10x15": "PDF 10×15", "a4": "PDF A4"}


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def packing_slips(request, order_ids: list[int], *, filename: str) -> HttpResponse:
    slips = packing_slips_data(order_ids, user=request.user)
    if request.user.has_perm(PRINTS):
        for language in {slip.language for slip in slips}:
            actions.record_printed(
                order_ids=[slip.order_id for slip in slips if slip.language == language],
                kind=events.PACKING_SLIP_PRINTED,
                actor=Actor.of_user(request.user),
                params={"language": language},
            )
    return pdf_response(packing_slip.build(slips), filename)


def packing_slips_for_selection(request, order_ids: list[int]) -> HttpResponse:
    if not order_ids:
        raise InvalidInput(_("No order selected."), details={"orders": "required"})
    if len(order_ids) > MAX_SLIP_ORDERS:
        raise InvalidInput(
            _("Packing slips are printed for at most %(limit)s orders at once: narrow the selection.")
            % {"limit": MAX_SLIP_ORDERS},
            details={"limit": MAX_SLIP_ORDERS},
        )
    return packing_slips(request, order_ids, filename="packing-slips.pdf")


def label(request, parcel: Parcel, *, file_format: str, size: str) -> HttpResponse:
    """A parcel's label as PDF at `size` or as ZPL; a ZPL label cannot become a PDF (InvalidInput)."""
    content, stored = bytes(parcel.label), parcel.label_format
    number = parcel.tracking_number or f"parcel-{parcel.pk}"
    if file_format == "pdf":
        if stored != Parcel.LabelFormat.PDF:
            raise InvalidInput(
                _("This carrier printed a ZPL label: print it on a thermal printer."), details={"format": stored}
            )
        response = pdf_response(labels.pdf_labels([content], size=size), f"{number}-{size}.pdf")
    else:
        zpl = content.decode() if stored == Parcel.LabelFormat.ZPL else labels.zpl_from_pdf(content)
        response = HttpResponse(zpl, content_type="application/x-zpl; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{number}.zpl"'
        response["Cache-Control"] = "private, no-store"
    if request.user.has_perm(PRINTS):
        actions.record_printed(
            order_ids=[parcel.shipment.order_id],
            kind=events.LABEL_PRINTED,
            actor=Actor.of_user(request.user),
            params={"shipment": parcel.shipment_id, "format": LABEL_NAMES[size] if file_format == "pdf" else "ZPL"},
        )
    return response


def labels_file(request, parcels: list[Parcel], *, file_format: str, size: str, name: str) -> HttpResponse:
    """Many parcels' labels in one file: their PDF pages at `size` (a ZPL-only label is left out),
    or ZPL (a PDF label drawn as a bitmap); on the orders' timelines when an operator prints them."""
    if file_format == "pdf":
        contents = [bytes(p.label) for p in parcels if p.label_format == Parcel.LabelFormat.PDF]
        response = pdf_response(labels.pdf_labels(contents, size=size), f"{name}-{size}.pdf")
    else:
        zpl = [
            bytes(p.label).decode() if p.label_format == Parcel.LabelFormat.ZPL else labels.zpl_from_pdf(bytes(p.label))
            for p in parcels
        ]
        response = HttpResponse(labels.concatenated_zpl(zpl), content_type="application/x-zpl; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.zpl"'
        response["Cache-Control"] = "private, no-store"
    if request.user.has_perm(PRINTS):
        actor = Actor.of_user(request.user)
        for parcel in parcels:
            actions.record_printed(
                order_ids=[parcel.shipment.order_id],
                kind=events.LABEL_PRINTED,
                actor=actor,
                params={"shipment": parcel.shipment_id, "format": LABEL_NAMES[size] if file_format == "pdf" else "ZPL"},
            )
    return response
