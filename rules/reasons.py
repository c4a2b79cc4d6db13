"""Why a rule holds or not, stored as a sentence template + parameters, read in the reader's language.

A `Reason` is what a condition's check says (`rules.stock.Check.reason`): an English
template marked for translation with `gettext_noop` (so the catalogue has it) and its
parameters. Decisions store `as_json()`; `render` turns one stored reason back into a
sentence through gettext, with money and statuses written the reader's way. Decisions
written before reasons had a shape are plain English sentences: shown as stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext

from oms.l10n import format_money
from orders.status import OrderStatus


@dataclass(frozen=True)
class Reason:
    template: str
    params: dict = field(default_factory=dict)

    def __str__(self) -> str:
        return render(self.as_json())

    def as_json(self) -> dict:
        return {"template": self.template, "params": self.params}


def money(amount: Decimal, currency: str) -> dict:
    """A money parameter: written with the reader's separators and the currency's symbol."""
    return {"amount": str(amount), "currency": currency}


def status(value: str) -> dict:
    """An order status parameter: its label in the reader's language."""
    return {"status": value}


def nested(reasons: list) -> dict:
    """Reasons inside a reason (why one rule of several did not match): joined with commas."""
    return {"reasons": [reason.as_json() if isinstance(reason, Reason) else reason for reason in reasons]}


def _param(value):
    if isinstance(value, dict) and "amount" in value:
        return format_money(value["amount"], value["currency"], whole_without_cents=True)
    if isinstance(value, dict) and "status" in value:
        return OrderStatus(value["status"]).label if value["status"] in OrderStatus.values else value["status"]
    if isinstance(value, dict) and "reasons" in value:
        return ", ".join(render(reason) for reason in value["reasons"])
    return value


def stored(reasons: list[Reason]) -> list[dict]:
    """Reasons as a decision keeps them (JSON)."""
    return [reason.as_json() for reason in reasons]


def render(stored) -> str:
    """One stored reason as a sentence in the active language."""
    if isinstance(stored, str):
        return stored
    params = {name: _param(value) for name, value in stored.get("params", {}).items()}
    return gettext(stored["template"]) % params if params else gettext(stored["template"])
