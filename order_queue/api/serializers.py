from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from marketplaces.models import Platform
from oms.api.fields import StrictCharField
from order_queue.forms import CARRIERS

from orders.models import Order, OrderEvent, OrderLine


class OrderLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrderLine
        fields = [
            "id",
            "marketplace_line_id",
            "sku",
            "ean",
            "marketplace_product_id",
            "title",
            "quantity",
            "quantity_shipped",
            "unit_price_amount",
            "total_amount",
            "shipping_amount",
            "tax_amount",
            "marketplace_status",
            "ship_by",
            "buyer_requested_cancel",
        ]


class OrderEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_display", read_only=True)

    class Meta:
        model = OrderEvent
        fields = ["id", "created_at", "kind", "actor_type", "actor", "from_status", "to_status", "message", "data"]


class ShippingAddressSerializer(serializers.Serializer):
    name = serializers.CharField(source="ship_name")
    company = serializers.CharField(source="ship_company")
    line1 = serializers.CharField(source="ship_line1")
    line2 = serializers.CharField(source="ship_line2")
    line3 = serializers.CharField(source="ship_line3")
    postal_code = serializers.CharField(source="ship_postal_code")
    city = serializers.CharField(source="ship_city")
    region = serializers.CharField(source="ship_region")
    country_code = serializers.CharField(source="ship_country")
    phone = serializers.CharField(source="ship_phone")
    relay_point_id = serializers.CharField()


class OrderSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    platform = serializers.ChoiceField(source="account.platform", choices=Platform.choices, read_only=True)
    account_name = serializers.CharField(source="account.name", read_only=True)
    shipping_address = ShippingAddressSerializer(source="*", read_only=True)
    lines = OrderLineSerializer(many=True, read_only=True)
    assignee = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True, help_text="Username; null while unassigned."
    )
    next_deadline = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="Acceptance deadline while to accept, ship-by while to ship."
    )

    class Meta:
        model = Order
        fields = [
            "id",
            "number",
            "platform",
            "account",
            "account_name",
            "marketplace_order_id",
            "reference",
            "status",
            "marketplace_status",
            "channel",
            "purchased_at",
            "marketplace_updated_at",
            "acceptance_deadline",
            "ship_by",
            "deliver_by",
            "currency",
            "total_amount",
            "shipping_amount",
            "buyer_name",
            "buyer_email",
            "shipping_method",
            "is_prime",
            "is_business",
            "fulfilled_by_marketplace",
            "shipping_address",
            "carrier",
            "tracking_number",
            "lines",
            "assignee",
            "tags",
            "priority",
            "on_hold",
            "next_deadline",
            "created_at",
            "updated_at",
        ]


class OrderRuleDecisionSerializer(serializers.Serializer):
    rule = serializers.CharField(source="rule_name")
    outcome = serializers.CharField()
    reasons = serializers.ListField(child=serializers.CharField(), help_text="One sentence per condition")
    decided_at = serializers.DateTimeField(source="created_at")


class OrderDetailSerializer(OrderSerializer):
    events = OrderEventSerializer(many=True, read_only=True)
    rule_decisions = serializers.SerializerMethodField(help_text="What the order rules decided, newest first.")

    class Meta(OrderSerializer.Meta):
        fields = [*OrderSerializer.Meta.fields, "events", "rule_decisions"]

    @extend_schema_field(OrderRuleDecisionSerializer(many=True))
    def get_rule_decisions(self, order) -> list:
        # Prefetched by selectors.order_detail.
        return OrderRuleDecisionSerializer(order.rule_history, many=True).data


class ReasonSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=500, help_text="Why; shown on the order's timeline.")


class OptionalReasonSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=500, required=False, allow_blank=True, default="")


class ShipSerializer(serializers.Serializer):
    carrier = serializers.ChoiceField(choices=CARRIERS, help_text="One of the carriers the marketplaces are told about.")
    tracking_number = StrictCharField(max_length=100)


class AssignSerializer(serializers.Serializer):
    assignee = serializers.IntegerField(
        allow_null=True, help_text="Id of an active user; null to unassign."
    )


class TagSerializer(serializers.Serializer):
    tag = StrictCharField(max_length=50)
    reason = StrictCharField(max_length=500, required=False, allow_blank=True, default="")
