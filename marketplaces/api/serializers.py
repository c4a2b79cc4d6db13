from rest_framework import serializers

from marketplaces.models import MarketplaceAccount
from oms.outbox import OutboxMessage


class AccountHealthSerializer(serializers.ModelSerializer):
    """An account as its poller and its outbox see it; never its credentials."""

    outbox_waiting = serializers.IntegerField(read_only=True, help_text="Messages to this account not sent yet.")
    pushes_failed = serializers.IntegerField(
        read_only=True, help_text="Order pushes (accept, ship…) that failed and wait for a person."
    )
    other_failed = serializers.IntegerField(
        read_only=True, help_text="Other failed messages to this account (stock pushes, reports)."
    )
    quarantined = serializers.IntegerField(read_only=True, help_text="Orders the mapper could not read, unresolved.")

    class Meta:
        model = MarketplaceAccount
        fields = [
            "id",
            "platform",
            "name",
            "enabled",
            "handling_days",
            "poll_interval_seconds",
            "cursor",
            "next_poll_at",
            "last_poll_started_at",
            "last_poll_succeeded_at",
            "last_poll_error",
            "consecutive_failures",
            "outbox_waiting",
            "pushes_failed",
            "other_failed",
            "quarantined",
        ]
        read_only_fields = fields


class OutboxMessageSerializer(serializers.ModelSerializer):
    class Meta:
        model = OutboxMessage
        fields = [
            "id",
            "kind",
            "destination",
            "subject",
            "status",
            "attempts",
            "next_attempt_at",
            "last_error",
            "created_at",
            "sent_at",
        ]
        read_only_fields = fields
