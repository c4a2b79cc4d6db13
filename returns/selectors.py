"""Reads of refunds and returns for the screens, the API and the order page; the queries are decided here."""

from __future__ import annotations

import datetime as dt
import logging

from django.core.cache import cache
from django.db.models import F, Prefetch, QuerySet
from django.template.defaultfilters import date as date_format
from django.urls import reverse
from django.utils.timezone import template_localtime
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from marketplaces.clients import connector_for_account
from marketplaces.connectors.errors import MarketplaceError
from marketplaces.ratelimit import Throttled
from oms.errors import InvalidInput
from orders.models import Order, OrderEvent
from orders.platforms import CAPABILITIES
from returns.labels import RETURN_PRODUCTS
from returns.marketplace_returns import INCIDENTS_ON, REASON_CODES_ON
from returns.models import Refund, RefundLine, ReturnLine, ReturnReason, ReturnRequest, ReturnStatus
from shipping.models import CarrierAccount


def return_list() -> QuerySet[ReturnRequest]:
    """The returns queue: most urgent first (the nearest deadline, then the newest)."""
    # Only the columns the table shows: an order row is wide, and 50 of them loaded whole, with 50
    # order lines, cost more than the queries themselves.
    lines = ReturnLine.objects.select_related("order_line").only(
        "return_request_id", "quantity", "order_line_id", "order_line__sku"
    )
    return (
        ReturnRequest.objects.select_related("order", "warehouse")
        .only(*QUEUE_COLUMNS)
        .prefetch_related(Prefetch("lines", queryset=lines))
        .order_by(F("respond_by").asc(nulls_last=True), "-id")
    )


QUEUE_COLUMNS = (
    "order_id",
    "warehouse_id",
    "status",
    "kind",
    "platform",
    "marketplace_return_id",
    "reason",
    "respond_by",
    "late_request",
    "arrived_at",
    "order__reference",
    "order__marketplace_order_id",
    "warehouse__name",
)


def label_rows(rows) -> list[ReturnRequest]:
    """The queue's rows with their labels and links worked out once per page, not once per row and
    field (a choice's display and a URL reversal per cell cost more than the page's queries)."""
    statuses = {value: str(label) for value, label in ReturnStatus.choices}
    reasons = {value: str(label) for value, label in ReturnReason.choices}
    platforms = {code: caps.display_name for code, caps in CAPABILITIES.items()}
    kinds = {value: str(label) for value, label in ReturnRequest.Kind.choices}
    return_base = reverse("returns:detail", args=[1]).removesuffix("1/")
    order_base = reverse("orders:detail", args=[1]).removesuffix("1/")
    rows = list(rows)
    for found in rows:
        if found.respond_by is not None:  # components/deadline.html's three renderings, once per row
            local, utc = template_localtime(found.respond_by), found.respond_by.astimezone(dt.UTC)
            found.deadline_iso = date_format(utc, "c")
            found.deadline_title = date_format(local, "DATETIME_FORMAT")
            found.deadline_short = date_format(local, "SHORT_DATETIME_FORMAT")
        found.status_label = statuses.get(found.status, found.status)
        found.reason_label = reasons.get(found.reason, found.reason)
        found.platform_label = platforms.get(found.platform, found.platform)
        found.kind_label = kinds.get(found.kind, found.kind)
        found.url = f"{return_base}{found.pk}/"
        found.order_url = f"{order_base}{found.order_id}/"
    return rows


def return_api_list() -> QuerySet[ReturnRequest]:
    """The API's list: each return with its lines and their inspected units."""
    return (
        ReturnRequest.objects.select_related("order", "warehouse")
        .defer("label_content")
        .prefetch_related(
            Prefetch("lines", queryset=ReturnLine.objects.select_related("order_line").prefetch_related("units"))
        )
    )


def return_detail() -> QuerySet[ReturnRequest]:
    return ReturnRequest.objects.select_related("order", "order__account", "warehouse").prefetch_related(
        Prefetch("lines", queryset=ReturnLine.objects.select_related("order_line").prefetch_related("units")),
        Prefetch("refunds", queryset=Refund.objects.prefetch_related("lines__order_line")),
    )


def return_timeline(found: ReturnRequest) -> list[OrderEvent]:
    """The return's own story: the order's events about it (they carry its id)."""
    return list(
        OrderEvent.objects.filter(order_id=found.order_id, params__return_id=found.pk)
        .select_related("actor_user")
        .order_by("created_at", "id")
    )


logger = logging.getLogger(__name__)
REASONS_CACHED_FOR = 3600  # seconds: RE12 is read "once on incident closing page view", not on each render


def incident_close_reasons(found: ReturnRequest) -> list[tuple[str, str]]:
    """The platform's reasons for resolving an incident (Mirakl RE12), read once an hour per account;
    empty when the platform has none or cannot be reached (the page then asks for the code)."""
    account = found.order.account
    if not found.is_incident or account.platform not in INCIDENTS_ON:
        return []
    key = f"returns:incident-close-reasons:{account.pk}"
    reasons = cache.get(key)
    if reasons is None:
        try:
            reasons = connector_for_account(account).incident_close_reasons()
        except (MarketplaceError, Throttled) as error:
            logger.warning("incident close reasons of account %s unavailable: %s", account.pk, error)
            return []
        cache.set(key, reasons, REASONS_CACHED_FOR)
    return [tuple(reason) for reason in reasons]


def incident_close_reason_label(found: ReturnRequest, reason_code: str) -> str:
    """The label of the platform's resolution reason `reason_code` (empty when none is given or the
    platform's list cannot be read). Raises InvalidInput for a code the platform's list does not hold."""
    labels = dict(incident_close_reasons(found)) if reason_code else {}
    if labels and reason_code not in labels:
        raise InvalidInput(_("Unknown resolution reason."), details={"reason_code": reason_code[:50]})
    return labels.get(reason_code, "")


def platform_refund_reasons(account) -> list[tuple[str, str]]:
    """The platform's refund reasons as (code, label), read from it now (Mirakl RE01, type REFUND), labels in
    the reader's language where the platform has them. Raises MarketplaceError / Throttled when it cannot."""
    if account.platform not in REASON_CODES_ON:
        return []
    locale = "fr_FR" if (get_language() or "en").startswith("fr") else "en_GB"
    return [
        (code, label) for _kind, code, label in connector_for_account(account).reasons(kind="REFUND", locale=locale)
    ]


def reason_code_rows(account, platform_reasons: list[tuple[str, str]]) -> list[dict]:
    """One row per reason of ours: its label, the platform's code it is mapped to, and the choices."""
    mapped = (account.settings or {}).get("reason_codes") or {}
    return [
        {"reason": code, "label": label, "mapped": str(mapped.get(code) or ""), "choices": platform_reasons}
        for code, label in ReturnReason.choices
    ]


def return_label_accounts() -> list[CarrierAccount]:
    """The carrier accounts that can print a return label (a carrier whose return product we know)."""
    return list(
        CarrierAccount.objects.filter(enabled=True, carrier__code__in=list(RETURN_PRODUCTS)).select_related("carrier")
    )


def refunds_of(order: Order) -> list[Refund]:
    lines = Prefetch("lines", queryset=RefundLine.objects.select_related("order_line"))
    return list(Refund.objects.filter(order=order).prefetch_related(lines).order_by("id"))


def returns_of(order: Order) -> list[ReturnRequest]:
    return list(ReturnRequest.objects.filter(order=order).order_by("-id"))
