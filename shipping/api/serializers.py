"""The shipments and carriers API's representations (explicit fields, no logic)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from oms.api.fields import StrictBooleanField, StrictCharField
from shipping.models import Carrier, CarrierService, Parcel, Shipment, ShipmentLine

MAX_ID = 2**63 - 1  # a bigint primary key


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


class NewShipmentLineSerializer(serializers.Serializer):
    order_line = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="The order line's `id` (lines[].id on the order)."
    )
    quantity = serializers.IntegerField(min_value=1, max_value=100_000)


class NewParcelSerializer(serializers.Serializer):
    weight_grams = serializers.IntegerField(min_value=1, max_value=1_000_000)
    length_mm = serializers.IntegerField(min_value=1, max_value=10_000, required=False, allow_null=True)
    width_mm = serializers.IntegerField(min_value=1, max_value=10_000, required=False, allow_null=True)
    height_mm = serializers.IntegerField(min_value=1, max_value=10_000, required=False, allow_null=True)
    lines = NewShipmentLineSerializer(
        many=True,
        required=False,
        help_text="What this parcel holds, if known (for every parcel or none, adding up to the shipment's "
        "lines): eBay and Amazon are then told every parcel as a package with its lines; otherwise they hear "
        "the first parcel's tracking number for every line.",
    )


class NewShipmentSerializer(serializers.Serializer):
    order = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="The order's `id`.")
    warehouse = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="The warehouse the parcels leave from."
    )
    service = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="A carrier service id (GET /api/v1/carriers/)."
    )
    carrier_account = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="A carrier account of the same carrier."
    )
    label_format = serializers.ChoiceField(choices=Parcel.LabelFormat.choices, default=Parcel.LabelFormat.PDF)
    lines = NewShipmentLineSerializer(many=True, allow_empty=False)
    parcels = NewParcelSerializer(many=True, allow_empty=False)
    request_label = StrictBooleanField(
        default=True, help_text="Ask the carrier for the labels at once (a worker does; poll the shipment)."
    )


class TrackingImportSerializer(serializers.Serializer):
    csv = StrictCharField(
        max_length=2_000_000,
        trim_whitespace=False,
        help_text="The file's text: a header row naming `order`, `carrier`, `tracking` and optionally `lines` "
        "(`SKU:units` pairs separated by `|`; empty: every unit not shipped yet), `,` or `;` separated.",
    )
    all_or_nothing = StrictBooleanField(
        default=False, help_text="Import nothing unless every row is valid (each row is checked either way)."
    )


class ImportedRowSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="The file's line number (the header is line 1).")
    order = serializers.CharField()
    tracking = serializers.CharField()
    shipment = serializers.IntegerField(allow_null=True, help_text="The shipment made; null when nothing was.")
    error = serializers.CharField(help_text="Why the row was refused, in the request's language; empty when fine.")


class TrackingImportReportSerializer(serializers.Serializer):
    applied = serializers.BooleanField(help_text="False: nothing was imported (all or nothing, and a row failed).")
    all_or_nothing = serializers.BooleanField()
    imported = serializers.IntegerField()
    failed = serializers.IntegerField()
    rows = ImportedRowSerializer(many=True)
