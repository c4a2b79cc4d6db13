"""`SandboxAdmin`: a thin client of the sandbox's admin API (/_sandbox/), for tests and commands.

Every method returns the decoded JSON answer and raises `requests.HTTPError` on a 4xx/5xx.
"""

from __future__ import annotations

from typing import Any

import requests

from .demo import demo_account_urls


class SandboxAdmin:
    def __init__(self, url: str, *, timeout: float = 30.0):
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()

    def _call(self, method: str, path: str, json: Any = None, params: dict | None = None) -> Any:
        response = self.session.request(
            method, f"{self.url}/_sandbox{path}", json=json, params=params, timeout=self.timeout
        )
        response.raise_for_status()
        return response.json() if response.content else None

    # accounts
    def health(self) -> dict:
        return self._call("GET", "/health")

    def create_account(
        self, platform: str, credentials: dict, *, key: str | None = None, name: str = "", operator: str | None = None
    ) -> dict:
        return self._call(
            "POST",
            "/accounts",
            {"platform": platform, "credentials": credentials, "key": key, "name": name, "operator": operator},
        )

    def accounts(self) -> list[dict]:
        return self._call("GET", "/accounts")["accounts"]

    def account_urls(self, account: dict) -> dict:
        """{"api_base_url", "auth_url"} of an account on this sandbox."""
        return demo_account_urls(self.url, account)

    def set_generation(
        self, key: str, *, interval_seconds: float | None = None, orders_per_minute: float | None = None
    ) -> dict:
        return self._call(
            "PUT",
            f"/accounts/{key}/generation",
            {"interval_seconds": interval_seconds, "orders_per_minute": orders_per_minute},
        )

    def set_stock_rejections(self, key: str, rejections: dict[str, str]) -> dict:
        """SKU → reason: the account's stock imports report these SKUs as refused."""
        return self._call("PUT", f"/accounts/{key}/stock-rejections", {"rejections": rejections})

    def set_stock_import_status(self, submission_id: str, status: str) -> dict:
        """What a Mirakl stock import or a Cdiscount offer package reports as its status from now on."""
        return self._call("PUT", f"/stock-imports/{submission_id}", {"status": status})

    def expire_tokens(self, key: str) -> int:
        return self._call("POST", f"/accounts/{key}/expire-tokens")["expired"]

    # orders
    def generate_orders(self, key: str, count: int = 1, **options: Any) -> list[dict]:
        """Options: lines, skus, quantity, status, prime, business, relay, afn, buyer_cancels,
        short_acceptance, age_hours (placed that long ago, deadlines too), realistic (the demo mix
        of AFN, buyer cancels, short acceptance windows)."""
        return self._call("POST", f"/accounts/{key}/orders", {"count": count, **options})["orders"]

    def orders(self, key: str) -> list[dict]:
        return self._call("GET", f"/accounts/{key}/orders")["orders"]

    def order(self, key: str, order_id: str) -> dict:
        return self._call("GET", f"/accounts/{key}/orders/{order_id}")

    def order_actions(self, key: str, order_id: str) -> list[dict]:
        return self._call("GET", f"/accounts/{key}/orders/{order_id}/actions")["actions"]

    def account_actions(self, key: str) -> dict:
        return self._call("GET", f"/accounts/{key}/actions")["actions"]

    def buyer_cancel(self, key: str, order_id: str, reason: str = "") -> dict:
        return self._call("POST", f"/accounts/{key}/orders/{order_id}/buyer-cancel", {"reason": reason})

    def open_return(
        self, key: str, order_id: str, *, reason_code: str = "", quantity: int | None = None, claim: bool = False
    ) -> dict:
        """The buyer opens a return on a delivered Mirakl or shipped Amazon order (`claim`: Amazon A-to-z)."""
        body = {"reason_code": reason_code, "quantity": quantity, "claim": claim}
        return self._call("POST", f"/accounts/{key}/orders/{order_id}/return", body)["return"]

    def open_incident(self, key: str, order_id: str, *, line_id: str | None = None, reason_code: str = "1") -> dict:
        """The buyer opens an incident on a shipped Mirakl line (the first one unless `line_id`)."""
        body = {"line_id": line_id, "reason_code": reason_code}
        return self._call("POST", f"/accounts/{key}/orders/{order_id}/incident", body)["line"]

    def close_incident(self, key: str, order_id: str, *, line_id: str | None = None) -> dict:
        """The operator closes a Mirakl incident on its side (the first open one unless `line_id`)."""
        return self._call("POST", f"/accounts/{key}/orders/{order_id}/incident/close", {"line_id": line_id})["line"]

    def stock(self, key: str) -> dict:
        return self._call("GET", f"/accounts/{key}/stock")

    # clock, logs, faults, limits
    def now(self) -> str:
        return self._call("GET", "/clock")["now"]

    def advance_clock(self, seconds: float) -> str:
        return self._call("POST", "/clock/advance", {"seconds": seconds})["now"]

    def freeze_clock(self, frozen: bool = True) -> str:
        """Frozen, the sandbox clock moves only through `advance_clock` (deterministic tests)."""
        return self._call("POST", "/clock/freeze", {"frozen": frozen})["now"]

    def requests(self, **filters: Any) -> list[dict]:
        """Filters: account, operation, platform, since, limit."""
        return self._call("GET", "/requests", params=filters)["requests"]

    def counters(self, account: str | None = None) -> dict:
        return self._call("GET", "/counters", params={"account": account} if account else None)

    def count(self, account: str, operation: str) -> dict:
        """{"requests": n, "throttled": n} of one account and operation (zeros when never called)."""
        for row in self.counters(account)["counters"]:
            if row["operation"] == operation:
                return {"requests": row["requests"], "throttled": row["throttled"]}
        return {"requests": 0, "throttled": 0}

    def inject_fault(
        self,
        account: str,
        kind: str,
        *,
        count: int = 1,
        operation: str | None = None,
        status: int = 500,
        seconds: float = 30.0,
        drop: bool = False,
        apply: bool = False,
    ) -> dict:
        """`apply`: an http_error/timeout strikes after the request took effect (ambiguous outcome)."""
        return self._call(
            "POST",
            "/faults",
            {
                "account": account,
                "kind": kind,
                "count": count,
                "operation": operation,
                "status": status,
                "seconds": seconds,
                "drop": drop,
                "apply": apply,
            },
        )

    def faults(self) -> list[dict]:
        return self._call("GET", "/faults")["faults"]

    def clear_faults(self) -> None:
        self._call("DELETE", "/faults")

    def set_rate_scale(self, scale: float | None, *, account: str | None = None, refill: bool = True) -> dict:
        return self._call("PUT", "/rate-limits", {"scale": scale, "account": account, "refill": refill})

    def set_rate_limit(self, account: str, operation: str, rate: float | None, burst: int = 1) -> dict:
        """Replace one operation's (rate, burst) for one account; rate None restores the documented one."""
        limits = {operation: None if rate is None else [rate, burst]}
        account_row = self._call("GET", f"/accounts/{account}")
        return self._call(
            "PUT",
            "/rate-limits",
            {"account": account, "scale": account_row["rate_scale"], "limits": limits, "refill": True},
        )

    # buyer conversations
    def start_threads(self, key: str, count: int = 1, **options: Any) -> list[dict]:
        """Options: order_id (none: a question before purchase), topic, body."""
        return self._call("POST", f"/accounts/{key}/threads", {"count": count, **options})["threads"]

    def threads(self, key: str) -> list[dict]:
        return self._call("GET", f"/accounts/{key}/threads")["threads"]

    def buyer_writes(self, key: str, thread_id: str, body: str, files: list[dict] | None = None) -> dict:
        """`files`: [{"name", "content_type", "content_base64"}], attached to the buyer's message."""
        payload = {"body": body, **({"files": files} if files else {})}
        return self._call("POST", f"/accounts/{key}/threads/{thread_id}/messages", payload)

    def configure_mail(self, *, smtp: str | None, seller_address: str, listen_port: int = 0) -> dict:
        """Amazon's mail relay: where buyer mail goes, and the port that takes the seller's replies."""
        return self._call("PUT", "/mail", {"smtp": smtp, "seller_address": seller_address, "listen_port": listen_port})

    def reset(self) -> None:
        self._call("POST", "/reset")
