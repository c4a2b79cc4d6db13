from rest_framework import serializers

from messaging.models import Message, Thread
from oms.api.fields import StrictBooleanField, StrictCharField


class ThreadSerializer(serializers.ModelSerializer):
    platform = serializers.CharField(source="account.platform", read_only=True)
    account_name = serializers.CharField(source="account.name", read_only=True)
    assignee = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = Thread
        fields = [
            "id",
            "platform",
            "account",
            "account_name",
            "platform_thread_id",
            "order",
            "marketplace_order_id",
            "buyer_name",
            "subject",
            "topic",
            "status",
            "needs_reply_since",
            "reply_by",
            "reply_by_from_platform",
            "assignee",
            "last_message_at",
            "updated_at",
        ]
        read_only_fields = fields


class MessageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Message
        fields = [
            "id",
            "direction",
            "author_name",
            "body",
            "attachments",
            "sent_at",
            "received_at",
            "delivery",
            "delivery_error",
            "response_seconds",
            "within_deadline",
        ]
        read_only_fields = fields


class ThreadDetailSerializer(ThreadSerializer):
    messages = MessageSerializer(many=True, read_only=True)

    class Meta(ThreadSerializer.Meta):
        fields = [*ThreadSerializer.Meta.fields, "messages"]
        read_only_fields = fields


class ThreadReplySerializer(serializers.Serializer):
    body = StrictCharField(min_length=3, max_length=50_000)
    seen_message_id = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The last message you read: refused with 409 answered_meanwhile if someone else answered since.",
    )
    force = StrictBooleanField(required=False, default=False, help_text="Send even if someone else answered since.")


class ThreadAssignSerializer(serializers.Serializer):
    assignee = serializers.IntegerField(allow_null=True, help_text="Id of an active user; null to unassign.")
