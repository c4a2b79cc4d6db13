from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self) -> None:
        # The event types (each connects its receiver to the signal it listens to) and the outbox kind.
        from webhooks import events, outbox_kinds  # noqa: F401
