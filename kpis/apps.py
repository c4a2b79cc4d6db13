from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpisConfig(AppConfig):
    name = "kpis"
    verbose_name = _("Seller KPIs")

    def ready(self):
        # Imported for what they register: the alert e-mail outbox kind.
        from kpis import outbox_kinds  # noqa: F401
        from oms.access import resources

        resources.declare("kpis", label=_("Seller KPIs"))
