from typing import Literal

from django.utils.dateparse import parse_datetime
from rest_framework import serializers

from inventory import selectors
from inventory.models import Product, StockLevel, StockMovement
from oms.api.fields import StrictCharField


class StockLevelSerializer(serializers.ModelSerializer):
    warehouse = serializers.CharField(source="warehouse.code", read_only=True)
    available = serializers.IntegerField(read_only=True)

    class Meta:
        model = StockLevel
        fields = ["warehouse", "on_hand", "reserved", "available", "bin_location", "updated_at"]


class ChannelSerializer(serializers.Serializer):
    """One enabled account's publication of the SKU (selectors._with_channels)."""

    account = serializers.IntegerField(source="account_id", read_only=True)
    account_name = serializers.CharField(source="account", read_only=True)
    platform = serializers.CharField(read_only=True)
    state = serializers.SerializerMethodField(
        help_text="published: the platform confirmed the quantity; rejected: it refused the SKU (see reason); pending: not answered yet."
    )
    reason = serializers.CharField(
        read_only=True, help_text="The platform's reason for a rejection (or the last error)."
    )
    published_quantity = serializers.IntegerField(read_only=True, allow_null=True)
    published_at = serializers.DateTimeField(read_only=True, allow_null=True)

    def get_state(self, channel) -> Literal["published", "rejected", "pending"]:
        return selectors.publication_state(channel["outcome"])

    def to_representation(self, channel):
        # JSON from PostgreSQL carries the instant as text: parsed, it is written like every other instant.
        published_at = channel["published_at"] and parse_datetime(channel["published_at"])
        return super().to_representation({**channel, "published_at": published_at})


class ProductStockSerializer(serializers.ModelSerializer):
    on_hand = serializers.IntegerField(source="on_hand_total", read_only=True)
    reserved = serializers.IntegerField(source="reserved_total", read_only=True)
    available = serializers.IntegerField(source="available_total", read_only=True)
    low_stock = serializers.SerializerMethodField()
    levels = StockLevelSerializer(many=True, read_only=True)
    channels = ChannelSerializer(
        many=True, read_only=True, help_text="Per enabled marketplace account: published or not, and why."
    )

    class Meta:
        model = Product
        fields = [
            "id",
            "sku",
            "ean",
            "title",
            "on_hand",
            "reserved",
            "available",
            "low_stock_threshold",
            "low_stock",
            "levels",
            "channels",
        ]

    def get_low_stock(self, product) -> bool:
        return product.low_stock_threshold > 0 and product.available_total <= product.low_stock_threshold


class LevelResultSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="product.sku", read_only=True)
    warehouse = serializers.CharField(source="warehouse.code", read_only=True)
    available = serializers.IntegerField(read_only=True)

    class Meta:
        model = StockLevel
        fields = ["sku", "warehouse", "on_hand", "reserved", "available"]


class StockRowSerializer(serializers.Serializer):
    sku = StrictCharField(max_length=100)
    warehouse = StrictCharField(max_length=30, help_text="Warehouse code.")
    quantity = serializers.IntegerField(
        help_text="Set: the units counted (≥ 0). Adjust: units to add, negative to remove."
    )


class StockChangeSerializer(serializers.Serializer):
    items = StockRowSerializer(many=True, allow_empty=False, max_length=1000)
    reason = StrictCharField(max_length=500, help_text="Why; kept on every stock movement.")


class StockChangeResultSerializer(serializers.Serializer):
    levels = LevelResultSerializer(many=True)


class StockMovementSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="product.sku", read_only=True)
    warehouse = serializers.CharField(source="level.warehouse.code", read_only=True)
    actor = serializers.CharField(source="actor_display", read_only=True)

    class Meta:
        model = StockMovement
        fields = [
            "id",
            "created_at",
            "sku",
            "warehouse",
            "reason",
            "on_hand_change",
            "reserved_change",
            "on_hand_after",
            "reserved_after",
            "order",
            "purchase_order",
            "actor_type",
            "actor",
            "note",
        ]
