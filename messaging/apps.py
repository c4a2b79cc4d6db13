from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = _("Buyer messages")

    def ready(self) -> None:
        from messaging import outbox_kinds  # noqa: F401  (declares the messaging.reply outbox kind)
        from oms.access import resources

        resources.declare("messages", label=_("Buyer messages"))
