from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketplacesConfig(AppConfig):
    name = "marketplaces"
    verbose_name = _("Marketplaces")

    def ready(self) -> None:
        # Imported for what they register: the deploy check, the marketplace.* outbox kinds.
        from marketplaces import checks, outbox_kinds  # noqa: F401
