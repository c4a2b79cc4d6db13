"""The order queue, the order page, bulk jobs and saved views.

The queue is one server-rendered page; filtering, paging, sorting and bulk jobs
swap parts of it through HTMX (`_order_table.html`, `_bulk_job.html`).
"""

import uuid
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from django_htmx.http import HttpResponseClientRedirect

from kpis import selectors as kpi_selectors
from messaging import selectors as messaging_selectors
from oms.access.selectors import within_scope
from oms.errors import DomainError
from oms.pagination import CappedPaginator
from order_queue import bulk, saved_views, selectors
from order_queue.filters import OrderFilter
from order_queue.forms import (
    AssignForm,
    BulkActionForm,
    ReasonForm,
    SavedViewForm,
    ShipForm,
    TagForm,
    TrackingImportForm,
)
from order_queue.search import identified_orders
from orders import actions, triage
from orders.models import BulkJob, Order
from orders.platforms import CAPABILITIES
from orders.status import CLOSED, TRANSITIONS, OrderStatus
from returns import actions as returns_actions
from returns import selectors as returns_selectors
from shipping import actions as shipping_actions
from shipping import carrier_choice, fulfilment
from shipping import selectors as shipping_selectors
from shipping import tracking_import as shipping_tracking_import
from shipping.models import Shipment
from shipping.paperwork import actions as paperwork
from shipping.paperwork import responses as paperwork_responses
from shipping.paperwork import selectors as paperwork_selectors

PAGE_SIZES = (25, 50, 100)
DEFAULT_PAGE_SIZE = 50


def _page_size(request) -> int:
    try:
        size = int(request.GET.get("per_page", DEFAULT_PAGE_SIZE))
    except ValueError:
        return DEFAULT_PAGE_SIZE
    return size if size in PAGE_SIZES else DEFAULT_PAGE_SIZE


def _query_without(request, *names: str) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def _identified_order(request):
    """A scan or a paste alone in the search (a marketplace id, a reference, a tracking number, our number)
    that names one order the user may see: its page, straight from the indexes, without building the queue
    (the queue's search finds the same orders when the identifier names several, or comes with filters)."""
    if set(request.GET) != {"q"}:
        return None
    text = request.GET["q"].strip()
    visible = within_scope(Order.objects.all(), user=request.user)
    exact = identified_orders(text, limit=2, orders=visible) if text and " " not in text else []
    if len(exact) != 1:
        return None
    url = reverse("orders:detail", args=exact)
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@require_safe
@permission_required("orders.view_order", raise_exception=True)
def order_list(request):
    if opened := _identified_order(request):
        return opened
    filterset = OrderFilter(
        request.GET, queryset=within_scope(selectors.order_list(), user=request.user), request=request
    )
    orders = filterset.qs
    if filterset.exact_identifier:
        matches = list(orders.values_list("pk", flat=True)[:2])
        if len(matches) == 1:
            # An identifier that names one order: open it, as a scan or a paste means.
            url = reverse("orders:detail", args=matches)
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    page = CappedPaginator(orders, _page_size(request)).get_page(request.GET.get("page"))
    context = {
        "filter": filterset,
        "page": page,
        "query": _query_without(request, "page"),
        "sort_query": _query_without(request, "page", "sort"),
        "filters_query": saved_views.clean_query(request.GET.urlencode()),
        "current_sort": filterset.ordering_key,
        "can_act": request.user.has_perm("orders.act_on_order"),
        "job_key": uuid.uuid4().hex,
        "bulk_form": BulkActionForm(),
    }
    if request.htmx:
        return render(request, "orders/_order_table.html", context)
    views = selectors.saved_views_for(request.user)
    counts = saved_views.view_counts(views, request)
    current = saved_views.clean_query(request.GET.urlencode())
    for view in views:
        view.count = counts[view.pk]
        view.is_current = saved_views.clean_query(view.query) == current
    context.update(
        saved_views=views,
        current_view=current,
        saved_view_form=SavedViewForm(),
        can_save_view=request.user.has_perm("orders.add_savedview"),
        can_share_view=request.user.has_perm("orders.publish_savedview"),
        assignees=list(selectors.assignable_users()),
        page_sizes=PAGE_SIZES,
        kpi_alerts=kpi_selectors.banner_alerts(request.user, now=timezone.now()),
    )
    return render(request, "orders/order_list.html", context)


@require_safe
@permission_required("orders.view_order", raise_exception=True)
def order_detail(request, pk: int):
    order = get_object_or_404(within_scope(selectors.order_detail(), user=request.user), pk=pk)
    allowed = TRANSITIONS[order.status] if not order.fulfilled_by_marketplace else frozenset()
    can_act = request.user.has_perm("orders.act_on_order")
    order_pushes = selectors.order_pushes(order)
    shipments = list(shipping_selectors.order_shipments(order.pk))
    moves = {
        "can_accept": OrderStatus.ACCEPTED in allowed and order.status == OrderStatus.PENDING_ACCEPTANCE,
        "can_refuse": OrderStatus.REFUSED in allowed,
        "can_cancel": OrderStatus.CANCELLED in allowed,
        "can_ship": OrderStatus.SHIPPED in allowed and order.status != OrderStatus.AWAITING_PAYMENT,
    }
    to_beat = not order.fulfilled_by_marketplace
    context = {
        "order": order,
        "timeline": selectors.timeline(order, order_pushes),
        "failed_pushes": [message for message in order_pushes if message.failure],
        "can_act": can_act,
        **moves,
        "can_move": any(moves.values()),
        "is_closed": order.status in CLOSED,
        # Only the deadline the operator must beat now counts down; the others show their date.
        "countdown_acceptance": to_beat and order.status == OrderStatus.PENDING_ACCEPTANCE,
        "countdown_ship_by": to_beat and order.status in (OrderStatus.ACCEPTED, OrderStatus.PARTIALLY_SHIPPED),
        "reason_form": ReasonForm(),
        "ship_form": _ship_form(order) if moves["can_ship"] and can_act else None,
        "shipments": shipments,
        "carrier_choice": carrier_choice.choose(order) if moves["can_ship"] else None,
        "ships_whole_orders_only": not CAPABILITIES[order.account.platform].partial_shipment,
        "assign_form": AssignForm(initial={"assignee": order.assignee_id}) if can_act else None,
        "show_payload": request.user.has_perm("marketplaces.change_marketplaceaccount"),
        "parcels": paperwork_selectors.printable_parcels(order.pk),
        "threads": messaging_selectors.threads_of_order(order.pk),
        "delay_notice": messaging_selectors.delay_proposal(order),
        "review_request": messaging_selectors.review_request(order),
        # Returns and refunds (the returns app), in their own card.
        "order_returns": returns_selectors.returns_of(order),
        "order_refunds": returns_selectors.refunds_of(order),
        "can_refund": can_act and order.status in returns_actions.REFUNDABLE and not order.fulfilled_by_marketplace,
        "can_return": request.user.has_perm("returns.act_on_return") and order.status in returns_actions.RETURNABLE,
    }
    return render(request, "orders/order_detail.html", context)


def _ship_form(order, data=None) -> ShipForm:
    left = fulfilment.units_left(order)
    lines = [(line, left[line.pk]) for line in order.lines.all() if left.get(line.pk, 0) > 0]
    return ShipForm(data, platform=order.account.platform, lines=lines)


@permission_required("orders.act_on_order", raise_exception=True)
def tracking_import(request):
    """A third-party warehouse's tracking numbers (CSV): each row checked, a report per row."""
    form, report = TrackingImportForm(), None
    if request.method == "POST":
        form = TrackingImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                report = shipping_tracking_import.import_tracking(
                    text=form.cleaned_data["csv"],
                    actor=actions.Actor.of_user(request.user),
                    user=request.user,
                    all_or_nothing=form.cleaned_data["all_or_nothing"],
                )
            except DomainError as error:
                form.add_error(None, error.message)
    return render(request, "orders/tracking_import.html", {"form": form, "report": report})


# One order ------------------------------------------------------------------------------


def in_scope(view):
    """An order of an account the user may not see answers 404 before anything is read or done."""

    @wraps(view)
    def checked(request, pk: int, **kwargs):
        get_object_or_404(within_scope(Order.objects.all(), user=request.user), pk=pk)
        return view(request, pk, **kwargs)

    return checked


def _act(request, pk: int, perform, success: str):
    try:
        perform(actions.Actor.of_user(request.user))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect("orders:detail", pk=pk)


def _act_with_reason(request, pk: int, perform, success: str):
    """Like _act, for the moves that need a reason: `perform(actor, reason)`."""
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("A reason is required."))
        return redirect("orders:detail", pk=pk)
    reason = form.cleaned_data["reason"]
    return _act(request, pk, lambda actor: perform(actor, reason), success)


@require_POST
@permission_required("orders.act_on_order", raise_exception=True)
@in_scope
def accept(request, pk: int):
    return _act(request, pk, lambda actor: actions.accept_order(order_id=pk, actor=actor), _("Order accepted."))


@require_POST
@permission_required("orders.act_on_order", raise_exception=True)
@in_scope
def refuse(request, pk: int):
    return _act_with_reason(
        request,
        pk,
        lambda actor, reason: actions.refuse_order(order_id=pk, actor=actor, reason=reason),
        _("Order refused."),
    )


@require_POST
@permission_required("orders.act_on_order", raise_exception=True)
@in_scope
def cancel(request, pk: int):
    return _act_with_reason(
        request,
        pk,
        lambda actor, reason: actions.cancel_order(order_id=pk, actor=actor, reason=reason),
        _("Order cancelled."),
    )


@require_POST
@permission_required("orders.act_on_order", raise_exception=True)
@in_scope
def ship(request, pk: int):
    order = get_object_or_404(selectors.order_list(), pk=pk)
    form = _ship_form(order, request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("orders:detail", pk=pk)
    data = form.cleaned_data
    return _act(
        request,
        pk,
        lambda actor: shipping_actions.ship_order(
            order_id=pk,
            actor=actor,
            carrier=data["carrier"],
            tracking_number=data["tracking_number"],
            lines=data.get("lines"),
        ),
        _("Order shipped."),
    )


@require_POST
@permission_required("orders.act_on_order", raise_exception=True)
@in_scope
def shipment_hand_over(request, pk: int, shipment_id: int):
    get_object_or_404(Shipment, pk=shipment_id, order_id=pk)
    return _act(
        request,
        pk,
        lambda actor: shipping_actions.hand_over_shipment(shipment_id=shipment_id, actor=actor),
        _("Shipment handed to the carrier."),
    )


@require_POST
@permission_required("orders.act_on_order", raise_exception=True)
@in_scope
def shipment_void(request, pk: int, shipment_id: int):
    get_object_or_404(Shipment, pk=shipment_id, order_id=pk)
    return _act(
        request,
        pk,
        lambda actor: shipping_actions.void_shipment(shipment_id=shipment_id, actor=actor),
        _("Shipment voided."),
    )


@require_POST
@permission_required("orders.act_on_order", raise_exception=True)
@in_scope
def assign(request, pk: int):
    form = AssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose someone to assign the order to."))
        return redirect("orders:detail", pk=pk)
    assignee = form.cleaned_data["assignee"]
    return _act(
        request,
        pk,
        lambda actor: triage.assign_order(order_id=pk, actor=actor, assignee_id=assignee.pk if assignee else None),
        _("Assignment saved."),
    )


@require_POST
@permission_required("orders.act_on_order", raise_exception=True)
@in_scope
def tag(request, pk: int):
    form = TagForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("A tag is required."))
        return redirect("orders:detail", pk=pk)
    value = form.cleaned_data["tag"]
    if form.cleaned_data["remove"]:
        return _act(
            request, pk, lambda actor: triage.untag_order(order_id=pk, actor=actor, tag=value), _("Tag removed.")
        )
    return _act(request, pk, lambda actor: triage.tag_order(order_id=pk, actor=actor, tag=value), _("Tag added."))


@require_POST
@permission_required("orders.act_on_order", raise_exception=True)
@in_scope
def hold(request, pk: int):
    return _act_with_reason(
        request,
        pk,
        lambda actor, reason: triage.hold_order(order_id=pk, actor=actor, reason=reason),
        _("Order held for review."),
    )


@require_POST
@permission_required("orders.act_on_order", raise_exception=True)
@in_scope
def release(request, pk: int):
    return _act(request, pk, lambda actor: triage.release_hold(order_id=pk, actor=actor), _("Order released."))


# A push that failed: the operator sends it again, says it was done by hand, or gives up ---------------


@require_POST
@permission_required("orders.act_on_order", raise_exception=True)
@in_scope
def push_retry(request, pk: int, message_id: int):
    return _act(
        request,
        pk,
        lambda actor: actions.retry_push(order_id=pk, message_id=message_id, actor=actor),
        _("The push will be sent again."),
    )


@require_POST
@permission_required("orders.act_on_order", raise_exception=True)
@in_scope
def push_mark_done(request, pk: int, message_id: int):
    return _act(
        request,
        pk,
        lambda actor: actions.mark_push_done(order_id=pk, message_id=message_id, actor=actor),
        _("Marked as done on the marketplace: the order's next pushes go."),
    )


@require_POST
@permission_required("orders.act_on_order", raise_exception=True)
@in_scope
def push_discard(request, pk: int, message_id: int):
    # static/js/confirm.js fills `confirm` once the operator confirmed in the dialog.
    if not request.POST.get("confirm"):
        messages.error(request, _("Confirm first that the marketplace will never hear this."))
        return redirect("orders:detail", pk=pk)
    return _act(
        request,
        pk,
        lambda actor: actions.discard_push(order_id=pk, message_id=message_id, actor=actor),
        _("The push was discarded: the marketplace will not hear it."),
    )


# Bulk jobs ---------------------------------------------------------------------------------


@require_POST
@permission_required("orders.act_on_order", raise_exception=True)
def bulk_start(request):
    """Start a bulk job on the ticked orders or on all matching the filters; same key, same job."""
    form = BulkActionForm(request.POST)
    if not form.is_valid():
        return _bulk_error(request, _("Choose an action."))
    data = form.cleaned_data
    try:
        if data["all_matching"]:
            order_ids = bulk.selected_order_ids(user=request.user, query=data["query"], request=request)
        else:
            order_ids = bulk.selected_order_ids(user=request.user, order_ids=request.POST.getlist("order"))
        job = bulk.start_job(
            user=request.user,
            key=data["key"],
            action=data["action"],
            order_ids=order_ids,
            params={"reason": data["reason"], "tag": data["tag"], "assignee": data["assignee"]},
        )
    except (DomainError, ValueError) as error:
        return _bulk_error(request, getattr(error, "message", _("The selection is not valid.")))
    if request.htmx:
        return _render_job(request, job)
    return redirect("orders:bulk_job", pk=job.pk)


def _bulk_error(request, message: str):
    if request.htmx:
        return render(request, "orders/_bulk_error.html", {"message": message})
    messages.error(request, message)
    return redirect("orders:list")


def _render_job(request, job: BulkJob):
    context = {"job": job, "failures": selectors.bulk_job_failures(job)}
    if not request.htmx:
        context["items"] = selectors.bulk_job_items(job)
    template = "orders/_bulk_job.html" if request.htmx else "orders/bulk_job.html"
    response = render(request, template, context)
    if request.htmx and job.status == BulkJob.Status.DONE:
        response["HX-Trigger"] = "orders-changed"  # the queue reloads its table
    return response


@require_safe
@permission_required("orders.act_on_order", raise_exception=True)
def bulk_job(request, pk: int):
    try:
        job = selectors.bulk_job(job_id=pk, user=request.user)
    except BulkJob.DoesNotExist:
        raise Http404 from None
    return _render_job(request, job)


@require_safe
@permission_required("orders.act_on_order", raise_exception=True)
def bulk_export(request, pk: int):
    try:
        job = selectors.bulk_job(job_id=pk, user=request.user)
    except BulkJob.DoesNotExist:
        raise Http404 from None
    if job.action != BulkJob.Action.EXPORT or job.status != BulkJob.Status.DONE:
        raise Http404
    response = HttpResponse(job.export_csv, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="orders-{job.pk}.csv"'
    return response


# Paperwork for a selection (the documents are shipping's; the selection is the queue's) -------


@require_POST
@permission_required("orders.act_on_order", raise_exception=True)
def paperwork_for_selection(request):
    """The ticked orders (`order`), else all matching the filters (`query`): a pick list, or their packing slips.
    Printing for work is an operator's (a pick list is recorded for its barcode); viewers download what exists."""
    try:
        if request.POST.getlist("order"):
            order_ids = bulk.selected_order_ids(user=request.user, order_ids=request.POST.getlist("order"))
        else:
            order_ids = bulk.selected_order_ids(user=request.user, query=request.POST.get("query", ""), request=request)
        if request.POST.get("document") == "packing_slips":
            return paperwork_responses.packing_slips_for_selection(request, order_ids)
        record = paperwork.create_pick_list(order_ids=order_ids, actor=actions.Actor.of_user(request.user))
    except (DomainError, ValueError) as error:
        messages.error(request, getattr(error, "message", _("The selection is not valid.")))
        return redirect(reverse("orders:list") + "?" + request.POST.get("query", ""))
    return redirect("shipping:pick_list_pdf", pk=record.pk)


# Saved views ---------------------------------------------------------------------------------


@require_POST
@permission_required("orders.add_savedview", raise_exception=True)
def saved_view_create(request):
    form = SavedViewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("A saved view needs a name."))
        return redirect("orders:list")
    data = form.cleaned_data
    try:
        view = saved_views.save_view(user=request.user, name=data["name"], query=data["query"], shared=data["shared"])
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("orders:list")
    messages.success(request, _("View saved."))
    return redirect(reverse("orders:list") + (f"?{view.query}" if view.query else ""))


@require_POST
@permission_required("orders.add_savedview", raise_exception=True)
def saved_view_delete(request, pk: int):
    try:
        saved_views.delete_view(user=request.user, view_id=pk)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("View deleted."))
    return redirect("orders:list")
