from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


class ReturnsConfig(AppConfig):
    name = "returns"
    verbose_name = _("Returns")

    def ready(self) -> None:
        from marketplaces import account_pages
        from oms import outbox
        from oms.access import resources
        from orders.models import MarketplaceAdjustment, OrderEvent
        from returns import actions, events, outbox_kinds  # noqa: F401  (declare the timeline and outbox kinds)
        from returns.marketplace_returns import REASON_CODES_ON

        resources.declare("returns", label=_("Returns"))
        account_pages.declare(label=_("Reason codes"), url_name="returns:reason_codes", platforms=REASON_CODES_ON)
        outbox.outbox_message_sent.connect(actions.record_refund_sent, dispatch_uid="returns.refund_sent")
        outbox.outbox_message_failed.connect(actions.record_refund_refused, dispatch_uid="returns.refund_refused")
        post_save.connect(
            actions.record_marketplace_refund, sender=MarketplaceAdjustment, dispatch_uid="returns.marketplace_refund"
        )
        post_save.connect(actions.recheck_resent_refund, sender=OrderEvent, dispatch_uid="returns.resent_refund")
