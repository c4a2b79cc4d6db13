"""Changes an operator or admin makes to marketplace accounts and their queues."""

from django.db import transaction
from django.utils import timezone

from marketplaces.models import MarketplaceAccount, QuarantinedOrder


@transaction.atomic
def request_poll_now(*, account_id: int) -> None:
    """Make the account due now and queue its poll after commit (the lease keeps it to one poller)."""
    MarketplaceAccount.objects.filter(pk=account_id).update(next_poll_at=timezone.now())

    def queue():
        from marketplaces.tasks import poll_account

        poll_account.delay(account_id)

    transaction.on_commit(queue)


@transaction.atomic
def resolve_quarantined(*, quarantined_id: int) -> None:
    """An admin has dealt with a quarantined payload (fixed the product, told the platform…)."""
    QuarantinedOrder.objects.filter(pk=quarantined_id).update(resolved=True)
