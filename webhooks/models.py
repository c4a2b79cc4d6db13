"""Webhook endpoints (where an ERP or a shop module wants to hear events) and their delivery log.

A delivery is an outbox message of kind `webhook.deliver` (one per endpoint per event);
`DeliveryAttempt` keeps what each attempt at it got back.
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from marketplaces import credentials


class Endpoint(models.Model):
    """A URL that receives the events it subscribes to, signed with its secrets."""

    url = models.URLField(_("URL"), max_length=500, help_text=_("Where events are POSTed (HTTPS in production)."))
    description = models.CharField(_("description"), max_length=200, blank=True)
    events = ArrayField(models.CharField(max_length=50), verbose_name=_("events"), default=list)
    active = models.BooleanField(_("active"), default=True, help_text=_("Switched off: nothing is sent to it."))
    # Encrypted like marketplace credentials: {"secrets": [newest, previous]}; two during a rotation.
    secrets_encrypted = models.TextField(editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self) -> str:
        return self.url

    @property
    def secrets(self) -> list[str]:
        """The active signing secrets, newest first (two while a rotation is under way)."""
        return credentials.decrypt(self.secrets_encrypted).get("secrets", [])

    @secrets.setter
    def secrets(self, secrets: list[str]) -> None:
        self.secrets_encrypted = credentials.encrypt({"secrets": list(secrets)})

    @property
    def rotating(self) -> bool:
        return len(self.secrets) > 1

    @property
    def destination(self) -> str:
        return f"webhook:{self.pk}"


class DeliveryAttempt(models.Model):
    """One HTTP attempt at a delivery: what the receiver answered, how fast, or why it failed."""

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="attempts")
    message = models.ForeignKey("oms.OutboxMessage", on_delete=models.CASCADE, related_name="webhook_attempts")
    event_id = models.UUIDField(_("event"))
    event_type = models.CharField(_("event type"), max_length=50)
    attempted_at = models.DateTimeField(_("attempted at"))
    status_code = models.PositiveSmallIntegerField(_("status code"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    response_excerpt = models.CharField(_("response"), max_length=500, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)

    class Meta:
        ordering = ["-attempted_at", "-id"]
        indexes = [models.Index(fields=["endpoint", "-attempted_at"], name="webhook_attempt_endpoint")]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id} → {self.status_code or self.error}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
