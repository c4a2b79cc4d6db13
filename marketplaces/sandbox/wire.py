"""What travels on the wire: requests as the handlers see them, responses, JSON and dates.

Amounts are `Decimal` everywhere in the sandbox; `dumps` writes them as JSON numbers with
their exact digits (simplejson's `use_decimal`: going through float would lose cents).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs

import simplejson

UTC = dt.timezone.utc


@dataclass
class Request:
    """One HTTP request, with the path relative to the platform prefix."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-cased names
    body: bytes
    base_url: str = ""  # e.g. http://127.0.0.1:8765/ebay, for Location and next hrefs
    path_prefix: str = ""  # e.g. /mirakl/fnac

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    def args(self, name: str) -> list[str]:
        """All values of a repeated or comma-separated query parameter."""
        out: list[str] = []
        for value in self.query.get(name, []):
            out.extend(part for part in value.split(",") if part)
        return out

    def header(self, name: str, default: str = "") -> str:
        return self.headers.get(name.lower(), default)

    def json(self) -> Any:
        """The body as JSON with Decimal amounts. Raises ValueError on invalid JSON."""
        if not self.body:
            return None
        return simplejson.loads(self.body.decode("utf-8"), use_decimal=True)

    def form(self) -> dict[str, str]:
        parsed = parse_qs(self.body.decode("utf-8"), keep_blank_values=True)
        return {key: values[0] for key, values in parsed.items()}


@dataclass
class Response:
    status: int
    body: Any = None  # JSON-able object, bytes, or None for an empty body
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"
    # Where the list of a paginated answer sits in `body`, for the page faults.
    page_key: tuple[str, ...] = ()

    def encoded(self) -> bytes:
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        return dumps(self.body).encode("utf-8")


class ApiError(Exception):
    """Raised by handlers; the platform module turns it into its own error body."""

    def __init__(self, status: int, code: str, message: str, *, extra: dict | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra or {}


def dumps(value: Any) -> str:
    """JSON text with Decimal written as a number, exactly as stored."""
    return simplejson.dumps(value, use_decimal=True, ensure_ascii=False)


def to_jsonable(value: Any) -> Any:
    """A deep copy where Decimal becomes a string (for snapshots and the admin API)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    return value


def iso(moment: dt.datetime | None, *, millis: bool = False) -> str | None:
    """UTC ISO 8601 with a `Z`, the way all four platforms print instants."""
    if moment is None:
        return None
    moment = moment.astimezone(UTC)
    if millis:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> dt.datetime:
    """Parse an ISO 8601 instant; naive values are taken as UTC. Raises ValueError."""
    text = text.strip()
    if text.endswith("Z") or text.endswith("z"):
        text = text[:-1] + "+00:00"
    moment = dt.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def objects(value: Any) -> list[dict] | None:
    """`value` when it is a non-empty list of JSON objects, else None (the caller answers 400)."""
    if isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
        return value
    return None


def money(value: Any) -> Decimal:
    """Two-decimal Decimal from a stored amount (strings in the state, for snapshots)."""
    return Decimal(str(value)).quantize(Decimal("0.01"))
