"""Faults injected on demand: for one account (optionally one operation), next N requests.

Kinds and their parameters:
- `http_error` (`status`: 500, 502 or 503): the platform's server-error body.
- `timeout` (`seconds`, `drop`): sleep, then answer normally, or close the connection
  without answering when `drop` is true.
  With `apply` true, an `http_error` or a `timeout` happens after the request took effect
  (the ambiguous outcome a retry must survive); without it an `http_error` or a dropped
  timeout never lands, and a late answer applies the request when it answers.
- `malformed_json`: a 200 whose body is not JSON.
- `truncated_json`: a 200 whose JSON body is cut in the middle.
- `duplicate_page`: the previous page of this operation is served again (list operations).
- `reordered_page`: the page's items in reverse order (list operations).
- `expired_token`: 401 as for an expired token, even with a fresh one.
- `clock_skew` (`seconds`): every timestamp of the body and the Date header shifted.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import threading
from dataclasses import asdict, dataclass
from typing import Any

KINDS = (
    "http_error",
    "timeout",
    "malformed_json",
    "truncated_json",
    "duplicate_page",
    "reordered_page",
    "expired_token",
    "clock_skew",
)
BEFORE_HANDLER = ("http_error", "timeout", "expired_token")
LIST_ONLY = ("duplicate_page", "reordered_page")
HTTP_ERROR_STATUSES = (500, 502, 503)

_ISO = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$")


@dataclass
class Fault:
    id: int
    account: str
    kind: str
    remaining: int
    operation: str | None = None
    status: int = 500
    seconds: float = 30.0
    drop: bool = False
    apply: bool = False  # http_error/timeout/expired_token: let the request take effect first

    def public(self) -> dict[str, Any]:
        return asdict(self)


class FaultBook:
    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def add(
        self,
        *,
        account: str,
        kind: str,
        count: int = 1,
        operation: str | None = None,
        status: int = 500,
        seconds: float = 30.0,
        drop: bool = False,
        apply: bool = False,
    ) -> Fault:
        """Register a fault. Raises ValueError on an unknown kind or status."""
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}")
        if kind == "http_error" and status not in HTTP_ERROR_STATUSES:
            raise ValueError(f"status must be one of {HTTP_ERROR_STATUSES}")
        if count < 1:
            raise ValueError("count must be at least 1")
        fault = Fault(
            id=next(self._ids),
            account=account,
            kind=kind,
            remaining=count,
            operation=operation,
            status=status,
            seconds=seconds,
            drop=drop,
            apply=apply,
        )
        with self._lock:
            self._faults.append(fault)
        return fault

    def take(self, *, account: str, operation: str, is_list: bool, is_token: bool) -> Fault | None:
        """Consume one use of the first fault matching this request, if any."""
        with self._lock:
            for fault in self._faults:
                if fault.account != account:
                    continue
                if fault.operation and fault.operation != operation:
                    continue
                if fault.kind in LIST_ONLY and not is_list:
                    continue
                if is_token and fault.kind in ("expired_token", "duplicate_page", "reordered_page"):
                    continue
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    def pending(self) -> list[dict]:
        with self._lock:
            return [fault.public() for fault in self._faults]

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()


def shift_timestamps(value: Any, seconds: float) -> Any:
    """A copy of a JSON value with every ISO 8601 instant moved by `seconds`."""
    if isinstance(value, dict):
        return {k: shift_timestamps(v, seconds) for k, v in value.items()}
    if isinstance(value, list):
        return [shift_timestamps(v, seconds) for v in value]
    if isinstance(value, str):
        match = _ISO.match(value)
        if match:
            base, fraction, zone = match.groups()
            moment = dt.datetime.fromisoformat(base) + dt.timedelta(seconds=seconds)
            return moment.strftime("%Y-%m-%dT%H:%M:%S") + (fraction or "") + zone
    return value


def reorder(body: Any, page_key: tuple[str, ...]) -> Any:
    """The body with the list at `page_key` reversed."""
    if not page_key or not isinstance(body, dict):
        return body
    head, rest = page_key[0], page_key[1:]
    copy = dict(body)
    if rest:
        copy[head] = reorder(body.get(head), rest)
    elif isinstance(body.get(head), list):
        copy[head] = list(reversed(body[head]))
    return copy
