"""Stock API for ERPs: read stock per SKU, set counts or adjust in bulk (all or nothing), read movements."""

from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from inventory import actions, selectors
from inventory.actions import StockCount
from inventory.api.serializers import (
    ProductStockSerializer,
    StockChangeResultSerializer,
    StockChangeSerializer,
    StockMovementSerializer,
)
from inventory.filters import MovementFilter, ProductFilter
from oms.access.selectors import within_scope
from oms.api import idempotency
from oms.api.errors import ErrorSerializer
from oms.api.idempotency import idempotent
from orders.actions import Actor

ADJUST = ["inventory.adjust_stock"]
IDEMPOTENCY_KEY = idempotency.PARAMETER
SET_EXAMPLE = OpenApiExample(
    "Counted",
    value={"reason": "Nightly ERP sync", "items": [{"sku": "BOUILL-INOX-17", "warehouse": "lyon", "quantity": 12}]},
    request_only=True,
)
ADJUST_EXAMPLE = OpenApiExample(
    "Damaged",
    value={
        "reason": "Damaged in the warehouse",
        "items": [{"sku": "BOUILL-INOX-17", "warehouse": "lyon", "quantity": -1}],
    },
    request_only=True,
)
ROW_ERRORS = OpenApiExample(
    "A row is not valid",
    value={
        "error": {
            "code": "invalid_rows",
            "message": "Some rows are not valid: nothing was changed.",
            "details": {"rows": {"2": "Unknown SKU NOPE."}},
        }
    },
    response_only=True,
    status_codes=["400"],
)


@extend_schema_view(
    list=extend_schema(summary="Stock per SKU", description="Totals and per-warehouse levels; cursor-paginated."),
    retrieve=extend_schema(summary="Stock of one SKU"),
)
class StockViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = selectors.stock_api_list()
    serializer_class = ProductStockSerializer
    filterset_class = ProductFilter
    lookup_field = "sku"
    lookup_value_regex = r"[^/\x00]+"  # any SKU, but no NUL byte (PostgreSQL cannot compare one)
    action_permissions = {"set_counts": ADJUST, "adjust": ADJUST}
    api_resource = "stock"

    def get_queryset(self):
        return selectors.stock_api_list()

    def _change(self, request, perform):
        serializer = StockChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        rows = [
            StockCount(sku=row["sku"], warehouse=row["warehouse"], quantity=row["quantity"]) for row in data["items"]
        ]
        levels = perform(rows=rows, actor=Actor.of_user(request.user), note=data["reason"])
        return Response(StockChangeResultSerializer({"levels": levels}).data)

    @extend_schema(
        summary="Set counted quantities on hand, in bulk",
        description="All or nothing: one invalid row (unknown SKU or warehouse, negative count, duplicate, a count "
        "below what orders reserved) refuses the request with every row's error.",
        request=StockChangeSerializer,
        responses={200: StockChangeResultSerializer, 400: ErrorSerializer},
        parameters=[IDEMPOTENCY_KEY],
        examples=[SET_EXAMPLE, ROW_ERRORS],
    )
    @action(detail=False, methods=["post"], url_path="set")
    @idempotent
    def set_counts(self, request):
        return self._change(request, actions.set_stock)

    @extend_schema(
        summary="Add or remove units on hand, in bulk",
        description="All or nothing; a change that would leave less than is reserved refuses the request.",
        request=StockChangeSerializer,
        responses={200: StockChangeResultSerializer, 400: ErrorSerializer},
        parameters=[IDEMPOTENCY_KEY],
        examples=[ADJUST_EXAMPLE, ROW_ERRORS],
    )
    @action(detail=False, methods=["post"])
    @idempotent
    def adjust(self, request):
        return self._change(request, actions.adjust_stock_in_bulk)


@extend_schema_view(
    list=extend_schema(summary="Stock movements", description="Newest first; filter by sku, reason, warehouse, since."),
    retrieve=extend_schema(summary="One stock movement"),
)
class StockMovementViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = selectors.movement_list()
    serializer_class = StockMovementSerializer
    filterset_class = MovementFilter
    api_resource = "stock"

    def get_queryset(self):
        # A movement an order caused is seen by whom sees the order; the others by every reader of stock.
        return within_scope(selectors.movement_list(), user=self.request.user, field="order__account", unlinked=True)
