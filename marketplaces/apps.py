from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketplacesConfig(AppConfig):
    name = "marketplaces"
    verbose_name = _("Marketplaces")

    def ready(self) -> None:
        # Imported for what they register: the deploy check, the marketplace.* outbox kinds.
        from marketplaces import checks, outbox_kinds  # noqa: F401
        from marketplaces.models import MarketplaceAccount
        from oms import audit
        from oms.access import resources

        # What an admin configures; the polling state that workers write stays out of the trail.
        audit.track(
            MarketplaceAccount,
            fields=[
                "platform",
                "name",
                "enabled",
                "handling_days",
                "api_base_url",
                "auth_url",
                "settings",
                "poll_interval_seconds",
            ],
            secret_fields=["credentials_ciphertext"],
            labels={"credentials_ciphertext": _("credentials")},
        )
        resources.declare("accounts", label=_("Marketplace accounts"))
        resources.declare("outbox", label=_("Outbox"))
