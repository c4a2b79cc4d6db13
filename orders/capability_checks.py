"""What a marketplace would refuse, checked before an action changes anything.

Each check reads the platform's facts as data (`orders.platforms`, `orders.carriers`)
and either says how to send the request in the form the platform accepts, or raises a
domain error whose message the UI and the API show as it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.utils.translation import gettext as _

from oms.errors import NotSupportedByPlatform
from orders import carriers
from orders.platforms import CAPABILITIES
from orders.status import OrderStatus


def check_cancel(*, platform: str, status: str) -> None:
    """Raise NotSupportedByPlatform for a cancel of an order waiting for acceptance where the
    platform only lets the seller refuse it."""
    if status == OrderStatus.PENDING_ACCEPTANCE and not CAPABILITIES[platform].cancel_before_acceptance:
        raise NotSupportedByPlatform(
            _("%(platform)s does not cancel an order waiting for acceptance: refuse it instead.")
            % {"platform": CAPABILITIES[platform].display_name},
            details={"platform": platform, "capability": "cancel_before_acceptance", "status": status},
        )


def cancel_lines(*, platform: str, lines: Iterable) -> list[dict]:
    """The lines a cancel of the whole order names on the wire.

    Each line and its quantity where the platform cancels line by line; none where it
    cancels whole orders only (eBay, Cdiscount), which is how those platforms take a
    cancel of every line.
    """
    if not CAPABILITIES[platform].line_level_cancel:
        return []
    return [
        {"line_id": line.marketplace_line_id, "quantity": line.quantity, "amount": str(line.total_amount)}
        for line in lines
    ]


def check_refund(*, platform: str, lines: Mapping[str, object], amounts: Mapping[str, Decimal]) -> None:
    """Raise NotSupportedByPlatform for a part of a line's amount where the platform refunds whole lines only.

    `lines`: marketplace line id → OrderLine; `amounts`: marketplace line id → amount to refund.
    """
    if CAPABILITIES[platform].partial_refund_amount:
        return
    partial = sorted(line_id for line_id, amount in amounts.items() if amount != lines[line_id].total_amount)
    if partial:
        raise NotSupportedByPlatform(
            _("%(platform)s refunds whole lines only: refund the full amount of line %(lines)s.")
            % {"platform": CAPABILITIES[platform].display_name, "lines": ", ".join(partial)},
            details={"platform": platform, "capability": "partial_refund_amount", "lines": partial},
        )


def carrier_choices(platform: str | None = None) -> list[tuple[str, str]]:
    """(code, name) of the carriers a platform takes; every carrier we know without a platform."""
    codes = carriers.PLATFORM_CARRIERS[platform] if platform else carriers.CARRIERS
    return [(code, carriers.CARRIER_NAMES[code]) for code in codes]
