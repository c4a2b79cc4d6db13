"""Paperwork downloads: pick lists, packing slips and labels (every role that reads orders may
download; printing for work, which leaves a trace on the timeline, is an operator's)."""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from oms.access.selectors import within_scope
from oms.errors import InvalidInput
from orders.models import BulkJob, Order
from shipping.models import Parcel, PickList
from shipping.paperwork import labels, pick_list, responses
from shipping.paperwork.selectors import label_batch, parcel_with_label, pick_list_data


@require_safe
@permission_required("orders.view_order", raise_exception=True)
def pick_list_pdf(request, pk: int):
    record = get_object_or_404(PickList.objects.select_related("created_by"), pk=pk)
    return responses.pdf_response(pick_list.build(pick_list_data(record, user=request.user)), f"{record.code}.pdf")


@require_safe
@permission_required("orders.view_order", raise_exception=True)
def packing_slip_pdf(request, order_id: int):
    order = get_object_or_404(within_scope(Order.objects.only("id", "account_id"), user=request.user), pk=order_id)
    return responses.packing_slips(request, [order.pk], filename=f"{order.number}-packing-slip.pdf")


@require_safe
@permission_required("orders.view_order", raise_exception=True)
def parcel_label(request, pk: int, file_format: str):
    """The parcel's label: `pdf` (`?size=10x15`, the default, or `a4`) or `zpl`."""
    try:
        parcel = parcel_with_label(pk, user=request.user)
    except Parcel.DoesNotExist:
        raise Http404 from None
    size = request.GET.get("size", "10x15")
    if file_format == "pdf" and size not in labels.SIZES:
        return HttpResponseBadRequest(_("Size is 10x15 or a4."))
    try:
        return responses.label(request, parcel, file_format=file_format, size=size)
    except InvalidInput as error:
        return HttpResponseBadRequest(error.message)


def _label_job(request, pk: int) -> BulkJob:
    job = BulkJob.objects.filter(pk=pk, created_by=request.user, action=BulkJob.Action.LABELS).first()
    if job is None:
        raise Http404
    return job


@require_safe
@permission_required(responses.PRINTS, raise_exception=True)
def label_job(request, pk: int):
    """The labels of a bulk labels job as the carriers answer: progress, refusals, then the files."""
    job = _label_job(request, pk)
    batch = label_batch(job.items.values("order_id"))
    context = {"job": job, "batch": batch}
    template = "shipping/_label_job.html" if request.htmx else "shipping/label_job.html"
    return render(request, template, context)


@require_safe
@permission_required(responses.PRINTS, raise_exception=True)
def label_job_file(request, pk: int, file_format: str):
    """Every label of the job ready so far in one file: PDF (`?size=10x15` or `a4`) or ZPL."""
    job = _label_job(request, pk)
    size = request.GET.get("size", "10x15")
    if file_format == "pdf" and size not in labels.SIZES:
        return HttpResponseBadRequest(_("Size is 10x15 or a4."))
    batch = label_batch(job.items.values("order_id"), with_labels=True)
    return responses.labels_file(request, batch.labelled, file_format=file_format, size=size, name=f"labels-{job.pk}")
