from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from shipping import carrier_choice
from shipping.models import Carrier, CarrierAccount, CarrierRule, CarrierService, Parcel, Shipment, ShipmentLine


@admin.register(Carrier)
class CarrierAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "status", "status_note"]
    list_filter = ["status"]
    search_fields = ["name", "code"]


class CarrierAccountForm(forms.ModelForm):
    """Credentials are typed as JSON and stored encrypted; the form never shows them back."""

    base_url = forms.URLField(label=_("API base URL"), assume_scheme="https")
    tracking_base_url = forms.URLField(label=_("tracking API base URL"), assume_scheme="https", required=False)
    new_credentials = forms.JSONField(
        label=_("new credentials"), required=False, help_text=_("JSON object; leave empty to keep the stored ones")
    )

    class Meta:
        model = CarrierAccount
        fields = ["carrier", "name", "base_url", "tracking_base_url", "sender", "enabled"]

    def save(self, commit=True):
        if self.cleaned_data.get("new_credentials"):
            self.instance.credentials = self.cleaned_data["new_credentials"]
        return super().save(commit)


@admin.register(CarrierAccount)
class CarrierAccountAdmin(admin.ModelAdmin):
    form = CarrierAccountForm
    list_display = ["name", "carrier", "base_url", "enabled"]
    list_filter = ["carrier", "enabled"]


@admin.register(CarrierService)
class CarrierServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "carrier", "kind", "product_code", "active"]
    list_filter = ["carrier", "kind", "active"]


class ShipmentLineInline(admin.TabularInline):
    model = ShipmentLine
    extra = 0
    raw_id_fields = ["order_line"]
    readonly_fields = ["order_line", "quantity"]


class ParcelInline(admin.TabularInline):
    model = Parcel
    extra = 0
    readonly_fields = ["tracking_number", "label_format", "weight_grams", "length_mm", "width_mm", "height_mm"]


@admin.register(Shipment)
class ShipmentAdmin(admin.ModelAdmin):
    """Read-only: shipments change through shipping.actions (the order's timeline records each change)."""

    list_display = ["id", "order", "service", "status", "created_at"]
    list_filter = ["status", "service__carrier"]
    raw_id_fields = ["order"]
    readonly_fields = [
        "order",
        "warehouse",
        "service",
        "carrier_account",
        "status",
        "label_error",
        "created_at",
        "updated_at",
    ]
    inlines = [ShipmentLineInline, ParcelInline]

    def has_add_permission(self, request):
        return False


class CarrierRuleForm(forms.ModelForm):
    class Meta:
        model = CarrierRule
        fields = ["name", "position", "enabled", "conditions", "service", "warehouse"]
        help_texts = {
            "conditions": _('e.g. [{"type": "country", "values": ["FR"]}, {"type": "max_weight", "grams": 2000}]')
        }

    def clean_conditions(self):
        conditions = self.cleaned_data["conditions"]
        carrier_choice.validate_conditions(conditions)
        return conditions


@admin.register(CarrierRule)
class CarrierRuleAdmin(admin.ModelAdmin):
    form = CarrierRuleForm
    list_display = ["name", "position", "enabled", "service", "warehouse"]
    list_editable = ["position", "enabled"]
    list_filter = ["enabled", "service__carrier"]
