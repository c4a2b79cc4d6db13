"""Connectors built for stored accounts: decrypted credentials, tokens shared through Redis."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from marketplaces import credentials as credential_store
from marketplaces.connectors import AccountConfig, Connector, connector_for
from marketplaces.models import MarketplaceAccount
from marketplaces.ratelimit import redis_client
from marketplaces.usage import CallGate


class RedisTokenStore:
    """Access tokens shared by every worker, encrypted like the credentials they come from."""

    @staticmethod
    def _key(key: str) -> str:
        return f"{settings.CACHES['default']['KEY_PREFIX']}:mktoken:{key}"

    def get(self, key: str) -> tuple[str, dt.datetime] | None:
        stored = redis_client().get(self._key(key))
        if stored is None:
            return None
        try:
            value = credential_store.decrypt(stored.decode())
        except credential_store.CredentialsUnreadable:
            return None
        return value["token"], dt.datetime.fromisoformat(value["expires_at"])

    def set(self, key: str, token: str, expires_at: dt.datetime) -> None:
        ttl = max(1, int((expires_at - dt.datetime.now(dt.UTC)).total_seconds()))
        encrypted = credential_store.encrypt({"token": token, "expires_at": expires_at.isoformat()})
        redis_client().set(self._key(key), encrypted, ex=ttl)


def account_config(account: MarketplaceAccount) -> AccountConfig:
    return AccountConfig(
        platform=account.platform,
        account_key=f"{account.platform}-{account.pk}",
        api_base_url=account.api_base_url,
        auth_url=account.auth_url,
        credentials=account.credentials,
        settings=account.settings,
    )


def quota_scope(account: MarketplaceAccount) -> str:
    """Whose quota a call spends: Amazon's is per seller and application, eBay's per
    application (shared by all its sellers), a Mirakl shop's per operator instance."""
    credentials = account.credentials
    if account.platform == "amazon":
        return f"amazon:{credentials.get('seller_id')}:{credentials.get('client_id')}"
    if account.platform == "ebay":
        return f"ebay:{credentials.get('client_id')}"
    if account.platform == "mirakl":
        return f"mirakl:{account.api_base_url}:{credentials.get('shop_id')}"
    return f"{account.platform}:{credentials.get('seller_id') or account.pk}"


def connector_for_account(account: MarketplaceAccount) -> Connector:
    """The account's connector: tokens shared through Redis, every call through the shared rate limiter."""
    gate = CallGate(account_id=account.pk, platform=account.platform, scope=quota_scope(account))
    return connector_for(account_config(account), token_store=RedisTokenStore(), call_gate=gate.before_call)
