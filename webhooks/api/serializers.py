from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from oms.api.fields import INSTANT_PATTERN, StrictBooleanField, StrictCharField, parse_instant
from oms.outbox import OutboxMessage
from webhooks import registry
from webhooks.actions import EndpointDefinition
from webhooks.models import DeliveryAttempt, Endpoint


class EventTypeField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=[name for name, _ in registry.choices()], **kwargs)


class EndpointSerializer(serializers.ModelSerializer):
    url = serializers.URLField(max_length=500, help_text="Where events are POSTed (http or https).")
    description = StrictCharField(max_length=200, required=False, allow_blank=True, default="")
    events = serializers.ListField(
        child=EventTypeField(), allow_empty=False, max_length=50, help_text="The event types it receives."
    )
    active = StrictBooleanField(required=False, default=True)
    rotating = serializers.BooleanField(
        read_only=True, help_text="Two secrets sign each delivery until the rotation is finished."
    )

    class Meta:
        model = Endpoint
        fields = ["id", "url", "description", "events", "active", "rotating", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]

    def validate_url(self, value: str) -> str:
        if "\x00" in value:  # PostgreSQL cannot store it
            raise serializers.ValidationError("Enter a valid URL.")
        return value

    def to_definition(self) -> EndpointDefinition:
        data = self.validated_data
        return EndpointDefinition(
            url=data["url"],
            events=tuple(data["events"]),
            description=data.get("description", ""),
            active=data.get("active", True),
        )


class EndpointWithSecretSerializer(EndpointSerializer):
    secret = serializers.SerializerMethodField(help_text="The new signing secret: shown this once, keep it.")

    class Meta(EndpointSerializer.Meta):
        fields = [*EndpointSerializer.Meta.fields, "secret"]

    def get_secret(self, endpoint) -> str:
        return self.context["secret"]


class DeliveryAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeliveryAttempt
        fields = ["attempted_at", "status_code", "duration_ms", "response_excerpt", "error"]


class DeliverySerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Use it to replay this delivery.")
    event_id = serializers.SerializerMethodField()
    event_type = serializers.SerializerMethodField()
    status = serializers.ChoiceField(
        choices=OutboxMessage.Status.choices,
        help_text="dead: refused, or no 2xx after every attempt (a dead letter).",
    )
    attempts = DeliveryAttemptSerializer(many=True, source="webhook_attempts.all", help_text="Newest first.")
    created_at = serializers.DateTimeField()
    sent_at = serializers.DateTimeField(allow_null=True)

    @extend_schema_field(serializers.UUIDField())
    def get_event_id(self, message) -> str:
        return message.payload["event"]["id"]

    def get_event_type(self, message) -> str:
        return message.payload["event"]["type"]


@extend_schema_field({"type": "string", "format": "date-time", "pattern": INSTANT_PATTERN})
class InstantSerializerField(serializers.Field):
    """An ISO 8601 instant PostgreSQL can store (see oms.api.fields.parse_instant), in UTC."""

    default_error_messages = {
        "invalid": "Enter a date and time in ISO 8601 with a UTC offset between -15:59 and +15:59."
    }

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        try:
            return parse_instant(data)
        except ValueError:
            self.fail("invalid")

    def to_representation(self, value):
        return value.isoformat()


class ReplaySerializer(serializers.Serializer):
    delivery = serializers.IntegerField(required=False, min_value=1, help_text="Replay this delivery.")
    since = InstantSerializerField(required=False, help_text="Replay every event delivered since then.")

    def validate(self, data):
        if ("delivery" in data) == ("since" in data):
            raise serializers.ValidationError("Give either delivery or since.")
        return data


class ReplayResultSerializer(serializers.Serializer):
    replayed = serializers.IntegerField(help_text="Deliveries queued.")


class TestEventResultSerializer(serializers.Serializer):
    delivery = serializers.IntegerField(
        help_text="The delivery queued; its attempts show in the endpoint's deliveries."
    )
