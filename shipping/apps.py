from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShippingConfig(AppConfig):
    name = "shipping"
    verbose_name = _("Shipping")

    def ready(self) -> None:
        from oms.access import resources
        from shipping import outbox_kinds  # noqa: F401  (declares the carrier.* outbox kinds)

        resources.declare("shipments", label=_("Shipments"))
