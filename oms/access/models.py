from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiClient(models.Model):
    """An integration (ERP, shop module) calling the API with `Authorization: Bearer <token>`.

    Only the SHA-256 of the token is kept; its first characters (`token_prefix`) name it in lists.
    """

    name = models.CharField(_("name"), max_length=100)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_client")
    token_prefix = models.CharField(max_length=16, unique=True)
    token_hash = models.CharField(max_length=64, unique=True)
    scopes = ArrayField(
        models.CharField(max_length=60), default=list, blank=True, help_text="resource:read / resource:write"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")

    def __str__(self) -> str:
        return f"{self.name} ({self.token_prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def allows(self, resource: str | None, *, write: bool) -> bool:
        return resource is not None and f"{resource}:{'write' if write else 'read'}" in self.scopes


class AccountScope(models.Model):
    """The marketplace accounts a user may see and act on. No row: every account; a row without
    accounts: none."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account_scope")
    accounts = models.ManyToManyField("marketplaces.MarketplaceAccount", blank=True, related_name="+")

    class Meta:
        verbose_name = _("account scope")
        verbose_name_plural = _("account scopes")

    def __str__(self) -> str:
        return str(self.user)
