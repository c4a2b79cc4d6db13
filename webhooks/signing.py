"""The `OMS-Signature` header: HMAC-SHA256 of `<timestamp>.<body>` with each active secret.

    OMS-Signature: t=1795000000,v1=<hex>[,v1=<hex with the previous secret, during a rotation>]

docs/webhooks.md shows receivers how to check it (and refuse a timestamp older than 5 minutes).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets as random_secrets
import time

HEADER = "OMS-Signature"
SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    return SECRET_PREFIX + random_secrets.token_urlsafe(32)


def signature(*, secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def signature_header(*, secrets: list[str], body: bytes, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    return ",".join([f"t={timestamp}", *(f"v1={signature(secret=s, timestamp=timestamp, body=body)}" for s in secrets)])
