"""Pick lists and packing slips through the API, next to /api/v1/shipments/:

- `POST /api/v1/pick-lists/` (orders by id) records a pick list, as the queue's "Print pick list"
  does (on each order's timeline), and answers it as JSON with its PDF's address (so that a retry
  with the same Idempotency-Key replays it, never a second list);
- `GET /api/v1/pick-lists/{id}/pdf/` draws it (what is still to pick, as the page does);
- `GET /api/v1/packing-slips/{order}/` and `GET /api/v1/packing-slips/?orders=1,2` draw packing
  slips in each buyer's language.
Reading needs `pick_lists:read` / `packing_slips:read` for an API client (orders.view_order for a
person); recording a pick list `pick_lists:write` (orders.act_on_order)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from oms.access.selectors import within_scope
from oms.api import idempotency
from oms.api.errors import ErrorSerializer
from oms.api.idempotency import idempotent
from oms.errors import InvalidInput
from orders.actions import Actor
from orders.models import Order
from shipping.models import PickList
from shipping.paperwork import actions as paperwork
from shipping.paperwork import pick_list, responses
from shipping.paperwork.selectors import MAX_PICK_LIST_ORDERS, MAX_SLIP_ORDERS, pick_list_data

MAX_ID = 2**31 - 1
PDF = {
    (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="A PDF document"),
    400: ErrorSerializer,
    404: ErrorSerializer,
}


class NewPickListSerializer(serializers.Serializer):
    orders = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        allow_empty=False,
        max_length=MAX_PICK_LIST_ORDERS,
        help_text="Order ids, in the order the list names them (each once).",
    )


class PickListSerializer(serializers.ModelSerializer):
    code = serializers.CharField(read_only=True, help_text="Its barcode: scanned at the packing station.")
    orders = serializers.ListField(source="order_ids", child=serializers.IntegerField(), read_only=True)
    pdf = serializers.SerializerMethodField(help_text="Where its PDF is drawn (GET).")

    class Meta:
        model = PickList
        fields = ["id", "code", "orders", "pdf", "created_at"]

    def get_pdf(self, record) -> str:
        return reverse("pick-list-pdf", args=[record.pk])


PICK_LIST_EXAMPLE = OpenApiExample(
    "Recorded",
    response_only=True,
    value={
        "id": 31,
        "code": "PL-000031",
        "orders": [4211, 4214],
        "pdf": "/api/v1/pick-lists/31/pdf/",
        "created_at": "2026-11-23T08:00:00Z",
    },
)


class PickListViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = PickListSerializer
    api_resource = "pick_lists"
    read_permissions = ["orders.view_order"]
    action_permissions = {"create": ["orders.act_on_order"]}

    def get_queryset(self):
        return PickList.objects.all()

    @extend_schema(
        summary="Record a pick list of some orders (its barcode opens them at the packing station)",
        description="The list goes on each order's timeline, as the queue's \"Print pick list\" does; download "
        "its PDF at `pdf`. 400 (nothing recorded) for no order, more than the limit, or an order you may not "
        "see or that does not exist.",
        request=NewPickListSerializer,
        responses={201: PickListSerializer, 400: ErrorSerializer},
        parameters=[idempotency.PARAMETER],
        examples=[
            OpenApiExample("Two orders", request_only=True, value={"orders": [4211, 4214]}),
            PICK_LIST_EXAMPLE,
        ],
    )
    @idempotent
    def create(self, request):
        serializer = NewPickListSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        order_ids = list(dict.fromkeys(serializer.validated_data["orders"]))
        visible = set(
            within_scope(Order.objects.filter(pk__in=order_ids), user=request.user).values_list("pk", flat=True)
        )
        if missing := [order_id for order_id in order_ids if order_id not in visible]:
            raise InvalidInput(
                _("No order %(orders)s.") % {"orders": ", ".join(map(str, missing))}, details={"orders": missing}
            )
        record = paperwork.create_pick_list(order_ids=order_ids, actor=Actor.of_user(request.user))
        return Response(PickListSerializer(record).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="One pick list (its orders and its PDF's address)", examples=[PICK_LIST_EXAMPLE])
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        summary="A pick list as PDF: per warehouse, sorted by bin, one row per SKU with its orders, barcodes",
        description="What is still to pick of its orders when drawn (the orders you may see).",
        responses=PDF,
    )
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        record = self.get_object()
        return responses.pdf_response(pick_list.build(pick_list_data(record, user=request.user)), f"{record.code}.pdf")


ORDERS_PARAMETER = OpenApiParameter(
    "orders",
    OpenApiTypes.STR,
    required=True,
    description=f"Order ids, comma-separated (at most {MAX_SLIP_ORDERS}).",
    examples=[OpenApiExample("Two orders", value="4211,4214")],
)


class PackingSlipViewSet(viewsets.ViewSet):
    api_resource = "packing_slips"
    read_permissions = ["orders.view_order"]
    lookup_value_regex = "[0-9]+"

    @extend_schema(
        summary="Packing slips of several orders in one PDF, each in its buyer's language",
        description="One slip per order (the units still to ship, or all once shipped), with the seller's "
        "details and a return form. An operator's download goes on the orders' timelines. 400 for no order, "
        "more than the limit or an id that is not a number; orders you may not see are left out.",
        parameters=[ORDERS_PARAMETER],
        responses=PDF,
    )
    def list(self, request):
        raw = request.query_params.get("orders", "")
        try:
            order_ids = list(dict.fromkeys(int(part) for part in raw.split(",") if part.strip()))
        except ValueError:
            raise InvalidInput(_("Give order ids separated by commas."), details={"orders": raw[:100]}) from None
        if any(not 0 < order_id <= MAX_ID for order_id in order_ids):
            raise InvalidInput(_("Give order ids separated by commas."), details={"orders": raw[:100]})
        return responses.packing_slips_for_selection(request, order_ids)

    @extend_schema(
        summary="One order's packing slip as PDF, in its buyer's language",
        parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The order's id.")],
        responses=PDF,
    )
    def retrieve(self, request, pk=None):
        order = get_object_or_404(within_scope(Order.objects.only("id", "account_id"), user=request.user), pk=pk)
        return responses.packing_slips(request, [order.pk], filename=f"{order.number}-packing-slip.pdf")
