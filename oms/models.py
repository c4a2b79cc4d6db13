from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from oms.access.models import AccountScope, ApiClient  # noqa: F401  (API clients and account scopes, in this app)
from oms.outbox.models import OutboxMessage  # noqa: F401  (the outbox core's model, in this app)


class IdempotencyRecord(models.Model):
    """The first response to a state-changing POST, replayed for the same `Idempotency-Key`."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    request_fingerprint = models.CharField(max_length=64, help_text="SHA-256 of method, path and body")
    response_status = models.PositiveSmallIntegerField()
    response_body = models.JSONField(null=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user")]
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.key}]"
