from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketplacesConfig(AppConfig):
    name = "marketplaces"
    verbose_name = _("Marketplaces")

    def ready(self) -> None:
        from marketplaces import (
            checks,  # noqa: F401  (registers the deploy check)
            outbox_kinds,  # noqa: F401  (declares the marketplace.* outbox kinds)
        )
