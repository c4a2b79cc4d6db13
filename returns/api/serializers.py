"""The returns API's shapes: explicit fields, no logic (writes go through returns.actions)."""

from decimal import Decimal

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


class IncidentRefundLineSerializer(serializers.Serializer):
    order_line = StrictIntegerField(
        min_value=1, max_value=2**62, help_text="The order line's `id` (a line of the incident)."
    )
    amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal("0"), default=Decimal("0"), help_text="Items refunded."
    )
    shipping_amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal("0"), default=Decimal("0"), help_text="Shipping refunded."
    )
    quantity = StrictIntegerField(
        min_value=0, max_value=100000, default=0, help_text="Units refunded; 0 for an amount without units."
    )


class ResolveIncidentSerializer(serializers.Serializer):
    reason_code = StrictCharField(
        max_length=50,
        required=False,
        allow_blank=True,
        default="",
        help_text="The platform's resolution reason (Mirakl: an RE12 code, sent with OR64 after the refund).",
    )
    refund = serializers.BooleanField(
        default=False, help_text="Refund the buyer (what is left on the incident's lines)."
    )
    with_shipping = serializers.BooleanField(default=False, help_text="With the refund, the lines' shipping too.")
    refund_reason = StrictCharField(
        max_length=500, required=False, allow_blank=True, default="", help_text="The refund's reason on the timeline."
    )
    lines = IncidentRefundLineSerializer(
        many=True,
        required=False,
        allow_empty=False,
        max_length=500,
        help_text="With `refund`: the amounts per line; leave out to refund what is left on the incident's lines.",
    )
