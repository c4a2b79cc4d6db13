"""Orders API: list (with the queue's filters and an incremental-sync cursor), detail, and actions."""

from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from oms.access.selectors import within_scope
from oms.api import idempotency
from oms.api.errors import ErrorSerializer
from oms.api.idempotency import idempotent
from oms.errors import InvalidInput
from order_queue import selectors
from order_queue.api.pagination import SyncCursorPagination
from order_queue.api.serializers import (
    AssignSerializer,
    OptionalReasonSerializer,
    OrderDetailSerializer,
    OrderSerializer,
    ReasonSerializer,
    RefundSerializer,
    ShipSerializer,
    TagSerializer,
)
from order_queue.filters import OrderFilter
from orders import actions, triage
from returns import actions as returns_actions
from shipping import actions as shipping_actions

ACT = ["orders.act_on_order"]
IDEMPOTENCY_KEY = idempotency.PARAMETER

LIST_DESCRIPTION = """
Every order of every account, with the filters of the operator's queue (status, platform,
account, dates, deadlines, country, carrier, SKU, amounts, tags, assignee, hold, search `q`).
Cursor-paginated: follow `next` until it is null. Without `updated_since` the newest orders
come first (by id).

**Incremental sync for an ERP.** Keep a high-water mark *H* (start with the epoch):

1. `GET /api/v1/orders/?updated_since=H&page_size=200` — orders changed at or after *H*,
   oldest change first (`updated_at`, then `id`), so a page boundary never skips an order.
2. Follow `next` until it is null; upsert each order by `id` (an order changed again while you
   page shows up once more, later: apply the last copy).
3. Set *H* to the largest `updated_at` you received **minus a small overlap** (e.g. 2 minutes):
   a change committed late by a slow transaction may carry a slightly earlier `updated_at`. The
   overlap re-sends a few orders, which the upsert absorbs.
"""

SYNC_EXAMPLE = OpenApiExample(
    "Incremental sync page",
    response_only=True,
    value={
        "next": "https://oms.example.com/api/v1/orders/?cursor=cD0yMDI2LTExLTIz&updated_since=2026-11-23T10%3A00%3A00Z",
        "previous": None,
        "results": [
            {
                "id": 4211,
                "number": "OMS-0004211",
                "platform": "mirakl",
                "account": 3,
                "account_name": "Fnac-Darty",
                "marketplace_order_id": "FD-98231-A",
                "status": "pending_acceptance",
                "total_amount": "42.90",
                "currency": "EUR",
                "acceptance_deadline": "2026-11-24T10:00:00Z",
                "updated_at": "2026-11-23T10:00:03.120000Z",
                "lines": [{"sku": "MUG-TOUR-EIFFEL", "quantity": 1, "total_amount": "12.90"}],
            }
        ],
    },
)


@extend_schema_view(
    list=extend_schema(
        summary="List orders (queue filters, incremental sync)",
        description=LIST_DESCRIPTION,
        examples=[SYNC_EXAMPLE],
    ),
    retrieve=extend_schema(summary="One order with its lines and timeline"),
)
class OrderViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = selectors.order_list()
    filterset_class = OrderFilter
    api_resource = "orders"
    action_permissions = {
        "accept": ACT,
        "refuse": ACT,
        "cancel": ACT,
        "ship": ACT,
        "refund": ACT,
        "assign": ACT,
        "tag": ACT,
        "retry_push": ACT,
        "mark_push_done": ACT,
        "discard_push": ACT,
    }

    def get_queryset(self):
        orders = selectors.order_list() if self.action == "list" else selectors.order_detail()
        return within_scope(orders, user=self.request.user)

    def get_serializer_class(self):
        return OrderSerializer if self.action == "list" else OrderDetailSerializer

    @property
    def paginator(self):
        if not hasattr(self, "_paginator"):
            syncing = self.action == "list" and "updated_since" in self.request.query_params
            self._paginator = SyncCursorPagination() if syncing else super().paginator
        return self._paginator

    def _respond(self, order_id: int) -> Response:
        order = selectors.order_detail().get(pk=order_id)
        return Response(OrderDetailSerializer(order, context=self.get_serializer_context()).data)

    def _validated(self, serializer_class, **context):
        serializer = serializer_class(data=self.request.data, context=context)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _actor(self):
        return actions.Actor.of_user(self.request.user)

    @extend_schema(
        summary="Accept an order waiting for acceptance",
        request=OptionalReasonSerializer,
        responses=OrderDetailSerializer,
        parameters=[IDEMPOTENCY_KEY],
        examples=[OpenApiExample("Stock checked", value={"reason": "Stock checked"}, request_only=True)],
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def accept(self, request, pk=None):
        order = self.get_object()
        data = self._validated(OptionalReasonSerializer)
        actions.accept_order(order_id=order.pk, actor=self._actor(), reason=data["reason"])
        return self._respond(order.pk)

    @extend_schema(
        summary="Refuse an order waiting for acceptance",
        request=ReasonSerializer,
        responses=OrderDetailSerializer,
        parameters=[IDEMPOTENCY_KEY],
        examples=[OpenApiExample("Out of stock", value={"reason": "Out of stock"}, request_only=True)],
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def refuse(self, request, pk=None):
        order = self.get_object()
        data = self._validated(ReasonSerializer)
        actions.refuse_order(order_id=order.pk, actor=self._actor(), reason=data["reason"])
        return self._respond(order.pk)

    @extend_schema(
        summary="Cancel an order not yet shipped",
        request=ReasonSerializer,
        responses=OrderDetailSerializer,
        parameters=[IDEMPOTENCY_KEY],
        examples=[OpenApiExample("Buyer asked", value={"reason": "The buyer asked to cancel"}, request_only=True)],
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def cancel(self, request, pk=None):
        order = self.get_object()
        data = self._validated(ReasonSerializer)
        actions.cancel_order(order_id=order.pk, actor=self._actor(), reason=data["reason"])
        return self._respond(order.pk)

    @extend_schema(
        summary="Ship an order (or some of its units) with a carrier and a tracking number",
        description="A shortcut for a parcel shipped outside this system: one shipment in one parcel "
        "(see /api/v1/shipments/), handed over at once. Without `lines`, every unit not shipped yet. The "
        "order becomes `partially_shipped` while some units are in no shipment, `shipped` when all are. "
        "The marketplace hears the lines and quantities where it takes partial shipments; Mirakl ships "
        "whole orders and hears once, when the last unit ships. 400 (nothing changed) for a carrier the "
        "platform does not take or a tracking number without the carrier's format.",
        request=ShipSerializer,
        responses={200: OrderDetailSerializer, 400: ErrorSerializer, 409: ErrorSerializer},
        parameters=[IDEMPOTENCY_KEY],
        examples=[
            OpenApiExample(
                "The whole order", value={"carrier": "colissimo", "tracking_number": "6A12345678901"}, request_only=True
            ),
            OpenApiExample(
                "Some units",
                value={
                    "carrier": "ups",
                    "tracking_number": "1Z999AA10123456784",
                    "lines": [{"line_id": "L1", "quantity": 1}],
                },
                request_only=True,
            ),
        ],
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def ship(self, request, pk=None):
        order = self.get_object()
        data = self._validated(ShipSerializer, platform=order.account.platform)
        lines = None
        if "lines" in data:
            ids = dict(order.lines.values_list("marketplace_line_id", "pk"))
            unknown = sorted({line["line_id"] for line in data["lines"]} - set(ids))
            if unknown:
                raise InvalidInput(f"Unknown line(s): {', '.join(unknown)}.", details={"lines": unknown})
            lines = {}
            for line in data["lines"]:
                lines[ids[line["line_id"]]] = lines.get(ids[line["line_id"]], 0) + line["quantity"]
        shipping_actions.ship_order(
            order_id=order.pk,
            actor=self._actor(),
            carrier=data["carrier"],
            tracking_number=data["tracking_number"],
            lines=lines,
        )
        return self._respond(order.pk)

    @extend_schema(
        summary="Refund a shipped (or paid and cancelled) order, in full or per line",
        description="Per line: the units coming back (0 for a goodwill amount), the items and shipping amounts. "
        "Never more than was paid per line and per order (400 `invalid_input`, nothing changed). 409 "
        "`not_supported_by_platform` when the platform cannot refund that way: nothing is changed or sent. "
        "The marketplace hears it through the outbox (`refund.sent` webhook once it took it).",
        request=RefundSerializer,
        responses=OrderDetailSerializer,
        parameters=[IDEMPOTENCY_KEY],
        examples=[
            OpenApiExample(
                "One line, in part",
                value={"reason": "Damaged box", "lines": [{"line_id": "L1", "amount": "5.00"}]},
                request_only=True,
            ),
            OpenApiExample(
                "One unit back, with its shipping",
                value={
                    "reason": "Returned",
                    "lines": [{"line_id": "L1", "quantity": 1, "amount": "19.90", "shipping_amount": "4.90"}],
                },
                request_only=True,
            ),
        ],
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def refund(self, request, pk=None):
        order = self.get_object()
        data = self._validated(RefundSerializer)
        lines = None
        if data.get("lines"):
            ids = dict(order.lines.values_list("marketplace_line_id", "pk"))
            unknown = sorted({line["line_id"] for line in data["lines"]} - set(ids))
            if unknown:
                raise InvalidInput(f"Unknown line(s): {', '.join(unknown)}.", details={"lines": unknown})
            lines = [
                returns_actions.LineRefund(
                    order_line_id=ids[line["line_id"]],
                    amount=line["amount"],
                    shipping_amount=line["shipping_amount"],
                    quantity=line["quantity"],
                )
                for line in data["lines"]
            ]
        returns_actions.refund_order(order_id=order.pk, actor=self._actor(), reason=data["reason"], lines=lines)
        return self._respond(order.pk)

    @extend_schema(
        summary="Assign an order to a user (null to unassign)",
        request=AssignSerializer,
        responses=OrderDetailSerializer,
        parameters=[IDEMPOTENCY_KEY],
        examples=[
            OpenApiExample("Assign", value={"assignee": 7}, request_only=True),
            OpenApiExample("Unassign", value={"assignee": None}, request_only=True),
        ],
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def assign(self, request, pk=None):
        order = self.get_object()
        data = self._validated(AssignSerializer)
        triage.assign_order(order_id=order.pk, actor=self._actor(), assignee_id=data["assignee"])
        return self._respond(order.pk)

    @extend_schema(
        summary="Tag an order (a tag already there changes nothing)",
        request=TagSerializer,
        responses=OrderDetailSerializer,
        parameters=[IDEMPOTENCY_KEY],
        examples=[OpenApiExample("Gift wrap", value={"tag": "gift-wrap", "reason": "Buyer asked"}, request_only=True)],
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def tag(self, request, pk=None):
        order = self.get_object()
        data = self._validated(TagSerializer)
        triage.tag_order(order_id=order.pk, actor=self._actor(), tag=data["tag"], reason=data["reason"])
        return self._respond(order.pk)

    # A push that failed (`pushes[].status == "dead"` on the order) -------------------------------

    def _answer_failed_push(self, answer, message_id: str) -> Response:
        order = self.get_object()
        answer(order_id=order.pk, message_id=int(message_id), actor=self._actor())
        return self._respond(order.pk)

    @extend_schema(
        summary="Send a failed push again",
        description="After its cause was fixed. 404 when the order has no such push, 409 when it no longer "
        "waits for a person (already sent again, done by hand or discarded).",
        request=None,
        responses={200: OrderDetailSerializer, 404: ErrorSerializer, 409: ErrorSerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
    @action(detail=True, methods=["post"], url_path=r"pushes/(?P<message_id>\d+)/retry")
    @idempotent
    def retry_push(self, request, pk=None, message_id=None):
        return self._answer_failed_push(actions.retry_push, message_id)

    @extend_schema(
        summary="Mark a failed push as done on the marketplace",
        description="You did it in the marketplace's own portal: the push counts as done and the order's later "
        "pushes go. 404 and 409 as for retry.",
        request=None,
        responses={200: OrderDetailSerializer, 404: ErrorSerializer, 409: ErrorSerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
    @action(detail=True, methods=["post"], url_path=r"pushes/(?P<message_id>\d+)/mark-done")
    @idempotent
    def mark_push_done(self, request, pk=None, message_id=None):
        return self._answer_failed_push(actions.mark_push_done, message_id)

    @extend_schema(
        summary="Discard a failed push",
        description="The marketplace will never hear this decision; the order's later pushes go. 404 and 409 as "
        "for retry.",
        request=None,
        responses={200: OrderDetailSerializer, 404: ErrorSerializer, 409: ErrorSerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
    @action(detail=True, methods=["post"], url_path=r"pushes/(?P<message_id>\d+)/discard")
    @idempotent
    def discard_push(self, request, pk=None, message_id=None):
        return self._answer_failed_push(actions.discard_push, message_id)
