"""Creating and revoking API clients, and setting the accounts a user may see."""

from __future__ import annotations

import datetime as dt
import secrets

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from oms.access import resources
from oms.access.models import AccountScope, ApiClient
from oms.access.selectors import forget_account_ids, token_hash
from oms.errors import DomainError

TOKEN_PREFIX = "oms_"
LAST_USED_EVERY = dt.timedelta(minutes=1)


@transaction.atomic
def create_api_client(*, name: str, scopes, account_ids=None, created_by=None) -> tuple[ApiClient, str]:
    """Create a client and its user; return the client and its token, which is stored only hashed
    and cannot be shown again. `account_ids=None`: every account. Raises DomainError on an empty
    name or an unknown scope."""
    name = (name or "").strip()
    if not name:
        raise DomainError("An API client needs a name.", details={"name": "required"})
    scopes = sorted(set(scopes))
    unknown = sorted(set(scopes) - set(resources.all_scopes()))
    if unknown:
        raise DomainError(f"Unknown scopes: {', '.join(unknown)}.", details={"scopes": unknown})
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    prefix = token[: len(TOKEN_PREFIX) + 8]
    user = get_user_model().objects.create_user(username=f"api-client-{prefix}", first_name=name[:150])
    client = ApiClient.objects.create(
        name=name, user=user, token_prefix=prefix, token_hash=token_hash(token), scopes=scopes, created_by=created_by
    )
    if account_ids is not None:
        set_account_scope(user=user, account_ids=account_ids)
    return client, token


def revoke_api_client(*, client_id: int) -> ApiClient:
    """Revoke a client: its token is refused from the next request on. Revoking twice changes nothing."""
    ApiClient.objects.filter(pk=client_id, revoked_at__isnull=True).update(revoked_at=timezone.now())
    try:
        return ApiClient.objects.get(pk=client_id)
    except ApiClient.DoesNotExist:
        raise DomainError("No such API client.", details={"client": client_id}) from None


def note_client_used(client: ApiClient) -> None:
    """Record that the client called the API, at most once a minute (no write on most requests)."""
    now = timezone.now()
    if client.last_used_at is not None and now - client.last_used_at < LAST_USED_EVERY:
        return
    ApiClient.objects.filter(pk=client.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_EVERY)
    ).update(last_used_at=now)
    client.last_used_at = now


@transaction.atomic
def set_account_scope(*, user, account_ids) -> None:
    """Limit `user` to these accounts (an empty list: none); `account_ids=None` lifts the limit."""
    if account_ids is None:
        AccountScope.objects.filter(user=user).delete()
    else:
        scope, _ = AccountScope.objects.get_or_create(user=user)
        scope.accounts.set(account_ids)
    forget_account_ids(user)
