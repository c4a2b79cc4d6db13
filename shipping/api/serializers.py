"""The shipments and carriers API's representations (explicit fields, no logic)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from shipping.models import Carrier, CarrierService, Parcel, Shipment, ShipmentLine


class ShipmentLineSerializer(serializers.ModelSerializer):
    marketplace_line_id = serializers.CharField(source="order_line.marketplace_line_id", read_only=True)
    sku = serializers.CharField(source="order_line.sku", read_only=True)

    class Meta:
        model = ShipmentLine
        fields = ["order_line", "marketplace_line_id", "sku", "quantity"]


class ParcelSerializer(serializers.ModelSerializer):
    tracking_url = serializers.CharField(read_only=True, help_text="The carrier's public tracking page, or empty.")
    has_label = serializers.SerializerMethodField(help_text="Download it at …/shipments/{id}/parcels/{parcel}/label/.")

    class Meta:
        model = Parcel
        fields = [
            "id",
            "tracking_number",
            "tracking_url",
            "weight_grams",
            "length_mm",
            "width_mm",
            "height_mm",
            "label_format",
            "has_label",
            "tracking_status",
            "tracking_description",
            "tracking_event_at",
        ]

    @extend_schema_field(serializers.BooleanField())
    def get_has_label(self, parcel) -> bool:
        return bool(parcel.has_label)


class ShipmentSerializer(serializers.ModelSerializer):
    order_number = serializers.CharField(source="order.number", read_only=True)
    carrier = serializers.SlugRelatedField(slug_field="code", read_only=True)
    lines = ShipmentLineSerializer(many=True, read_only=True)
    parcels = ParcelSerializer(many=True, read_only=True)

    class Meta:
        model = Shipment
        fields = [
            "id",
            "order",
            "order_number",
            "status",
            "origin",
            "carrier",
            "service",
            "carrier_account",
            "warehouse",
            "label_error",
            "lines",
            "parcels",
            "shipped_at",
            "delivered_at",
            "created_at",
            "updated_at",
        ]


class CarrierServiceSerializer(serializers.ModelSerializer):
    class Meta:
        model = CarrierService
        fields = ["id", "name", "kind", "product_code", "active"]


class CarrierSerializer(serializers.ModelSerializer):
    services = CarrierServiceSerializer(many=True, read_only=True)
    accounts = serializers.SerializerMethodField(help_text="The enabled carrier accounts (contracts): id and name.")

    class Meta:
        model = Carrier
        fields = [
            "id",
            "code",
            "name",
            "status",
            "status_note",
            "tracking_pattern",
            "tracking_url_template",
            "marketplace_codes",
            "services",
            "accounts",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_accounts(self, carrier) -> list[dict]:
        return [{"id": account.pk, "name": account.name} for account in carrier.accounts.all() if account.enabled]
