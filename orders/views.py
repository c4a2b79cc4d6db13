"""The order list and the order page (the full queue comes with its own issue)."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from oms.errors import DomainError
from orders import actions, selectors
from orders.filters import OrderFilter
from orders.forms import ReasonForm, ShipForm
from orders.status import TRANSITIONS, OrderStatus

PAGE_SIZE = 50


@require_safe
@permission_required("orders.view_order", raise_exception=True)
def order_list(request):
    filterset = OrderFilter(request.GET, queryset=selectors.order_list())
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"filter": filterset, "page": page, "query": _query_without_page(request)}
    template = "orders/_order_table.html" if request.htmx else "orders/order_list.html"
    return render(request, template, context)


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@require_safe
@permission_required("orders.view_order", raise_exception=True)
def order_detail(request, pk: int):
    order = get_object_or_404(selectors.order_detail(), pk=pk)
    allowed = TRANSITIONS[order.status] if not order.fulfilled_by_marketplace else frozenset()
    context = {
        "order": order,
        "can_act": request.user.has_perm("orders.act_on_order"),
        "can_accept": OrderStatus.ACCEPTED in allowed and order.status == OrderStatus.PENDING_ACCEPTANCE,
        "can_refuse": OrderStatus.REFUSED in allowed,
        "can_cancel": OrderStatus.CANCELLED in allowed,
        "can_ship": OrderStatus.SHIPPED in allowed and order.status != OrderStatus.AWAITING_PAYMENT,
        "reason_form": ReasonForm(),
        "ship_form": ShipForm(),
        "show_payload": request.user.has_perm("marketplaces.change_marketplaceaccount"),
    }
    return render(request, "orders/order_detail.html", context)


def _act(request, pk: int, perform, success: str):
    try:
        perform(actions.Actor.of_user(request.user))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect("orders:detail", pk=pk)


@require_POST
@permission_required("orders.act_on_order", raise_exception=True)
def accept(request, pk: int):
    return _act(request, pk, lambda actor: actions.accept_order(order_id=pk, actor=actor), _("Order accepted."))


@require_POST
@permission_required("orders.act_on_order", raise_exception=True)
def refuse(request, pk: int):
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("A reason is required."))
        return redirect("orders:detail", pk=pk)
    reason = form.cleaned_data["reason"]
    return _act(request, pk, lambda actor: actions.refuse_order(order_id=pk, actor=actor, reason=reason), _("Order refused."))


@require_POST
@permission_required("orders.act_on_order", raise_exception=True)
def cancel(request, pk: int):
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("A reason is required."))
        return redirect("orders:detail", pk=pk)
    reason = form.cleaned_data["reason"]
    return _act(request, pk, lambda actor: actions.cancel_order(order_id=pk, actor=actor, reason=reason), _("Order cancelled."))


@require_POST
@permission_required("orders.act_on_order", raise_exception=True)
def ship(request, pk: int):
    form = ShipForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("A carrier and a tracking number are required."))
        return redirect("orders:detail", pk=pk)
    data = form.cleaned_data
    return _act(
        request,
        pk,
        lambda actor: actions.ship_order(
            order_id=pk, actor=actor, carrier=data["carrier"], tracking_number=data["tracking_number"]
        ),
        _("Order shipped."),
    )
