"""Read-only API for integrators and monitoring: marketplace accounts with their poll and outbox
health, and the outbox's messages (admins). Changing either stays in the UI and the admin."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from marketplaces import selectors
from marketplaces.api.serializers import AccountHealthSerializer, OutboxMessageSerializer
from marketplaces.filters import OutboxMessageFilter
from oms import outbox
from oms.access.selectors import within_scope

ADMIN = ["marketplaces.change_marketplaceaccount"]


@extend_schema_view(
    list=extend_schema(
        summary="Marketplace accounts and their health",
        description="Last poll, next poll, consecutive failures, messages waiting or failed, quarantined orders.",
    ),
    retrieve=extend_schema(summary="One marketplace account and its health"),
)
class AccountViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = selectors.accounts_with_health()
    serializer_class = AccountHealthSerializer
    api_resource = "accounts"  # API clients need accounts:read
    filter_backends = []
    pagination_class = None  # a seller has a handful of accounts

    def get_queryset(self):
        return within_scope(selectors.accounts_with_health(), user=self.request.user, field="pk")


@extend_schema_view(
    list=extend_schema(
        summary="Outbox messages (admins)",
        description="Every effect that leaves the system: marketplace pushes, carrier labels, webhook "
        "deliveries. Newest first; filter by status (`dead`: waiting for a person), kind, destination, subject.",
    ),
    retrieve=extend_schema(summary="One outbox message (admins)"),
)
class OutboxMessageViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = outbox.messages()
    serializer_class = OutboxMessageSerializer
    filterset_class = OutboxMessageFilter
    api_resource = "outbox"  # API clients need outbox:read
    read_permissions = ADMIN  # the outbox is an admin page, in the API too
