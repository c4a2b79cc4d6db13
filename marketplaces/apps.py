from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketplacesConfig(AppConfig):
    name = "marketplaces"
    verbose_name = _("Marketplaces")

    def ready(self) -> None:
        from marketplaces import checks  # noqa: F401  (registers the deploy check)
        from marketplaces import outbox_kinds  # noqa: F401  (declares the marketplace.* outbox kinds)
        from marketplaces.models import MarketplaceAccount
        from oms import audit

        # What an admin configures; the polling state that workers write stays out of the trail.
        audit.track(
            MarketplaceAccount,
            fields=["platform", "name", "enabled", "handling_days", "api_base_url", "auth_url", "settings", "poll_interval_seconds"],
            secret_fields=["credentials_ciphertext"],
            labels={"credentials_ciphertext": _("credentials")},
        )
