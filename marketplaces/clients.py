"""Connectors built for stored accounts: decrypted credentials, tokens shared through Redis."""

from __future__ import annotations

import datetime as dt

from marketplaces import credentials as credential_store
from marketplaces.connectors import AccountConfig, Connector, connector_for
from marketplaces.models import MarketplaceAccount
from marketplaces.ratelimit import redis_client

TOKEN_PREFIX = "mktoken:"


class RedisTokenStore:
    """Access tokens shared by every worker, encrypted like the credentials they come from."""

    def get(self, key: str) -> tuple[str, dt.datetime] | None:
        stored = redis_client().get(TOKEN_PREFIX + key)
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
        redis_client().set(TOKEN_PREFIX + key, encrypted, ex=ttl)


def account_config(account: MarketplaceAccount) -> AccountConfig:
    return AccountConfig(
        platform=account.platform,
        account_key=f"{account.platform}-{account.pk}",
        api_base_url=account.api_base_url,
        auth_url=account.auth_url,
        credentials=account.credentials,
        settings=account.settings,
    )


def connector_for_account(account: MarketplaceAccount) -> Connector:
    return connector_for(account_config(account), token_store=RedisTokenStore())
