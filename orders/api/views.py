"""Orders API: list and detail for ERPs, and the transitions as action endpoints."""

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from oms.api.idempotency import idempotent
from orders import actions, selectors
from orders.api.serializers import (
    OptionalReasonSerializer,
    OrderDetailSerializer,
    OrderSerializer,
    ReasonSerializer,
    ShipSerializer,
)
from orders.filters import OrderFilter

ACT = ["orders.act_on_order"]
IDEMPOTENCY_KEY = OpenApiParameter(
    name="Idempotency-Key",
    location=OpenApiParameter.HEADER,
    required=False,
    description="Any unique string; a retry with the same key and body replays the first response.",
)


@extend_schema_view(
    list=extend_schema(summary="List orders", description="Newest first; cursor-paginated."),
    retrieve=extend_schema(summary="One order with its lines and timeline"),
)
class OrderViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = selectors.order_list()
    filterset_class = OrderFilter
    action_permissions = {"accept": ACT, "refuse": ACT, "cancel": ACT, "ship": ACT}

    def get_queryset(self):
        if self.action == "list":
            return selectors.order_list()
        return selectors.order_detail()

    def get_serializer_class(self):
        return OrderSerializer if self.action == "list" else OrderDetailSerializer

    def _respond(self, order_id: int) -> Response:
        order = selectors.order_detail().get(pk=order_id)
        return Response(OrderDetailSerializer(order, context=self.get_serializer_context()).data)

    def _validated(self, serializer_class):
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @extend_schema(
        summary="Accept an order waiting for acceptance",
        request=OptionalReasonSerializer,
        responses=OrderDetailSerializer,
        parameters=[IDEMPOTENCY_KEY],
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def accept(self, request, pk=None):
        order = self.get_object()
        data = self._validated(OptionalReasonSerializer)
        actions.accept_order(order_id=order.pk, actor=actions.Actor.of_user(request.user), reason=data["reason"])
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
        actions.refuse_order(order_id=order.pk, actor=actions.Actor.of_user(request.user), reason=data["reason"])
        return self._respond(order.pk)

    @extend_schema(
        summary="Cancel an order not yet shipped",
        request=ReasonSerializer,
        responses=OrderDetailSerializer,
        parameters=[IDEMPOTENCY_KEY],
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def cancel(self, request, pk=None):
        order = self.get_object()
        data = self._validated(ReasonSerializer)
        actions.cancel_order(order_id=order.pk, actor=actions.Actor.of_user(request.user), reason=data["reason"])
        return self._respond(order.pk)

    @extend_schema(
        summary="Ship an order with a carrier and a tracking number",
        request=ShipSerializer,
        responses=OrderDetailSerializer,
        parameters=[IDEMPOTENCY_KEY],
        examples=[
            OpenApiExample(
                "Colissimo", value={"carrier": "colissimo", "tracking_number": "6A12345678901"}, request_only=True
            )
        ],
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def ship(self, request, pk=None):
        order = self.get_object()
        data = self._validated(ShipSerializer)
        actions.ship_order(
            order_id=order.pk,
            actor=actions.Actor.of_user(request.user),
            carrier=data["carrier"],
            tracking_number=data["tracking_number"],
        )
        return self._respond(order.pk)
