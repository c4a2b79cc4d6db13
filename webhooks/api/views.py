"""Webhooks API (admins): endpoints, their secrets, their deliveries, test events and replays."""

from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from oms.api import idempotency
from oms.api.errors import ErrorSerializer
from oms.api.idempotency import idempotent
from webhooks import actions, selectors
from webhooks.api.serializers import (
    DeliverySerializer,
    EndpointSerializer,
    EndpointWithSecretSerializer,
    ReplayResultSerializer,
    ReplaySerializer,
    TestEventResultSerializer,
)

CHANGE = ["webhooks.change_endpoint"]
IDEMPOTENCY_KEY = idempotency.PARAMETER
ERP = {
    "url": "https://erp.example.com/oms/events",
    "description": "ERP",
    "events": ["order.created", "order.status_changed"],
}


@extend_schema_view(
    list=extend_schema(summary="List webhook endpoints"),
    retrieve=extend_schema(summary="One webhook endpoint"),
    create=extend_schema(
        summary="Add a webhook endpoint (the answer holds its signing secret, shown once)",
        description="Deliveries are signed: see the `OMS-Signature` header in docs/webhooks.md.",
        parameters=[IDEMPOTENCY_KEY],
        examples=[OpenApiExample("ERP", value=ERP, request_only=True)],
        responses={201: EndpointWithSecretSerializer, 400: ErrorSerializer},
    ),
    update=extend_schema(
        summary="Replace an endpoint's settings", responses={200: EndpointSerializer, 400: ErrorSerializer}
    ),
    partial_update=extend_schema(
        summary="Change some of an endpoint's settings", responses={200: EndpointSerializer, 400: ErrorSerializer}
    ),
    destroy=extend_schema(summary="Delete an endpoint (deliveries still queued for it are dropped)"),
)
class EndpointViewSet(viewsets.ModelViewSet):
    queryset = selectors.endpoint_list()
    api_resource = "webhooks"  # API clients need webhooks:read / webhooks:write
    serializer_class = EndpointSerializer
    filter_backends = []
    read_permissions = CHANGE  # webhooks are admin pages, in the API too
    action_permissions = {
        "create": ["webhooks.add_endpoint"],
        "update": CHANGE,
        "partial_update": CHANGE,
        "destroy": ["webhooks.delete_endpoint"],
        "rotate_secret": CHANGE,
        "finish_rotation": CHANGE,
        "test": CHANGE,
        "replay": CHANGE,
    }

    def _answer(self, endpoint, code=status.HTTP_200_OK, secret: str | None = None) -> Response:
        endpoint.refresh_from_db()
        if secret is None:
            return Response(EndpointSerializer(endpoint).data, status=code)
        return Response(EndpointWithSecretSerializer(endpoint, context={"secret": secret}).data, status=code)

    @idempotent
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        endpoint, secret = actions.create_endpoint(definition=serializer.to_definition(), created_by=request.user)
        return self._answer(endpoint, status.HTTP_201_CREATED, secret=secret)

    def update(self, request, *args, **kwargs):
        endpoint = self.get_object()
        partial = kwargs.pop("partial", False)
        serializer = self.get_serializer(endpoint, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        merged = {**EndpointSerializer(endpoint).data, **serializer.validated_data}
        complete = self.get_serializer(endpoint, data=merged)
        complete.is_valid(raise_exception=True)
        return self._answer(actions.update_endpoint(endpoint_id=endpoint.pk, definition=complete.to_definition()))

    def perform_destroy(self, instance):
        actions.delete_endpoint(endpoint_id=instance.pk)

    @extend_schema(
        summary="Start a secret rotation: a new secret signs too (shown once) until the rotation is finished",
        request=None,
        responses={200: EndpointWithSecretSerializer, 409: ErrorSerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    @idempotent
    def rotate_secret(self, request, pk=None):
        endpoint, secret = actions.rotate_secret(endpoint_id=self.get_object().pk)
        return self._answer(endpoint, secret=secret)

    @extend_schema(
        summary="Finish a rotation: only the newest secret signs",
        request=None,
        responses={200: EndpointSerializer, 409: ErrorSerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
    @action(detail=True, methods=["post"], url_path="finish-rotation")
    @idempotent
    def finish_rotation(self, request, pk=None):
        return self._answer(actions.finish_rotation(endpoint_id=self.get_object().pk))

    @extend_schema(
        summary="Send a test event (webhook.test) to this endpoint",
        request=None,
        responses={202: TestEventResultSerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def test(self, request, pk=None):
        message = actions.send_test_event(endpoint_id=self.get_object().pk, sent_by=request.user)
        return Response({"delivery": message.pk}, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Deliver again one delivery, or every event delivered since an instant (same event ids)",
        request=ReplaySerializer,
        responses={202: ReplayResultSerializer, 400: ErrorSerializer},
        parameters=[IDEMPOTENCY_KEY],
        examples=[
            OpenApiExample("One delivery", value={"delivery": 812}, request_only=True),
            OpenApiExample("Since", value={"since": "2026-11-23T08:00:00Z"}, request_only=True),
        ],
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def replay(self, request, pk=None):
        endpoint = self.get_object()
        serializer = ReplaySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if "delivery" in data:
            actions.replay_delivery(endpoint_id=endpoint.pk, delivery_id=data["delivery"])
            replayed = 1
        else:
            replayed = actions.replay_since(endpoint_id=endpoint.pk, since=data["since"])
        return Response({"replayed": replayed}, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="The endpoint's deliveries, newest first, each with its attempts",
        responses=DeliverySerializer(many=True),
    )
    @action(detail=True, methods=["get"])
    def deliveries(self, request, pk=None):
        page = self.paginate_queryset(selectors.deliveries(endpoint_id=self.get_object().pk))
        return self.get_paginated_response(DeliverySerializer(page, many=True).data)
