from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self) -> None:
        # The event types (each connects its receiver to the signal it listens to) and the outbox kind.
        from oms import audit
        from oms.access import resources
        from webhooks import events, outbox_kinds  # noqa: F401
        from webhooks.models import Endpoint

        # Who subscribed what where, and when secrets rotated; never the secrets themselves.
        audit.track(
            Endpoint,
            exclude=["updated_at"],
            secret_fields=["secrets_encrypted"],
            labels={"secrets_encrypted": _("secrets")},
        )
        resources.declare("webhooks", label=_("Webhooks"))
