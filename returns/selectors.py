"""Reads of refunds and returns for the screens, the API and the order page; the queries are decided here."""

from __future__ import annotations

from django.db.models import F, Prefetch, QuerySet

from orders.models import Order, OrderEvent
from returns.models import Refund, RefundLine, ReturnLine, ReturnRequest


def return_list() -> QuerySet[ReturnRequest]:
    """The returns queue: most urgent first (the nearest deadline, then the newest)."""
    return (
        ReturnRequest.objects.select_related("order", "order__account", "warehouse")
        .prefetch_related(Prefetch("lines", queryset=ReturnLine.objects.select_related("order_line")))
        .order_by(F("respond_by").asc(nulls_last=True), "-id")
    )


def return_api_list() -> QuerySet[ReturnRequest]:
    """The API's list: each return with its lines and their inspected units."""
    return ReturnRequest.objects.select_related("order", "warehouse").prefetch_related(
        Prefetch("lines", queryset=ReturnLine.objects.select_related("order_line").prefetch_related("units"))
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


def refunds_of(order: Order) -> list[Refund]:
    lines = Prefetch("lines", queryset=RefundLine.objects.select_related("order_line"))
    return list(Refund.objects.filter(order=order).prefetch_related(lines).order_by("id"))


def returns_of(order: Order) -> list[ReturnRequest]:
    return list(ReturnRequest.objects.filter(order=order).order_by("-id"))
