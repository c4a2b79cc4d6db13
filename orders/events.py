"""What an order's timeline says, rendered in the reader's language.

An `OrderEvent` stores what happened: a kind and its parameters (JSON), never a
sentence. The sentence is rendered here, through gettext, each time someone
reads it (the order page, the API's `message` field), so past and future events
read in the language of whoever reads them. This module is the only renderer.

Adding an event kind (in any app; an app above orders declares its kinds in its
own `events.py`, imported by the actions that write them):

1. Declare it once: `PACKED = declare("packed", label=_("Packed"),
   template=_("Packed in %(parcels)s parcel(s) by %(packer)s."))`. The template
   names its parameters; the label is the timeline's heading for the kind.
2. Write it with `orders.actions.record_event(order=…, kind=PACKED, actor=…,
   params={"parcels": 2, "packer": "Lyon"})`: values, never text in English.
   Statuses are stored as their values (`from_status`, `to_status`, `status`),
   field names as names (`fields`), money as a string amount plus `currency`;
   they are shown with their translated labels and the reader's number format.
   A kind names its amounts with `money=("amount",)`: each is shown as the pages
   show money (`oms.l10n.format_money`, with the event's `currency`: `€119.80` in
   English, `119,80 €` in French), so its template does not name `%(currency)s`.
   Free text a person typed (`reason`) is stored as given and shown as given.
3. Add the French of the label and the template to locale/fr/LC_MESSAGES/django.po
   and compile; `tests/orders/test_events.py` renders every declared kind in
   French and fails on any English left.

Events written before kinds had parameters keep their old sentence in the
`legacy_text` parameter, shown as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from oms.l10n import SYMBOLS, format_money
from orders.models import Order, OrderEvent
from orders.status import OrderStatus


@dataclass(frozen=True)
class EventKind:
    label: Promise
    template: Promise
    formats: dict[str, Callable[[object], str]] = field(default_factory=dict)
    money: tuple[str, ...] = ()


KINDS: dict[str, EventKind] = {}


def declare(kind: str, *, label: Promise, template: Promise, formats=None, money: tuple[str, ...] = ()) -> str:
    """Make `kind` writable and readable; returns the kind, to name it as a constant.

    `formats` (parameter name → function of its value, returning text in the active
    language) shows the kind's own structured parameters, e.g. a list of shortages.
    `money` names the parameters that are amounts in the event's `currency`: they read
    as money reads on the pages, currency included.
    """
    if kind in KINDS:
        raise ImproperlyConfigured(f"Order event kind {kind!r} is declared twice.")
    KINDS[kind] = EventKind(label=label, template=template, formats=formats or {}, money=tuple(money))
    return kind


# From the marketplace.
RECEIVED = declare(
    "received",
    label=_("Received from the marketplace"),
    template=_("Received with the marketplace status “%(marketplace_status)s”."),
)
UPDATED = declare(
    "updated", label=_("Updated by the marketplace"), template=_("Changed on the marketplace: %(fields)s.")
)
STATUS_CHANGED = declare(
    "status_changed",
    label=_("Status changed by the marketplace"),
    template=_("The marketplace reports “%(marketplace_status)s”."),
)
STATUS_IGNORED = declare(
    "status_ignored",
    label=_("Marketplace status not applied"),
    template=_(
        "The marketplace reports “%(marketplace_status)s”; the order stays “%(from_status)s” "
        "(the marketplace may not have seen our last decision yet)."
    ),
)

# Decisions of operators and rules.
ACCEPTED = declare("accepted", label=_("Accepted"), template=_("The order was accepted."))
REFUSED = declare("refused", label=_("Refused"), template=_("The order was refused."))
CANCELLED = declare("cancelled", label=_("Cancelled"), template=_("The order was cancelled."))
SHIPPED = declare(
    "shipped", label=_("Shipped"), template=_("Shipped with %(carrier)s, tracking number %(tracking_number)s.")
)
DELIVERED = declare("delivered", label=_("Delivered"), template=_("The order was delivered."))
REFUNDED = declare("refunded", label=_("Refunded"), template=_("Refunded %(amount)s."), money=("amount",))

# Triage: our own annotations.
ASSIGNED = declare("assigned", label=_("Assigned"), template=_("Assigned to %(assignee)s."))
UNASSIGNED = declare("unassigned", label=_("Unassigned"), template=_("Nobody is assigned any more."))
TAGGED = declare("tagged", label=_("Tagged"), template=_("Tag “%(tag)s” added."))
UNTAGGED = declare("untagged", label=_("Tag removed"), template=_("Tag “%(tag)s” removed."))
PRIORITY_SET = declare("priority_set", label=_("Priority changed"), template=_("Priority set to %(priority)s."))
HELD = declare("held", label=_("Held for review"), template=_("Held for review: rules will not accept it."))
HOLD_RELEASED = declare("hold_released", label=_("Released from review"), template=_("No longer held for review."))

# What the marketplace did on its side (a refund or a cancellation it recorded).
_LINE = {"sku": lambda sku: sku or str(_("the whole order"))}
MARKETPLACE_REFUND = declare(
    "marketplace_refund",
    label=_("Refunded on the marketplace"),
    template=_("The marketplace recorded a refund of %(amount)s on %(sku)s."),
    money=("amount",),
    formats=_LINE,
)
MARKETPLACE_CANCELLATION = declare(
    "marketplace_cancellation",
    label=_("Cancelled on the marketplace"),
    template=_("The marketplace recorded a cancellation of %(amount)s on %(sku)s."),
    money=("amount",),
    formats=_LINE,
)

# What the outbox reports about a push to the marketplace.
PUSHED = declare("pushed", label=_("Sent to the marketplace"), template=_("Sent to %(account)s: %(push)s."))
PUSH_FAILED = declare(
    "push_failed",
    label=_("Not accepted by the marketplace"),
    template=_("Not accepted by %(account)s: %(push)s (%(error)s)."),
)

# A person's answer to a push that failed (a dead letter).
PUSH_RETRIED = declare("push_retried", label=_("Push sent again"), template=_("The %(push)s will be sent again."))
PUSH_DONE_BY_HAND = declare(
    "push_done_by_hand",
    label=_("Done by hand on the marketplace"),
    template=_("The %(push)s was done by hand on the marketplace; it will not be sent."),
)
PUSH_DISCARDED = declare(
    "push_discarded",
    label=_("Push discarded"),
    template=_("The %(push)s was discarded: the marketplace will not hear it."),
)

# What the outbox pushes for an order (its message kinds), named in a sentence.
PUSHES = {
    "accept": _("acceptance"),
    "refuse": _("refusal"),
    "cancel": _("cancellation"),
    "ship": _("shipping confirmation"),
    "refund": _("refund"),
}

WITH_REASON = _("%(event)s Reason: %(reason)s")

# Reasons stored as codes (a return's reason, say), shown by their label in the reader's language; any other
# reason is an operator's or a platform's own words, shown as they are. Apps above declare theirs.
REASON_LABELS: dict[str, object] = {}


def declare_reasons(choices) -> None:
    """`choices`: (code, lazy label) pairs, e.g. a TextChoices' `.choices`."""
    REASON_LABELS.update(dict(choices))


def reason_label(reason: str) -> str:
    return str(REASON_LABELS.get(reason, reason))


TRANSITION = _("%(from_status)s → %(to_status)s")


def label(kind: str) -> str:
    """The heading of a kind in the reader's language (the kind itself when no app declares it)."""
    declared = KINDS.get(kind)
    return str(declared.label) if declared else kind


def render(kind: str, params: dict) -> str:
    """The sentence for one event, in the active language.

    A parameter the template needs but the event lacks shows as "?" rather than
    failing the whole page; `legacy_text` (events older than their parameters)
    is shown as it is.
    """
    if params.get("legacy_text"):
        return params["legacy_text"]
    declared = KINDS.get(kind)
    if declared is None:
        return ""
    sentence = str(declared.template) % _Shown(params, declared.formats, declared.money)
    reason = reason_label((params.get("reason") or "").strip())
    return str(WITH_REASON) % {"event": sentence, "reason": reason} if reason else sentence


def describe(event: OrderEvent) -> str:
    """The sentence of an `OrderEvent` (its statuses count as parameters)."""
    return render(event.kind, {"from_status": event.from_status, "to_status": event.to_status, **event.params})


def transition(event: OrderEvent) -> str:
    """ "To accept → To ship", with the statuses' labels; empty when the event moved no status."""
    if not event.to_status:
        return ""
    if not event.from_status:
        return status_label(event.to_status)
    return str(TRANSITION) % {
        "from_status": status_label(event.from_status),
        "to_status": status_label(event.to_status),
    }


class _Shown(dict):
    """Parameters as a template shows them: labels for values, the reader's number format."""

    def __init__(self, params: dict, formats: dict, money: tuple[str, ...] = ()):
        super().__init__(params)
        self.formats = formats
        self.money = money

    def __getitem__(self, name: str) -> str:
        if name not in self:
            return "?"
        value = super().__getitem__(name)
        if name in self.money:
            return _money(value, self.get("currency") or "")
        shown = self.formats.get(name) or _FORMATS.get(name, str)
        return shown(value)


def status_label(value: str) -> str:
    """An order status's label in the active language (the value itself if unknown)."""
    try:
        return str(OrderStatus(value).label)
    except ValueError:
        return value


def _field_labels(names: list[str]) -> str:
    labels = []
    for name in names:
        try:
            labels.append(str(Order._meta.get_field(name).verbose_name))
        except FieldDoesNotExist:
            labels.append(name)
    return ", ".join(labels)


def _amount(value: str) -> str:
    try:
        return number_format(Decimal(value), decimal_pos=2, use_l10n=True, force_grouping=True)
    except (InvalidOperation, TypeError):
        return str(value)


def _money(value: str, currency: str) -> str:
    """An amount of the event as the pages show money, in the reader's language."""
    try:
        return format_money(Decimal(str(value)), str(currency))
    except (InvalidOperation, TypeError, ValueError):
        return str(value)


def _push(value: str) -> str:
    return str(PUSHES.get(value, value))


_FORMATS = {
    "from_status": status_label,
    "to_status": status_label,
    "status": status_label,
    "fields": _field_labels,
    "amount": _amount,
    "currency": lambda code: SYMBOLS.get(code, code),
    "push": _push,
}
