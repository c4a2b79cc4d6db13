"""Paperwork downloads: pick lists, packing slips and labels (every role that reads orders may
download; printing for work, which leaves a trace on the timeline, is an operator's)."""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from shipping.models import PickList
from shipping.paperwork import pick_list
from shipping.paperwork.selectors import pick_list_data


def pdf_response(content: bytes, filename: str, *, download: bool = False) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    disposition = "attachment" if download else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
@permission_required("orders.view_order", raise_exception=True)
def pick_list_pdf(request, pk: int):
    record = get_object_or_404(PickList.objects.select_related("created_by"), pk=pk)
    return pdf_response(pick_list.build(pick_list_data(record, user=request.user)), f"{record.code}.pdf")
