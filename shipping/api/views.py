"""Shipments and carriers API: list, create (with lines and parcels), label download, void, hand over; carriers read."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from oms.access.selectors import within_scope
from oms.api import idempotency
from oms.api.errors import ErrorSerializer
from oms.api.idempotency import idempotent
from oms.errors import InvalidInput, NotFound
from orders.actions import Actor
from orders.models import Order
from shipping import actions, selectors, tracking_import
from shipping.api.serializers import (
    CarrierSerializer,
    NewShipmentSerializer,
    ShipmentSerializer,
    TrackingImportReportSerializer,
    TrackingImportSerializer,
)
from shipping.filters import ShipmentFilter
from shipping.models import Parcel

ACT = ["orders.act_on_order"]
IDEMPOTENCY_KEY = idempotency.PARAMETER
LABEL_TYPES = {Parcel.LabelFormat.PDF: "application/pdf", Parcel.LabelFormat.ZPL: "application/zpl"}

SHIPMENT_EXAMPLE = OpenApiExample(
    "Labelled",
    response_only=True,
    value={
        "id": 812,
        "order": 4211,
        "order_number": "OMS-0004211",
        "status": "labelled",
        "origin": "label",
        "carrier": "colissimo",
        "service": 1,
        "carrier_account": 1,
        "warehouse": 1,
        "label_error": "",
        "lines": [{"order_line": 9001, "marketplace_line_id": "L1", "sku": "MUG-TOUR-EIFFEL", "quantity": 2}],
        "parcels": [
            {
                "id": 977,
                "tracking_number": "6A12345678901",
                "tracking_url": "https://www.laposte.fr/outils/suivre-vos-envois?code=6A12345678901",
                "weight_grams": 900,
                "length_mm": None,
                "width_mm": None,
                "height_mm": None,
                "label_format": "PDF",
                "has_label": True,
                "tracking_status": "",
                "tracking_description": "",
                "tracking_event_at": None,
            }
        ],
        "shipped_at": None,
        "delivered_at": None,
        "created_at": "2026-11-23T10:00:00Z",
        "updated_at": "2026-11-23T10:00:04Z",
    },
)


@extend_schema_view(
    list=extend_schema(
        summary="List shipments (filter by order, status, carrier, origin, tracking number, updated since)",
        examples=[SHIPMENT_EXAMPLE],
    ),
    retrieve=extend_schema(summary="One shipment with its lines and parcels", examples=[SHIPMENT_EXAMPLE]),
)
class ShipmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = selectors.shipment_list()
    serializer_class = ShipmentSerializer
    filterset_class = ShipmentFilter
    api_resource = "shipments"
    action_permissions = {"create": ACT, "void": ACT, "hand_over": ACT, "tracking_import": ACT}

    def get_queryset(self):
        return within_scope(selectors.shipment_list(), user=self.request.user, field="order__account")

    def _actor(self) -> Actor:
        return Actor.of_user(self.request.user)

    def _respond(self, shipment_id: int, status_code: int = status.HTTP_200_OK) -> Response:
        shipment = selectors.shipment_list().get(pk=shipment_id)
        return Response(ShipmentSerializer(shipment, context=self.get_serializer_context()).data, status=status_code)

    @extend_schema(
        summary="Create a shipment of some units of an order, in parcels, and ask the carrier for its labels",
        description="The shipment starts as a draft; with `request_label` (the default) a worker asks the carrier "
        "for one label per parcel: the shipment becomes `label_requested`, then `labelled` (or `draft` again with "
        "the carrier's `label_error`). 400 (nothing changed) for a line that is not the order's or has fewer units "
        "left, a service and account of different carriers, a label format the carrier does not print; 409 for an "
        "order that cannot ship.",
        request=NewShipmentSerializer,
        responses={201: ShipmentSerializer, 400: ErrorSerializer, 404: ErrorSerializer, 409: ErrorSerializer},
        parameters=[IDEMPOTENCY_KEY],
        examples=[
            OpenApiExample(
                "Two units in one Colissimo parcel",
                request_only=True,
                value={
                    "order": 4211,
                    "warehouse": 1,
                    "service": 1,
                    "carrier_account": 1,
                    "label_format": "PDF",
                    "lines": [{"order_line": 9001, "quantity": 2}],
                    "parcels": [{"weight_grams": 900, "length_mm": 300, "width_mm": 200, "height_mm": 100}],
                },
            ),
            SHIPMENT_EXAMPLE,
        ],
    )
    @idempotent
    def create(self, request):
        serializer = NewShipmentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        get_object_or_404(within_scope(Order.objects.all(), user=request.user), pk=data["order"])
        lines: dict[int, int] = {}
        for line in data["lines"]:
            lines[line["order_line"]] = lines.get(line["order_line"], 0) + line["quantity"]
        shipment = actions.create_shipment(
            order_id=data["order"],
            warehouse_id=data["warehouse"],
            service_id=data["service"],
            carrier_account_id=data["carrier_account"],
            lines=lines,
            parcels=[_parcel(parcel) for parcel in data["parcels"]],
            label_format=data["label_format"],
            actor=self._actor(),
        )
        if data["request_label"]:
            actions.request_label(shipment_id=shipment.pk, actor=self._actor())
        return self._respond(shipment.pk, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Void a shipment that has not left",
        description="Its units can ship again; each label is voided at the carrier where it has a cancel call. "
        "409 once the shipment has left.",
        request=None,
        responses={200: ShipmentSerializer, 404: ErrorSerializer, 409: ErrorSerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def void(self, request, pk=None):
        shipment = self.get_object()
        actions.void_shipment(shipment_id=shipment.pk, actor=self._actor())
        return self._respond(shipment.pk)

    @extend_schema(
        summary="Hand a labelled shipment to the carrier",
        description="Its units are shipped: the order becomes partially shipped or shipped and the marketplace is "
        "told (a platform that ships whole orders only, when the last unit leaves). The carrier's first scan does "
        "the same. 409 for a shipment that is not labelled or packed.",
        request=None,
        responses={200: ShipmentSerializer, 404: ErrorSerializer, 409: ErrorSerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
    @action(detail=True, methods=["post"], url_path="hand-over")
    @idempotent
    def hand_over(self, request, pk=None):
        shipment = self.get_object()
        actions.hand_over_shipment(shipment_id=shipment.pk, actor=self._actor())
        return self._respond(shipment.pk)

    @extend_schema(
        summary="Import tracking numbers of orders shipped by a third-party warehouse (CSV)",
        description="Each row ships its order (or the units in `lines`) with the carrier and tracking number, "
        "checked as POST /orders/{id}/ship/ checks them; the report says what became of each row. Rows are "
        "independent, unless `all_or_nothing`: then a single refused row imports nothing (400, the report in "
        "`error.details`).",
        request=TrackingImportSerializer,
        responses={200: TrackingImportReportSerializer, 400: ErrorSerializer},
        parameters=[IDEMPOTENCY_KEY],
        examples=[
            OpenApiExample(
                "Two rows",
                request_only=True,
                value={
                    "csv": "order,carrier,tracking,lines\nOMS-0004211,colissimo,6A12345678901,\n"
                    "FD-98231-A,ups,1Z999AA10123456784,MUG-TOUR-EIFFEL:1\n",
                    "all_or_nothing": True,
                },
            ),
            OpenApiExample(
                "Report",
                response_only=True,
                value={
                    "applied": True,
                    "all_or_nothing": True,
                    "imported": 2,
                    "failed": 0,
                    "rows": [
                        {"row": 2, "order": "OMS-0004211", "tracking": "6A12345678901", "shipment": 812, "error": ""},
                        {
                            "row": 3,
                            "order": "FD-98231-A",
                            "tracking": "1Z999AA10123456784",
                            "shipment": 813,
                            "error": "",
                        },
                    ],
                },
            ),
        ],
    )
    @action(detail=False, methods=["post"], url_path="tracking-import")
    @idempotent
    def tracking_import(self, request):
        serializer = TrackingImportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = tracking_import.import_tracking(
            text=serializer.validated_data["csv"],
            actor=self._actor(),
            user=request.user,
            all_or_nothing=serializer.validated_data["all_or_nothing"],
        )
        data = TrackingImportReportSerializer(report).data
        if not report.applied:
            raise InvalidInput(
                _("%(failed)s of %(rows)s row(s) refused: nothing was imported.")
                % {"failed": report.failed, "rows": len(report.rows)},
                details=data,
            )
        return Response(data)

    @extend_schema(
        summary="Download a parcel's label (PDF or ZPL, as printed by the carrier)",
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="A PDF label"),
            (200, "application/zpl"): OpenApiResponse(OpenApiTypes.BINARY, description="A ZPL II label"),
            404: ErrorSerializer,
        },
    )
    @action(detail=True, methods=["get"], url_path=r"parcels/(?P<parcel_id>\d+)/label")
    def label(self, request, pk=None, parcel_id=None):
        shipment = self.get_object()
        parcel = Parcel.objects.filter(shipment=shipment, pk=int(parcel_id), label__isnull=False).first()
        if parcel is None:
            raise NotFound(
                _("Parcel %(parcel)s of shipment %(shipment)s has no label.")
                % {"parcel": parcel_id, "shipment": shipment.pk},
                details={"parcel": int(parcel_id)},
            )
        response = HttpResponse(bytes(parcel.label), content_type=LABEL_TYPES[parcel.label_format])
        extension = parcel.label_format.lower()
        response["Content-Disposition"] = f'attachment; filename="{parcel.tracking_number or parcel.pk}.{extension}"'
        return response


@extend_schema_view(
    list=extend_schema(summary="Carriers with their services, tracking-number pattern and marketplace codes"),
    retrieve=extend_schema(summary="One carrier"),
)
class CarrierViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = selectors.carrier_list()
    serializer_class = CarrierSerializer
    api_resource = "shipments"
    pagination_class = None

    def get_queryset(self):
        return selectors.carrier_list()


def _parcel(parcel: dict) -> dict:
    """A parcel as create_shipment takes it: its lines (repeated lines added up) as order line id → units."""
    contents: dict[int, int] = {}
    for line in parcel.pop("lines", None) or []:
        contents[line["order_line"]] = contents.get(line["order_line"], 0) + line["quantity"]
    return {**parcel, "lines": contents}
