"""The returns API's shapes: explicit fields, no logic (writes go through returns.actions)."""

from rest_framework import serializers

from oms.api.fields import StrictCharField
from returns.models import Grade, ReturnLine, ReturnReason, ReturnRequest, ReturnUnit


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer; a string or a boolean is refused instead of read as a number."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class ReturnUnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReturnUnit
        fields = ["grade", "note", "inspected_at"]


class ReturnLineSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="order_line.sku", read_only=True)
    marketplace_line_id = serializers.CharField(source="order_line.marketplace_line_id", read_only=True)
    units = ReturnUnitSerializer(many=True, read_only=True)

    class Meta:
        model = ReturnLine
        fields = [
            "id",
            "order_line",
            "marketplace_line_id",
            "sku",
            "quantity",
            "reason",
            "note",
            "quantity_received",
            "units",
        ]


class ReturnSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    order_reference = serializers.CharField(source="order.reference", read_only=True)
    warehouse = serializers.SlugRelatedField(slug_field="code", read_only=True)
    lines = ReturnLineSerializer(many=True, read_only=True)

    class Meta:
        model = ReturnRequest
        fields = [
            "id",
            "number",
            "order",
            "order_reference",
            "platform",
            "status",
            "kind",
            "source",
            "marketplace_return_id",
            "marketplace_state",
            "reason",
            "requested_at",
            "respond_by",
            "late_request",
            "refusal_reason",
            "carrier",
            "tracking_number",
            "warehouse",
            "lines",
            "created_at",
            "updated_at",
        ]


class NewReturnLineSerializer(serializers.Serializer):
    order_line = StrictIntegerField(min_value=1, max_value=2**62, help_text="The order line's `id`.")
    quantity = StrictIntegerField(min_value=1, max_value=100000)
    reason = serializers.ChoiceField(choices=ReturnReason.choices, default=ReturnReason.OTHER)
    note = StrictCharField(max_length=500, required=False, allow_blank=True, default="")


class NewReturnSerializer(serializers.Serializer):
    order = StrictIntegerField(min_value=1, max_value=2**62, help_text="The order's `id`.")
    lines = NewReturnLineSerializer(many=True, allow_empty=False, max_length=500)


class RefuseReturnSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=500, help_text="Why; the buyer reads it.")


class ReceiveReturnSerializer(serializers.Serializer):
    scanned = serializers.ListField(
        child=StrictCharField(max_length=100),
        allow_empty=False,
        max_length=10000,
        help_text="One SKU or EAN per unit taken out of the parcel.",
    )


class UnitGradeSerializer(serializers.Serializer):
    line = StrictIntegerField(min_value=1, max_value=2**62, help_text="The return line's `id`.")
    grade = serializers.ChoiceField(choices=Grade.choices)
    note = StrictCharField(max_length=500, required=False, allow_blank=True, default="")


class InspectReturnSerializer(serializers.Serializer):
    units = UnitGradeSerializer(
        many=True, allow_empty=False, max_length=10000, help_text="One grade for every unit received."
    )
