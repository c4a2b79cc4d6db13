from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShippingConfig(AppConfig):
    name = "shipping"
    verbose_name = _("Shipping")

    def ready(self) -> None:
        from oms import audit
        from oms.access import resources
        from shipping import outbox_kinds  # noqa: F401  (declares the carrier.* outbox kinds)
        from shipping.models import Carrier, CarrierAccount, CarrierRule, CarrierService
        from shipping.paperwork import events  # noqa: F401  (declares the paperwork and packing event kinds)

        # Carriers, contracts, services and carrier rules are configuration people change: who changed
        # what, when. A contract's credentials are recorded as changed, never with their value.
        audit.track(Carrier)
        audit.track(CarrierService)
        audit.track(CarrierRule)
        audit.track(
            CarrierAccount,
            secret_fields=["credentials_ciphertext"],
            labels={"credentials_ciphertext": _("credentials")},
        )
        resources.declare("shipments", label=_("Shipments"))
        resources.declare("pick_lists", label=_("Pick lists"))
        resources.declare("packing_slips", label=_("Packing slips"))
        resources.declare("carrier_rules", label=_("Carrier rules"))
