"""Rule actions that apps above the rules declare, as apps declare outbox kinds.

The rules' own actions (accept, refuse, hold, tag, set priority) run when orders arrive. An app above
the rules can add an action that runs at another moment of an order's life, its *trigger*: messaging
declares "tell the buyer of a delay", run when an accepted order's ship-by date comes close. The rules
app stores, validates, evaluates and explains such a rule like any other (scope, conditions, first
match wins, a `RuleDecision` with the reason per condition); the declaring app says when the action can
apply to an order (`guard`), what it does (`act`), which orders its trigger looks at (`candidates`, for
the dry run), and offers at most a few choices as its parameters (`params`).

Declared in the declaring app's `AppConfig.ready()`; the rules app never imports it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from orders.actions import Actor
    from orders.models import Order
    from rules.models import Rule
    from rules.stock import Check

ORDER_RECEIVED = "order_received"  # the rules' own actions: run on new orders


@dataclass(frozen=True)
class ActionParam:
    """One choice an admin makes for a declared action; stored in `Rule.action_params[name]`."""

    name: str
    label: Any
    choices: Callable[[], list[tuple[str, str]]]  # (value, label), read when a form or a check needs them
    help_text: Any = ""
    required: bool = False
    empty_label: Any = "—"


@dataclass(frozen=True)
class DeclaredAction:
    name: str  # stored in Rule.action and RuleDecision.outcome: at most 20 characters
    label: Any  # the action, as the rule form lists it
    outcome_label: Any  # what a decision says it did
    trigger: str
    trigger_label: Any  # when it runs, as the rule list and the dry run say it
    guard: Callable[[Order], list[Check]]  # why it cannot apply to this order now (empty: it can)
    act: Callable[[Order, Rule, Actor], None]  # raises DomainError to refuse, changing nothing
    candidates: Callable[[], QuerySet[Order]]  # the orders its trigger would look at now
    params: tuple[ActionParam, ...] = field(default_factory=tuple)


_DECLARED: dict[str, DeclaredAction] = {}


def declare(action: DeclaredAction) -> DeclaredAction:
    if len(action.name) > 20:
        raise ValueError(f"a rule action's name has at most 20 characters: {action.name!r}")
    if action.trigger == ORDER_RECEIVED:
        raise ValueError("a declared rule action runs at a trigger of its own, not on new orders")
    _DECLARED[action.name] = action
    return action


def declared(name: str) -> DeclaredAction | None:
    return _DECLARED.get(name)


def declared_actions() -> list[DeclaredAction]:
    return list(_DECLARED.values())


def actions_of(trigger: str) -> list[str]:
    return [action.name for action in _DECLARED.values() if action.trigger == trigger]


def trigger_of(action: str) -> str:
    found = _DECLARED.get(action)
    return found.trigger if found else ORDER_RECEIVED


def choices() -> list[tuple[str, Any]]:
    """The declared actions as (name, label): `Rule.action`'s choices after the rules' own."""
    return [(action.name, action.label) for action in _DECLARED.values()]


def outcome_choices() -> list[tuple[str, Any]]:
    """What decisions of the declared actions say they did: `RuleDecision.outcome`'s choices after the rules' own."""
    return [(action.name, action.outcome_label) for action in _DECLARED.values()]


def param_label(action: str, name: str, value) -> str:
    """A stored parameter's value as the admin chose it (its label), or the value when no longer offered."""
    found = _DECLARED.get(action)
    param = next((param for param in found.params if param.name == name), None) if found else None
    if param is None or value in (None, ""):
        return str(param.empty_label) if param else ""
    return str(dict(param.choices()).get(str(value), value))


def trigger_label(action: str):
    """When a rule with this action runs, for a person."""
    found = _DECLARED.get(action)
    return found.trigger_label if found else _("When an order arrives")
