from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrderRulesConfig(AppConfig):
    name = "orders.rules"
    label = "order_rules"
    verbose_name = _("Order rules")
