"""The returns screens: the queue, a return's page and its steps, receiving by scan, a new return,
and the refund form of an order (with a preview of what the marketplace will receive)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from marketplaces.connectors.errors import MarketplaceError
from marketplaces.models import MarketplaceAccount
from marketplaces.ratelimit import Throttled
from oms.access.selectors import within_scope
from oms.errors import DomainError
from oms.pagination import CappedPaginator
from orders import events as order_events
from orders.actions import Actor
from orders.models import Order
from returns import actions, selectors
from returns.filters import OPEN, ReturnFilter
from returns.forms import (
    LabelForm,
    ReasonForm,
    ReceiveForm,
    ScanForm,
    grades_from,
    refund_lines_from,
    return_lines_from,
)
from returns.marketplace_returns import REASON_CODES_ON
from returns.models import Grade, ReturnReason, ReturnRequest, ReturnStatus
from returns.previews import marketplace_preview
from returns.refunds import balances

PAGE_SIZE = 50
VIEW = "returns.view_returnrequest"
ACT = "returns.act_on_return"
REFUND = "orders.act_on_order"
ACCOUNT_ADMIN = "marketplaces.change_marketplaceaccount"


@require_safe
@permission_required(VIEW, raise_exception=True)
def return_list(request):
    query = request.GET.copy()
    if "status" not in query:
        query["status"] = OPEN  # the queue: what is still to do, most urgent first
    returns = within_scope(selectors.return_list(), user=request.user, field="order__account")
    filterset = ReturnFilter(query, queryset=returns)
    page = CappedPaginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query.pop("page", None)
    context = {
        "filter": filterset,
        "page": page,
        "rows": selectors.label_rows(page),
        "query": query.urlencode(),
        "scan_form": ScanForm(),
    }
    template = "returns/_return_table.html" if request.htmx else "returns/return_list.html"
    return render(request, template, context)


def _return_in_scope(request, pk: int) -> ReturnRequest:
    returns = within_scope(selectors.return_detail(), user=request.user, field="order__account")
    return get_object_or_404(returns, pk=pk)


@require_safe
@permission_required(VIEW, raise_exception=True)
def return_detail(request, pk: int):
    found = _return_in_scope(request, pk)
    can_act = request.user.has_perm(ACT)
    lines = list(found.lines.all())
    incident_lines = actions.incident_refund_lines(found) if found.is_incident and found.transitions else []
    context = {
        "found": found,
        "lines": lines,
        "timeline": [
            (event, order_events.label(event.kind), order_events.describe(event))
            for event in selectors.return_timeline(found)
        ],
        "can_act": can_act,
        "can_refund": request.user.has_perm(REFUND),
        "next": {step: step in _allowed_steps(found) for step in STEPS},
        "units": [(line, number) for line in lines for number in range(line.quantity_received)],
        "grades": Grade.choices,
        "refund_preview": (
            marketplace_preview(found.order, actions.return_refund_lines(found))
            if found.status in (ReturnStatus.RECEIVED, ReturnStatus.INSPECTED)
            else None
        ),
        "reason_form": ReasonForm(),
        "label_form": LabelForm(),
        "label_accounts": selectors.return_label_accounts() if can_act else [],
        "receive_form": ReceiveForm(),
        "close_reasons": (
            selectors.incident_close_reasons(found) if can_act and found.is_incident and found.transitions else []
        ),
        "incident_refund": marketplace_preview(found.order, incident_lines) if incident_lines else None,
    }
    return render(request, "returns/return_detail.html", context)


def _allowed_steps(found: ReturnRequest) -> set[str]:
    allowed = found.transitions
    if found.is_incident:  # resolved (a refund and/or the platform's resolution), or closed as settled elsewhere
        return {"resolve", "close"} if allowed else set()
    steps = {step for step, to in STEP_TARGETS.items() if to in allowed}
    if found.status in (ReturnStatus.RECEIVED, ReturnStatus.INSPECTED):
        steps.add("refund")
    if "label" in steps:
        steps.add("carrier_label")
    return steps


STEP_TARGETS = {
    "authorise": ReturnStatus.AUTHORISED,
    "refuse": ReturnStatus.REFUSED,
    "label": ReturnStatus.LABEL_SENT,
    "in_transit": ReturnStatus.IN_TRANSIT,
    "receive": ReturnStatus.RECEIVED,
    "inspect": ReturnStatus.INSPECTED,
    "close": ReturnStatus.CLOSED,
}


def _perform(request, found: ReturnRequest, step: str, actor: Actor) -> str:
    """Run one step from the return page's form; returns the message to show."""
    data = request.POST
    if step == "authorise":
        actions.authorise_return(return_id=found.pk, actor=actor)
        return _("Return authorised.")
    if step == "refuse":
        actions.refuse_return(return_id=found.pk, reason=data.get("reason", ""), actor=actor)
        return _("Return refused.")
    if step == "label":
        form = LabelForm(data)
        if not form.is_valid():
            raise DomainError(_("The carrier and the tracking number are required."))
        actions.record_return_label(return_id=found.pk, actor=actor, **form.cleaned_data)
        return _("Return label recorded.")
    if step == "carrier_label":
        try:
            account_id, weight = int(data.get("carrier_account", "")), int(data.get("weight_grams") or 1000)
        except ValueError:
            raise DomainError(_("Choose a carrier account and the parcel's weight in grams.")) from None
        actions.request_return_label(
            return_id=found.pk, carrier_account_id=account_id, weight_grams=weight, actor=actor
        )
        return _("Return label asked from the carrier.")
    if step == "in_transit":
        actions.mark_return_in_transit(return_id=found.pk, actor=actor)
        return _("Return marked in transit.")
    if step == "receive":
        form = ReceiveForm(data)
        actions.receive_return(return_id=found.pk, scanned=form.codes() if form.is_valid() else [], actor=actor)
        return _("Return received.")
    if step == "inspect":
        actions.inspect_return(return_id=found.pk, grades=grades_from(data, found.lines.all()), actor=actor)
        return _("Return inspected: stock updated.")
    if step == "refund":
        actions.refund_return(return_id=found.pk, actor=actor, reason=data.get("reason", ""))
        return _("Refund sent to the marketplace.")
    if step == "resolve":
        reason_code = data.get("reason_code", "").strip()
        actions.resolve_incident(
            return_id=found.pk,
            actor=actor,
            reason_code=reason_code,
            reason_label=selectors.incident_close_reason_label(found, reason_code),
            refund=data.get("refund") == "yes",
            with_shipping=data.get("with_shipping") == "yes",
        )
        return _("Incident resolved.")
    actions.close_return(return_id=found.pk, actor=actor)
    return _("Return closed.")


STEPS = (*STEP_TARGETS, "refund", "carrier_label", "resolve")


@require_POST
@permission_required(ACT, raise_exception=True)
def return_step(request, pk: int, step: str):
    found = _return_in_scope(request, pk)
    if step not in STEPS:
        messages.error(request, _("Unknown step."))
        return redirect("returns:detail", pk=pk)
    if (step == "refund" or (step == "resolve" and request.POST.get("refund") == "yes")) and not request.user.has_perm(
        REFUND
    ):
        messages.error(request, _("Your role does not allow this."))
        return redirect("returns:detail", pk=pk)
    try:
        done = _perform(request, found, step, Actor.of_user(request.user))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect("returns:detail", pk=pk)


@require_safe
@permission_required(VIEW, raise_exception=True)
def return_label(request, pk: int):
    """The carrier's return label, to print or to send to the buyer."""
    found = _return_in_scope(request, pk)
    if not found.label_content:
        raise Http404
    kind = "application/pdf" if found.label_format == "PDF" else "text/plain"
    response = HttpResponse(bytes(found.label_content), content_type=kind)
    extension = "pdf" if found.label_format == "PDF" else "zpl"
    response["Content-Disposition"] = f'inline; filename="{found.number}.{extension}"'
    return response


@require_safe
@permission_required(ACT, raise_exception=True)
def scan(request):
    """Receiving starts here: the return label (or the order number) is scanned."""
    form = ScanForm(request.GET)
    if not form.is_valid():
        return redirect("returns:list")
    try:
        found = actions.find_return_by_scan(form.cleaned_data["code"])
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("returns:list")
    get_object_or_404(within_scope(ReturnRequest.objects.all(), user=request.user, field="order__account"), pk=found.pk)
    return redirect(f"{found.get_absolute_url()}#receive")


def _order_in_scope(request, pk: int) -> Order:
    return get_object_or_404(within_scope(Order.objects.select_related("account"), user=request.user), pk=pk)


@require_http_methods(["GET", "POST"])
@permission_required(ACT, raise_exception=True)
def return_create(request, order_pk: int):
    """Open a return for an order (the buyer asked by phone or e-mail)."""
    order = _order_in_scope(request, order_pk)
    lines = list(order.lines.all())
    if request.method == "POST":
        try:
            found = actions.request_return(
                order_id=order.pk, lines=return_lines_from(request.POST, lines), actor=Actor.of_user(request.user)
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Return %(number)s opened.") % {"number": found.number})
            return redirect("returns:detail", pk=found.pk)
    context = {"order": order, "lines": lines, "reasons": ReturnReason.choices, "data": request.POST}
    return render(request, "returns/return_create.html", context)


@require_http_methods(["GET", "POST"])
@permission_required(REFUND, raise_exception=True)
def refund_order(request, order_pk: int):
    """The refund form: per-line units, items and shipping; a preview of what the marketplace receives,
    then a confirmation before anything is sent."""
    order = _order_in_scope(request, order_pk)
    left = balances(order)
    preview = None
    if request.method == "POST":
        lines = refund_lines_from(request.POST, [balance.line for balance in left.values()])
        reason = request.POST.get("reason", "")
        try:
            checked = actions.check_refund_lines(order, lines)
            if not reason.strip():
                raise DomainError(_("A reason is required."))
            actions.platform_reason_code(order.account, reason.strip())  # refused at the preview, not after it
            if request.POST.get("confirm") == "yes":
                refund = actions.refund_order(
                    order_id=order.pk, actor=Actor.of_user(request.user), reason=reason, lines=checked
                )
                messages.success(
                    request,
                    _("Refund of %(amount)s %(currency)s sent to the marketplace.")
                    % {"amount": refund.total_amount, "currency": refund.currency},
                )
                return redirect("orders:detail", pk=order.pk)
            preview = marketplace_preview(order, checked)
        except DomainError as error:
            messages.error(request, error.message)
    context = {
        "order": order,
        "rows": [
            (
                balance,
                request.POST.get(f"quantity_{line_id}", ""),
                request.POST.get(f"amount_{line_id}", ""),
                request.POST.get(f"shipping_{line_id}", ""),
            )
            for line_id, balance in left.items()
        ],
        "refunds": selectors.refunds_of(order),
        "preview": preview,
        "data": request.POST,
    }
    return render(request, "returns/refund_form.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required(ACCOUNT_ADMIN, raise_exception=True)
def reason_codes(request, account_pk: int):
    """An account's "Reason codes": each of our refund reasons mapped to one of the platform's, read from
    it (Mirakl RE01) each time the page is shown; stored in the account's settings["reason_codes"]."""
    account = get_object_or_404(
        within_scope(MarketplaceAccount.objects.all(), user=request.user, field="pk"), pk=account_pk
    )
    if account.platform not in REASON_CODES_ON:
        raise Http404
    try:
        platform_reasons = selectors.platform_refund_reasons(account)
    except (MarketplaceError, Throttled) as error:
        messages.error(
            request,
            _("%(account)s's refund reasons cannot be read now: %(error)s") % {"account": account.name, "error": error},
        )
        platform_reasons = None
    if request.method == "POST" and platform_reasons is not None:
        codes = {reason: request.POST.get(f"reason_{reason}", "") for reason in ReturnReason.values}
        try:
            actions.set_reason_codes(
                account_id=account.pk, codes=codes, platform_codes=[code for code, _label in platform_reasons]
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Reason codes saved."))
            return redirect("returns:reason_codes", account_pk=account.pk)
    rows = selectors.reason_code_rows(account, platform_reasons or [])
    return render(
        request,
        "returns/reason_codes.html",
        {"account": account, "rows": rows, "readable": platform_reasons is not None},
    )
