"""Marketplace credentials encrypted at rest (Fernet, with key rotation).

`OMS_CREDENTIALS_KEYS` is a comma-separated list of Fernet keys, newest first:
new secrets are encrypted with the first, any of them decrypts (MultiFernet).
To rotate, put a new key first, run `manage.py rotate_credentials`, then drop
the old key. Without the setting (development only: a system check warns in
production) a key is derived from SECRET_KEY.
"""

from __future__ import annotations

import base64
import hashlib
import json

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class CredentialsUnreadable(Exception):
    """The stored credentials cannot be decrypted with the configured keys."""


def _keys() -> list[bytes]:
    configured = [key.strip() for key in settings.OMS_CREDENTIALS_KEYS if key.strip()]
    if configured:
        return [key.encode() for key in configured]
    derived = hashlib.sha256(b"oms-credentials:" + settings.SECRET_KEY.encode()).digest()
    return [base64.urlsafe_b64encode(derived)]


def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key) for key in _keys()])


def encrypt(credentials: dict) -> str:
    return _fernet().encrypt(json.dumps(credentials, sort_keys=True).encode()).decode()


def decrypt(token: str) -> dict:
    if not token:
        return {}
    try:
        return json.loads(_fernet().decrypt(token.encode()))
    except InvalidToken as error:
        raise CredentialsUnreadable("credentials cannot be decrypted with OMS_CREDENTIALS_KEYS") from error


def rotate(token: str) -> str:
    """Re-encrypt with the newest key."""
    return _fernet().rotate(token.encode()).decode() if token else token


def masked(credentials: dict) -> dict:
    """What may be shown or logged: key names, never values."""
    return {name: "••••" + str(value)[-4:] if len(str(value)) > 12 else "••••" for name, value in credentials.items()}
