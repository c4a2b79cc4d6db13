from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from marketplaces import credentials
from marketplaces.models import MarketplaceAccount, QuarantinedOrder


class MarketplaceAccountForm(forms.ModelForm):
    """Credentials are write-only: a new JSON object replaces them; empty keeps what is stored."""

    new_credentials = forms.JSONField(
        label=_("new credentials"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off"}),
        help_text=_('JSON, e.g. {"api_key": "…", "shop_id": "2001"}. Stored encrypted; never shown again.'),
    )

    class Meta:
        model = MarketplaceAccount
        fields = [
            "platform",
            "name",
            "enabled",
            "handling_days",
            "api_base_url",
            "auth_url",
            "settings",
            "poll_interval_seconds",
        ]

    def clean_new_credentials(self):
        value = self.cleaned_data.get("new_credentials")
        if value not in (None, "") and not isinstance(value, dict):
            raise forms.ValidationError(_("Credentials must be a JSON object."))
        return value

    def save(self, commit=True):
        account = super().save(commit=False)
        if self.cleaned_data.get("new_credentials"):
            account.credentials = self.cleaned_data["new_credentials"]
        if commit:
            account.save()
        return account


@admin.register(MarketplaceAccount)
class MarketplaceAccountAdmin(admin.ModelAdmin):
    form = MarketplaceAccountForm
    list_display = ("name", "platform", "enabled", "last_poll_succeeded_at", "consecutive_failures")
    list_filter = ("platform", "enabled")
    readonly_fields = ("stored_credentials", "cursor", "last_poll_succeeded_at", "last_poll_error")

    @admin.display(description=_("stored credentials"))
    def stored_credentials(self, account):
        try:
            return (
                ", ".join(f"{name}: {value}" for name, value in credentials.masked(account.credentials).items()) or "—"
            )
        except credentials.CredentialsUnreadable:
            return _("unreadable with the configured keys")


@admin.register(QuarantinedOrder)
class QuarantinedOrderAdmin(admin.ModelAdmin):
    list_display = ("account", "marketplace_order_id", "reason", "occurrences", "last_seen_at", "resolved")
    list_filter = ("resolved", "account")
