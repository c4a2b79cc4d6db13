"""The check a typed or imported tracking number passes before anything changes: a carrier the
order's platform takes, and a number in the format of that carrier's row (`Carrier.tracking_pattern`)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from oms.errors import InvalidInput
from orders.carriers import PLATFORM_CARRIERS, normalize_tracking
from orders.platforms import CAPABILITIES
from shipping.models import Carrier


def check_tracking(*, platform: str, carrier: str, tracking_number: str) -> tuple[Carrier, str]:
    """The carrier's row and the tracking number as the carrier writes it (no spaces or hyphens,
    upper case). Raises InvalidInput (details: field → messages) for a missing value, a carrier
    unknown, inactive or not taken by the platform, or a number without the carrier's format."""
    errors: dict[str, list[str]] = {}
    carrier = (carrier or "").strip()
    normalized = normalize_tracking(tracking_number)
    row = Carrier.objects.filter(code=carrier).first() if carrier else None
    if not carrier:
        errors["carrier"] = [_("A carrier is required.")]
    elif row is None or row.status == Carrier.Status.INACTIVE:
        errors["carrier"] = [_("%(carrier)s is not an active carrier.") % {"carrier": carrier}]
    elif carrier not in PLATFORM_CARRIERS[platform]:
        errors["carrier"] = [
            _("%(platform)s does not take the carrier %(carrier)s.")
            % {"platform": CAPABILITIES[platform].display_name, "carrier": carrier}
        ]
    if not normalized:
        errors["tracking_number"] = [_("A tracking number is required.")]
    elif "carrier" not in errors and not row.tracking_matches(normalized):
        errors["tracking_number"] = [
            _("%(tracking)s does not look like a %(carrier)s tracking number.")
            % {"tracking": tracking_number, "carrier": row.name}
        ]
    if errors:
        raise InvalidInput(" ".join(message for messages in errors.values() for message in messages), details=errors)
    return row, normalized
