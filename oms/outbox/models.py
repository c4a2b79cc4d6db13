from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    """An effect that must leave the system, written in the transaction of the change that causes it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")  # waiting for its next attempt
        SENDING = "sending", _("Sending")  # leased to a worker until `lease_until`
        SENT = "sent", _("Sent")
        DEAD = "dead", _("Failed")  # refused or out of attempts: waits for a person
        DISCARDED = "discarded", _("Discarded")  # a person gave up on it
        DONE_BY_HAND = "done_by_hand", _("Done by hand")  # a person did it on the other side (e.g. a platform's portal)

    kind = models.CharField(_("kind"), max_length=50, help_text="A declared kind, e.g. marketplace.accept")
    destination = models.CharField(_("destination"), max_length=100, help_text="Who hears it, e.g. marketplace:12")
    ordering_key = models.CharField(
        max_length=100, blank=True, help_text="Messages with the same key go out one after the other, in id order"
    )
    subject = models.CharField(_("about"), max_length=100, blank=True, help_text="What it is about, e.g. order:42")
    payload = models.JSONField(default=dict)
    idempotency_key = models.CharField(max_length=100, unique=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    lease_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"], name="outbox_message_due", condition=Q(status__in=["pending", "sending"])
            ),
            models.Index(fields=["ordering_key", "id"], name="outbox_message_ordering", condition=~Q(ordering_key="")),
            models.Index(fields=["subject", "id"], name="outbox_message_subject", condition=~Q(subject="")),
            models.Index(fields=["destination", "kind", "id"], name="outbox_message_destination"),
            models.Index(fields=["status", "id"], name="outbox_message_status"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.destination} [{self.status}]"
