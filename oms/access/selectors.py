"""Reads about API clients and account scopes; `within_scope` is the filter every reader applies."""

from __future__ import annotations

import hashlib

from django.db.models import Q, QuerySet

from oms.access.models import AccountScope, ApiClient

_CACHE_ATTR = "_oms_account_ids"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def active_client(token: str) -> ApiClient | None:
    """The unrevoked client holding this token, with its user; read on every request, so a
    revocation applies to the very next one."""
    return (
        ApiClient.objects.select_related("user").filter(token_hash=token_hash(token), revoked_at__isnull=True).first()
    )


def api_clients() -> list[ApiClient]:
    """Every client, newest first, each with `accounts`: the accounts it is limited to (None: every one)."""
    clients = list(
        ApiClient.objects.select_related("created_by", "user__account_scope")
        .prefetch_related("user__account_scope__accounts")
        .order_by("-created_at", "-id")
    )
    for client in clients:
        scope = getattr(client.user, "account_scope", None)
        client.accounts = list(scope.accounts.all()) if scope else None
    return clients


def marketplace_accounts() -> QuerySet:
    """Every marketplace account, through the scope's relation (the accounts' app sits above this one)."""
    return AccountScope._meta.get_field("accounts").related_model.objects.order_by("name")


def account_ids(user) -> frozenset[int] | None:
    """The accounts this user may see, or None for every account. One query, kept on the user
    object for the rest of the request."""
    if not hasattr(user, _CACHE_ATTR):
        ids = None
        if user.is_authenticated:
            rows = list(AccountScope.objects.filter(user_id=user.pk).values_list("accounts", flat=True))
            ids = frozenset(pk for pk in rows if pk is not None) if rows else None
        setattr(user, _CACHE_ATTR, ids)
    return getattr(user, _CACHE_ATTR)


def forget_account_ids(user) -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def within_scope(queryset: QuerySet, *, user, field: str = "account", unlinked: bool = False) -> QuerySet:
    """`queryset` limited to the rows of the accounts `user` may see, through `field` (a path to
    the account, "pk" for accounts themselves). `unlinked=True` keeps rows linked to no account
    (a stock movement that no order caused)."""
    ids = account_ids(user)
    if ids is None:
        return queryset
    if field == "pk":
        return queryset.filter(pk__in=ids)
    condition = Q(**{f"{field}__in": ids})
    if unlinked:
        condition |= Q(**{f"{field}__isnull": True})
    return queryset.filter(condition)


def scope_key(user) -> str:
    """A short text naming the user's scope, for cache keys shared between users."""
    ids = account_ids(user)
    return "all" if ids is None else ",".join(str(pk) for pk in sorted(ids))
