"""The sandbox's world: accounts, orders, tokens, stock, logs and the one clock.

Everything lives in memory behind `World.lock` (an RLock: handlers run under it, one
request at a time changes the world). The clock is real UTC time plus an offset that the
admin API can advance, and every time-dependent rule (expiry, Pending → Unshipped, token
lifetime, rate-limit refill, order generation) reads `World.now()`.

Orders are plain dicts (amounts as strings) in a platform-neutral shape; the platform
modules render them in each platform's wire format. `save`/`load` write and read a JSON
snapshot so that a restarted sandbox keeps its accounts, orders and tokens.
"""

from __future__ import annotations

import collections
import datetime as dt
import json
import os
import secrets
import threading
from dataclasses import asdict, dataclass, field
from typing import Any

from .faults import FaultBook
from .ratelimit import RateLimiter
from .wire import UTC, iso, to_jsonable

PLATFORMS = ("amazon", "ebay", "mirakl", "cdiscount")
REQUEST_LOG_SIZE = 20_000
STOCK_HISTORY_SIZE = 50_000

# Which credential fields identify an account on each platform.
IDENTIFYING_FIELDS = {
    "amazon": ("client_id", "client_secret", "refresh_token", "seller_id", "marketplace_id"),
    "ebay": ("client_id", "client_secret", "refresh_token"),
    "mirakl": ("api_key", "shop_id"),
    "cdiscount": ("client_id", "client_secret", "seller_id", "sales_channel_id"),
}


@dataclass
class Account:
    key: str
    platform: str
    name: str
    credentials: dict[str, str]
    operator: str | None = None  # Mirakl instance name (fnac, conforama, …)
    generation_interval: float | None = None  # seconds between generated orders; None = off
    next_generation_at: str | None = None  # ISO instant on the world clock
    rate_scale: float | None = None  # overrides the world's scale for this account
    rate_overrides: dict[str, list] = field(default_factory=dict)  # operation → [rate, burst]
    stock_rejections: dict[str, str] = field(default_factory=dict)  # SKU → reason its stock imports give

    def public(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class World:
    rate_scale: float = 1.0
    lock: threading.RLock = field(default_factory=threading.RLock)
    clock_offset: float = 0.0  # seconds added to real time (or to `frozen_at`)
    frozen_at: dt.datetime | None = None  # set while the clock is frozen
    accounts: dict[str, Account] = field(default_factory=dict)
    orders: dict[str, dict[str, dict]] = field(default_factory=dict)  # account → order id → order
    tokens: dict[str, dict] = field(default_factory=dict)  # access token → {account, expires_at}
    actions: dict[str, list[dict]] = field(default_factory=dict)  # "account/order" → applied actions
    stock: dict[str, dict[str, dict]] = field(default_factory=dict)  # account → sku → publication
    stock_history: list[dict] = field(default_factory=list)
    documents: dict[str, dict[str, dict]] = field(default_factory=dict)  # kind → id → record
    threads: dict[str, dict[str, dict]] = field(default_factory=dict)  # account → thread id → buyer conversation
    mailbox: list[dict] = field(default_factory=list)  # e-mails the sandbox received (Amazon's relay)
    requests: collections.deque = field(default_factory=lambda: collections.deque(maxlen=REQUEST_LOG_SIZE))
    counters: dict[tuple[str, str], dict[str, int]] = field(default_factory=dict)
    request_seq: int = 0
    last_pages: dict[tuple[str, str], tuple[bytes, dict]] = field(default_factory=dict)
    faults: FaultBook = field(default_factory=FaultBook)
    limiter: RateLimiter = field(default_factory=RateLimiter)
    state_path: str | None = None

    # ---- clock -------------------------------------------------------------------
    def now(self) -> dt.datetime:
        base = self.frozen_at if self.frozen_at is not None else dt.datetime.now(UTC)
        return base + dt.timedelta(seconds=self.clock_offset)

    def advance_clock(self, seconds: float) -> dt.datetime:
        with self.lock:
            self.clock_offset += seconds
            return self.now()

    def freeze_clock(self, frozen: bool) -> dt.datetime:
        """Stop (or restart) the clock: frozen, it only moves through `advance_clock`."""
        with self.lock:
            now = self.now()
            if frozen and self.frozen_at is None:
                self.frozen_at, self.clock_offset = now, 0.0
            elif not frozen and self.frozen_at is not None:
                self.frozen_at = None
                self.clock_offset = (now - dt.datetime.now(UTC)).total_seconds()
            return self.now()

    # ---- accounts ----------------------------------------------------------------
    def add_account(
        self, *, platform: str, name: str = "", credentials: dict, key: str | None = None, operator: str | None = None
    ) -> Account:
        """Create (or replace, same key) an account. Raises ValueError on bad input."""
        if platform not in PLATFORMS:
            raise ValueError(f"platform must be one of {PLATFORMS}")
        missing = [f for f in IDENTIFYING_FIELDS[platform] if not credentials.get(f)]
        if missing:
            raise ValueError(f"credentials lack {missing}")
        if platform == "mirakl" and not operator:
            raise ValueError("a mirakl account needs an operator")
        with self.lock:
            key = key or f"{platform}-{secrets.token_hex(4)}"
            account = Account(
                key=key,
                platform=platform,
                name=name or key,
                credentials={k: str(v) for k, v in credentials.items()},
                operator=operator,
            )
            self.accounts[key] = account
            self.orders.setdefault(key, {})
            return account

    def find_account(self, platform: str, **fields: str) -> Account | None:
        """The account of `platform` whose credentials hold every given field value."""
        for account in self.accounts.values():
            if account.platform != platform:
                continue
            if all(account.credentials.get(name) == value for name, value in fields.items()):
                return account
        return None

    # ---- tokens ------------------------------------------------------------------
    def issue_token(self, account: Account, lifetime: int, prefix: str) -> str:
        token = prefix + secrets.token_urlsafe(32)
        expires = self.now() + dt.timedelta(seconds=lifetime)
        self.tokens[token] = {"account": account.key, "expires_at": iso(expires)}
        return token

    def account_for_token(self, token: str) -> Account | None:
        """The account owning a live token; None when unknown or expired."""
        record = self.tokens.get(token)
        if not record:
            return None
        if record["expires_at"] <= iso(self.now()):
            return None
        return self.accounts.get(record["account"])

    def expire_tokens(self, account_key: str) -> int:
        count = 0
        for record in self.tokens.values():
            if record["account"] == account_key:
                record["expires_at"] = iso(self.now() - dt.timedelta(seconds=1))
                count += 1
        return count

    # ---- orders and actions ------------------------------------------------------
    def order(self, account_key: str, order_id: str) -> dict | None:
        return self.orders.get(account_key, {}).get(order_id)

    def is_order_id_taken(self, order_id: str) -> bool:
        return any(order_id in orders for orders in self.orders.values())

    def touch(self, order: dict) -> None:
        """Mark an order changed now, so the next incremental poll sees it."""
        order["updated_at"] = iso(self.now())

    def record_action(self, account_key: str, order_id: str, action: str, body: Any = None) -> None:
        self.actions.setdefault(f"{account_key}/{order_id}", []).append(
            {"action": action, "at": iso(self.now()), "body": to_jsonable(body)}
        )

    def publish_stock(self, account_key: str, sku: str, quantity: int, via: str) -> None:
        record = {"sku": sku, "quantity": quantity, "published_at": iso(self.now()), "via": via}
        self.stock.setdefault(account_key, {})[sku] = record
        self.stock_history.append({"account": account_key, **record})
        if len(self.stock_history) > STOCK_HISTORY_SIZE:
            del self.stock_history[: len(self.stock_history) - STOCK_HISTORY_SIZE]

    def new_document_id(self, kind: str, prefix: str) -> str:
        bucket = self.documents.setdefault(kind, {})
        while True:
            candidate = prefix + secrets.token_hex(6).upper()
            if candidate not in bucket:
                return candidate

    # ---- counters and request log ------------------------------------------------
    def count(self, account_key: str | None, operation: str, *, throttled: bool) -> None:
        entry = self.counters.setdefault((account_key or "-", operation), {"requests": 0, "throttled": 0})
        entry["requests"] += 1
        if throttled:
            entry["throttled"] += 1

    def log_request(self, entry: dict) -> None:
        self.request_seq += 1
        self.requests.append({"seq": self.request_seq, **entry})

    # ---- snapshot ----------------------------------------------------------------
    SNAPSHOT_FIELDS = (
        "clock_offset",
        "orders",
        "tokens",
        "actions",
        "stock",
        "stock_history",
        "documents",
        "threads",
        "mailbox",
    )

    def snapshot(self) -> dict:
        with self.lock:
            data = {name: to_jsonable(getattr(self, name)) for name in self.SNAPSHOT_FIELDS}
            # NextTokens share big id lists in memory; after a restart they are simply unknown.
            data["documents"].pop("amazon_next_tokens", None)
            data["accounts"] = [account.public() for account in self.accounts.values()]
            return data

    def save(self, path: str | None = None) -> None:
        """Write the snapshot atomically (temp file + rename)."""
        path = path or self.state_path
        if not path:
            return
        text = json.dumps(self.snapshot(), ensure_ascii=False)
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        temporary = f"{path}.tmp"
        with open(temporary, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temporary, path)

    def load(self, path: str) -> bool:
        """Read a snapshot written by `save`; False when the file does not exist."""
        if not os.path.exists(path):
            return False
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        with self.lock:
            for name in self.SNAPSHOT_FIELDS:
                if name in data:
                    setattr(self, name, data[name])
            self.accounts = {a["key"]: Account(**a) for a in data.get("accounts", [])}
            for key in self.accounts:
                self.orders.setdefault(key, {})
        return True

    def reset(self) -> None:
        """Forget everything except the rate scale (the admin API's reset)."""
        with self.lock:
            self.clock_offset, self.frozen_at = 0.0, None
            for name in (
                "accounts",
                "orders",
                "tokens",
                "actions",
                "stock",
                "documents",
                "counters",
                "last_pages",
                "threads",
            ):
                getattr(self, name).clear()
            self.stock_history.clear()
            self.mailbox.clear()
            self.requests.clear()
            self.faults.clear()
            self.limiter.clear()
