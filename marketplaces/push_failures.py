"""What a failed push says, for the operator: our explanation in their language, the platform's words verbatim.

The marketplace senders (outbox_kinds.py) store a refusal as `failure_text(error)`:
"RejectedByMarketplace: [mirakl 400 CODE] the platform's message"; a push that ran out of
attempts keeps the last transient error, "[mirakl 503] …". `explain` reads either back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from marketplaces.connectors.errors import MarketplaceError

_STORED = re.compile(
    r"^(?:(?P<error>[A-Za-z]+): )?\[(?P<platform>[a-z_]+)(?: (?P<status>\d{3}))?(?: (?P<code>[^\]]+))?\] (?P<message>.*)$",
    re.DOTALL,
)

# Why the platform did not take it, by the connector's error class; said in the operator's language.
REASONS = {
    "RejectedByMarketplace": _("The marketplace refused it."),
    "InvalidRequest": _("It was not sent: the marketplace would refuse it."),
    "UnsupportedAction": _("The marketplace offers no such operation."),
    "AuthenticationFailed": _("The marketplace refused the account's credentials."),
}
# Raised by our connectors before or instead of a call: their text is ours, not the platform's.
REFUSED_HERE = ("InvalidRequest", "UnsupportedAction")
NO_ANSWER = _("The marketplace did not answer after several attempts.")
UNKNOWN = _("It could not be sent.")


@dataclass(frozen=True)
class PushFailure:
    reason: str  # ours, translated
    platform_message: str  # the platform's own words, verbatim ("" when it said nothing we kept)
    code: str  # the HTTP status and the platform's error code, e.g. "400 OR-ACCEPT"
    detail: str = ""  # our own text when the platform said nothing (refused here, a bug, a missing sender)


def failure_text(error: MarketplaceError) -> str:
    """How a refusal is stored on the dead letter (read back by `explain`)."""
    return f"{error.__class__.__name__}: {error}"


def explain(last_error: str) -> PushFailure:
    """Our reason and the platform's message, from a dead letter's `last_error`."""
    stored = _STORED.match(last_error or "")
    if stored is None:
        return PushFailure(reason=str(UNKNOWN), platform_message="", code="", detail=last_error)
    # Mirakl's code is its HTTP status: said once.
    code = " ".join(dict.fromkeys(part for part in (stored["status"], stored["code"]) if part))
    reason = str(REASONS.get(stored["error"], NO_ANSWER if stored["error"] is None else UNKNOWN))
    said = stored["message"].strip()
    if stored["error"] in REFUSED_HERE:
        return PushFailure(reason=reason, platform_message="", code=code, detail=said)
    return PushFailure(reason=reason, platform_message=said, code=code)
