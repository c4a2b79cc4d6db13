"""Returns API for ERPs and warehouse tools: list, read, open, authorise, refuse, receive, inspect; resolve an
incident (a refund and/or the platform's resolution)."""

from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from oms.access.models import ApiClient
from oms.access.selectors import within_scope
from oms.api import idempotency
from oms.api.errors import ErrorSerializer
from oms.api.idempotency import idempotent
from oms.errors import NotFound
from orders.actions import Actor
from orders.models import Order
from returns import actions, selectors
from returns.api.serializers import (
    InspectReturnSerializer,
    NewReturnSerializer,
    ReceiveReturnSerializer,
    RefuseReturnSerializer,
    ResolveIncidentSerializer,
    ReturnSerializer,
)
from returns.filters import ReturnFilter

ACT = ["returns.act_on_return"]
REFUND = "orders.act_on_order"  # a refund asks the same role as on the return's page
IDEMPOTENCY_KEY = idempotency.PARAMETER
RETURN_EXAMPLE = OpenApiExample(
    "A return being received",
    value={
        "id": 12,
        "number": "RET-0000012",
        "order": 4711,
        "order_reference": "FD-98231-A",
        "platform": "mirakl",
        "status": "received",
        "source": "marketplace",
        "marketplace_return_id": "FD-98231-A-R1",
        "marketplace_state": "IN_PROGRESS",
        "reason": "damaged",
        "requested_at": "2026-11-20T09:12:00Z",
        "respond_by": "2026-11-22T09:12:00Z",
        "late_request": False,
        "refusal_reason": "",
        "carrier": "colissimo",
        "tracking_number": "8R00000000001",
        "warehouse": "lyon",
        "lines": [
            {
                "id": 31,
                "order_line": 9001,
                "marketplace_line_id": "FD-98231-A-1",
                "sku": "BOUILL-INOX-17",
                "quantity": 2,
                "reason": "damaged",
                "note": "Boîte écrasée",
                "quantity_received": 2,
                "units": [],
            }
        ],
        "created_at": "2026-11-20T09:13:00Z",
        "updated_at": "2026-11-23T15:40:00Z",
    },
    response_only=True,
)
NOT_ALLOWED = OpenApiExample(
    "Not at this step",
    value={
        "error": {
            "code": "illegal_transition",
            "message": "Return RET-0000012 is Requested: it cannot become Received.",
            "details": {"return": 12, "status": "requested", "to": "received"},
        }
    },
    response_only=True,
    status_codes=["409"],
)


@extend_schema_view(
    list=extend_schema(
        summary="List returns (newest first; the returns screen sorts by urgency)",
        description="Filters: platform, status (`open`: everything still to do), reason, deadline "
        "(`overdue`, `24`, `72` hours), warehouse code, late (requested after the return window), q "
        "(order or return number, marketplace ids, return tracking number). Cursor-paginated, newest first.",
        examples=[RETURN_EXAMPLE],
    ),
    retrieve=extend_schema(summary="One return with its lines and inspected units", examples=[RETURN_EXAMPLE]),
)
class ReturnViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = selectors.return_list()
    serializer_class = ReturnSerializer
    filterset_class = ReturnFilter
    api_resource = "returns"
    action_permissions = {
        "create": ACT,
        "authorise": ACT,
        "refuse": ACT,
        "receive": ACT,
        "inspect": ACT,
        "resolve": ACT,
    }

    def get_queryset(self):
        returns = selectors.return_api_list() if self.action == "list" else selectors.return_detail()
        return within_scope(returns, user=self.request.user, field="order__account")

    def _validated(self, serializer_class):
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _respond(self, return_id: int, status: int = 200) -> Response:
        found = selectors.return_detail().get(pk=return_id)
        return Response(ReturnSerializer(found, context=self.get_serializer_context()).data, status=status)

    def _actor(self):
        return Actor.of_user(self.request.user)

    @extend_schema(
        summary="Open a return (the buyer asked the seller directly)",
        description="Units of shipped lines only, never more than shipped and not already coming back "
        "(400 `invalid_input`, nothing changed). A request after the platform's return window is "
        "flagged (`late_request`), not refused. Sends the `return.created` webhook.",
        request=NewReturnSerializer,
        responses={201: ReturnSerializer, 400: ErrorSerializer, 404: ErrorSerializer, 409: ErrorSerializer},
        parameters=[IDEMPOTENCY_KEY],
        examples=[
            OpenApiExample(
                "One unit, damaged",
                value={"order": 4711, "lines": [{"order_line": 9001, "quantity": 1, "reason": "damaged"}]},
                request_only=True,
            ),
            RETURN_EXAMPLE,
        ],
    )
    @idempotent
    def create(self, request):
        data = self._validated(NewReturnSerializer)
        if not within_scope(Order.objects.filter(pk=data["order"]), user=request.user).exists():
            raise NotFound("No such order.", details={"order": data["order"]})
        found = actions.request_return(
            order_id=data["order"],
            lines=[
                actions.LineReturn(
                    order_line_id=line["order_line"],
                    quantity=line["quantity"],
                    reason=line["reason"],
                    note=line["note"],
                )
                for line in data["lines"]
            ],
            actor=self._actor(),
        )
        return self._respond(found.pk, status=201)

    @extend_schema(
        summary="Authorise a requested return",
        request=None,
        responses={200: ReturnSerializer, 400: ErrorSerializer, 409: ErrorSerializer},
        parameters=[IDEMPOTENCY_KEY],
        examples=[RETURN_EXAMPLE, NOT_ALLOWED],
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def authorise(self, request, pk=None):
        found = self.get_object()
        actions.authorise_return(return_id=found.pk, actor=self._actor())
        return self._respond(found.pk)

    @extend_schema(
        summary="Refuse a requested return, with the reason the buyer reads",
        request=RefuseReturnSerializer,
        responses={200: ReturnSerializer, 400: ErrorSerializer, 409: ErrorSerializer},
        parameters=[IDEMPOTENCY_KEY],
        examples=[OpenApiExample("Too late", value={"reason": "Past the return window"}, request_only=True)],
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def refuse(self, request, pk=None):
        found = self.get_object()
        data = self._validated(RefuseReturnSerializer)
        actions.refuse_return(return_id=found.pk, reason=data["reason"], actor=self._actor())
        return self._respond(found.pk)

    @extend_schema(
        summary="Receive the parcel: one scanned code (SKU or EAN) per unit",
        description="400 for a code the return does not expect, or more units than announced: nothing changed; "
        "409 when the return is not on its way (not authorised yet, or already received).",
        request=ReceiveReturnSerializer,
        responses={200: ReturnSerializer, 400: ErrorSerializer, 409: ErrorSerializer},
        parameters=[IDEMPOTENCY_KEY],
        examples=[
            OpenApiExample("Two kettles", value={"scanned": ["BOUILL-INOX-17", "BOUILL-INOX-17"]}, request_only=True),
            NOT_ALLOWED,
        ],
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def receive(self, request, pk=None):
        found = self.get_object()
        data = self._validated(ReceiveReturnSerializer)
        actions.receive_return(return_id=found.pk, scanned=data["scanned"], actor=self._actor())
        return self._respond(found.pk)

    @extend_schema(
        summary="Grade every received unit: sellable ones go back to stock, the others are written off",
        description="One grade per unit received (400 otherwise, nothing changed). Stock moves through the "
        "inventory ledger: a `returned` movement per sellable unit, a `written_off` one for the others.",
        request=InspectReturnSerializer,
        responses={200: ReturnSerializer, 400: ErrorSerializer, 409: ErrorSerializer},
        parameters=[IDEMPOTENCY_KEY],
        examples=[
            OpenApiExample(
                "One sellable, one damaged",
                value={
                    "units": [
                        {"line": 31, "grade": "sellable"},
                        {"line": 31, "grade": "damaged", "note": "Verseuse fêlée"},
                    ]
                },
                request_only=True,
            )
        ],
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def inspect(self, request, pk=None):
        found = self.get_object()
        data = self._validated(InspectReturnSerializer)
        actions.inspect_return(
            return_id=found.pk,
            grades=[actions.UnitGrade(unit["line"], unit["grade"], unit["note"]) for unit in data["units"]],
            actor=self._actor(),
        )
        return self._respond(found.pk)

    @extend_schema(
        summary="Resolve an incident: refund the buyer and/or give the platform's resolution reason",
        description="The same action as the incident's page: `refund` refunds what is left on the incident's "
        "lines (or `lines`, never more than was paid per line and per order: 400 `invalid`, nothing "
        "changed); `reason_code` is the platform's resolution reason (Mirakl: one of RE12's codes, 400 for "
        "another), sent with OR64 through the outbox after the refund. One of them is required (400). The "
        "incident is then closed; 409 `illegal_transition` when it is not an open incident (a return, or "
        "already resolved). A refund needs the role that refunds orders (403 otherwise).",
        request=ResolveIncidentSerializer,
        responses={200: ReturnSerializer, 400: ErrorSerializer, 403: ErrorSerializer, 409: ErrorSerializer},
        parameters=[IDEMPOTENCY_KEY],
        examples=[
            OpenApiExample(
                "Refund what is left and tell Mirakl",
                value={"reason_code": "11", "refund": True},
                request_only=True,
            ),
            OpenApiExample(
                "A goodwill amount on one line, no platform reason",
                value={
                    "refund": True,
                    "refund_reason": "Geste commercial",
                    "lines": [{"order_line": 9001, "amount": "10.00"}],
                },
                request_only=True,
            ),
            NOT_ALLOWED,
        ],
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def resolve(self, request, pk=None):
        found = self.get_object()
        data = self._validated(ResolveIncidentSerializer)
        wants_refund = data["refund"]
        if wants_refund and not isinstance(request.auth, ApiClient) and not request.user.has_perm(REFUND):
            raise PermissionDenied()
        lines = actions.lines_from_mapping(data["lines"]) if data.get("lines") else None
        reason_code = data["reason_code"].strip()
        actions.resolve_incident(
            return_id=found.pk,
            actor=self._actor(),
            reason_code=reason_code,
            reason_label=selectors.incident_close_reason_label(found, reason_code),
            refund=wants_refund,
            refund_lines=lines,
            with_shipping=data["with_shipping"],
            refund_reason=data["refund_reason"].strip(),
        )
        return self._respond(found.pk)
