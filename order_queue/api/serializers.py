from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from marketplaces.models import Platform
from oms.api.fields import StrictCharField
from oms.errors import InvalidInput
from order_queue import selectors
from orders import capability_checks, events
from orders.models import Order, OrderEvent, OrderLine
from shipping.tracking_numbers import check_tracking


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
            "shipping_tax_amount",
            "discount_amount",
            "shipping_discount_amount",
            "fee_amount",
            "gift_wrap_amount",
            "gift_wrap_tax_amount",
            "marketplace_refunded_amount",
            "marketplace_cancelled_amount",
            "is_gift",
            "gift_message",
            "marketplace_status",
            "ship_by",
            "buyer_requested_cancel",
            "buyer_cancel_reason",
        ]


class OrderEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_display", read_only=True)
    message = serializers.SerializerMethodField(help_text="What happened, in the request's language (Accept-Language).")

    class Meta:
        model = OrderEvent
        fields = ["id", "created_at", "kind", "actor_type", "actor", "from_status", "to_status", "message", "params"]

    def get_message(self, event) -> str:
        return events.describe(event)


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
    money_warning = serializers.CharField(
        read_only=True, help_text="Why the marketplace's total does not equal its lines; empty when it does."
    )
    push_failed = serializers.BooleanField(
        read_only=True,
        help_text="A push of this order's decisions failed (refused, or no answer after every attempt) and waits "
        "for a person: see `pushes` on the order, then retry, mark-done or discard it.",
    )
    delivery_problem = serializers.BooleanField(
        read_only=True,
        help_text="The carrier reports a problem with one of the order's shipments, or returns it to the sender.",
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
            "tax_mode",
            "total_amount",
            "lines_total_amount",
            "money_warning",
            "items_amount",
            "tax_amount",
            "shipping_amount",
            "shipping_tax_amount",
            "discount_amount",
            "shipping_discount_amount",
            "fee_amount",
            "gift_wrap_amount",
            "gift_wrap_tax_amount",
            "refunded_amount",
            "marketplace_refunded_amount",
            "marketplace_cancelled_amount",
            "payment_method",
            "purchase_order_number",
            "earliest_ship_date",
            "earliest_delivery_date",
            "is_gift",
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
            "push_failed",
            "delivery_problem",
            "created_at",
            "updated_at",
        ]


class OrderRuleDecisionSerializer(serializers.Serializer):
    rule = serializers.CharField(source="rule_name")
    outcome = serializers.CharField()
    reasons = serializers.ListField(
        child=serializers.CharField(),
        source="sentences",
        help_text="One sentence per condition, in the request's language",
    )
    decided_at = serializers.DateTimeField(source="created_at")


class PushFailureSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="Why, in the request's language.")
    platform_message = serializers.CharField(help_text="The marketplace's own words, verbatim (may be empty).")
    code = serializers.CharField(help_text="HTTP status and the marketplace's error code, when it gave them.")
    detail = serializers.CharField(help_text="Our own technical text when the marketplace said nothing (may be empty).")


class OrderPushSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Use it to retry, mark-done or discard a failed push.")
    kind = serializers.CharField(help_text="marketplace.accept, marketplace.ship, …")
    status = serializers.CharField(
        help_text="pending, sending, sent, dead (failed: waits for a person), discarded or done_by_hand."
    )
    attempts = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    sent_at = serializers.DateTimeField(allow_null=True)
    failure = PushFailureSerializer(allow_null=True, help_text="Only on a failed push.")


class OrderDetailSerializer(OrderSerializer):
    events = OrderEventSerializer(many=True, read_only=True)
    rule_decisions = serializers.SerializerMethodField(help_text="What the order rules decided, newest first.")
    pushes = serializers.SerializerMethodField(
        help_text="What the order's decisions told its marketplace, oldest first."
    )

    class Meta(OrderSerializer.Meta):
        fields = [*OrderSerializer.Meta.fields, "events", "rule_decisions", "pushes"]

    @extend_schema_field(OrderPushSerializer(many=True))
    def get_pushes(self, order) -> list:
        return OrderPushSerializer(selectors.order_pushes(order), many=True).data

    @extend_schema_field(OrderRuleDecisionSerializer(many=True))
    def get_rule_decisions(self, order) -> list:
        # Prefetched by selectors.order_detail.
        return OrderRuleDecisionSerializer(order.rule_history, many=True).data


class ReasonSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=500, help_text="Why; shown on the order's timeline.")


class OptionalReasonSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=500, required=False, allow_blank=True, default="")


class ShipLineSerializer(serializers.Serializer):
    line_id = StrictCharField(max_length=100, help_text="The line's `marketplace_line_id`.")
    quantity = serializers.IntegerField(min_value=1, help_text="Units of the line in this shipment.")


class ShipSerializer(serializers.Serializer):
    # Checked as `shipping.actions.ship_order` checks it, for the order's platform (context["platform"]).
    carrier = serializers.ChoiceField(
        choices=capability_checks.carrier_choices(),
        help_text="Our carrier code; eBay and Cdiscount take only the carriers they have a code for.",
    )
    tracking_number = StrictCharField(
        max_length=100,
        help_text="In the format of the carrier's pattern (GET /api/v1/carriers/); spaces and hyphens are ignored.",
    )
    lines = ShipLineSerializer(
        many=True,
        required=False,
        allow_empty=False,
        help_text="The units in this parcel; leave out to ship every unit not shipped yet.",
    )

    def validate(self, data):
        try:
            _carrier, data["tracking_number"] = check_tracking(
                platform=self.context["platform"], carrier=data["carrier"], tracking_number=data["tracking_number"]
            )
        except InvalidInput as error:
            raise serializers.ValidationError(error.details) from error
        return data


class RefundLineSerializer(serializers.Serializer):
    line_id = serializers.CharField(max_length=100, help_text="The line's `marketplace_line_id`.")
    amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal("0"), default=Decimal("0"), help_text="Items refunded."
    )
    shipping_amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal("0"), default=Decimal("0"), help_text="Shipping refunded."
    )
    quantity = serializers.IntegerField(
        min_value=0, max_value=100000, default=0, help_text="Units coming back; 0 for a goodwill amount."
    )


class RefundSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=500, help_text="Why; shown on the order's timeline.")
    lines = RefundLineSerializer(
        many=True,
        required=False,
        allow_empty=False,
        help_text="Per line: units, items and shipping amounts; leave out to refund everything still refundable.",
    )


class AssignSerializer(serializers.Serializer):
    assignee = serializers.IntegerField(allow_null=True, help_text="Id of an active user; null to unassign.")


class TagSerializer(serializers.Serializer):
    tag = StrictCharField(max_length=50)
    reason = StrictCharField(max_length=500, required=False, allow_blank=True, default="")
