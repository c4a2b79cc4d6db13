"""Accounts (poll health, poll now), the outbox (every kind of message, dead letters first) and quarantined payloads."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from marketplaces import account_pages, actions, selectors, usage
from marketplaces.models import MarketplaceAccount
from oms import outbox
from oms.access.selectors import within_scope
from oms.outbox import OutboxMessage

ADMIN = "marketplaces.change_marketplaceaccount"


@require_safe
@permission_required("marketplaces.view_marketplaceaccount", raise_exception=True)
def account_list(request):
    accounts = list(within_scope(selectors.accounts_with_health(), user=request.user, field="pk"))
    for account in accounts:
        account.calls = usage.calls_vs_limits(account)
        account.pages = account_pages.pages_for(account)
    return render(request, "marketplaces/account_list.html", {"accounts": accounts})


@require_POST
@permission_required("orders.act_on_order", raise_exception=True)
def poll_now(request, pk: int):
    account = get_object_or_404(within_scope(MarketplaceAccount.objects.all(), user=request.user, field="pk"), pk=pk)
    actions.request_poll_now(account_id=account.pk)
    messages.success(request, _("A poll of %(account)s was requested.") % {"account": account.name})
    return redirect("marketplaces:accounts")


@require_safe
@permission_required(ADMIN, raise_exception=True)
def outbox_list(request):
    status = request.GET.get("status", OutboxMessage.Status.DEAD)
    if status not in OutboxMessage.Status.values:
        status = ""
    destinations = selectors.destination_labels()
    kinds = {kind.name: kind.label for kind in outbox.declared_kinds()}
    destination = request.GET.get("destination", "") if request.GET.get("destination") in destinations else ""
    kind = request.GET.get("kind", "") if request.GET.get("kind") in kinds else ""
    page = Paginator(outbox.messages(destination=destination, kind=kind, status=status), 50).get_page(
        request.GET.get("page")
    )
    for message in selectors.with_subjects(list(page)):
        message.destination_label = destinations.get(message.destination, message.destination)
        message.kind_label = kinds.get(message.kind, message.kind)
    return render(
        request,
        "marketplaces/outbox.html",
        {
            "page": page,
            "status": status,
            "statuses": OutboxMessage.Status.choices,
            "destination": destination,
            "destinations": sorted(destinations.items(), key=lambda item: str(item[1])),
            "kind": kind,
            "kinds": list(kinds.items()),
        },
    )


@require_POST
@permission_required(ADMIN, raise_exception=True)
def outbox_retry(request, pk: int):
    outbox.retry_dead(message_id=pk)
    messages.success(request, _("The message will be sent again."))
    return redirect("marketplaces:outbox")


@require_POST
@permission_required(ADMIN, raise_exception=True)
def outbox_discard(request, pk: int):
    outbox.discard_dead(message_id=pk)
    messages.success(request, _("The message was discarded."))
    return redirect("marketplaces:outbox")


@require_safe
@permission_required(ADMIN, raise_exception=True)
def quarantine_list(request):
    page = Paginator(selectors.open_quarantine(), 50).get_page(request.GET.get("page"))
    return render(request, "marketplaces/quarantine.html", {"page": page})


@require_POST
@permission_required(ADMIN, raise_exception=True)
def quarantine_resolve(request, pk: int):
    actions.resolve_quarantined(quarantined_id=pk)
    messages.success(request, _("Marked as resolved."))
    return redirect("marketplaces:quarantine")
