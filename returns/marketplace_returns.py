"""What the marketplaces hear of the returns their buyers opened: the `marketplace.return` push.

Mirakl has a returns API we read and answer (RT11, RT21 accept or refuse, RT25 receive, RT27 close);
eBay's Post-Order API (unverified: HTML pages only) is read and answered (decide, mark_as_received);
Amazon's returns (its returns report) and Cdiscount's claims (unverified format) are read and worked
here without telling the platform.
"""

from __future__ import annotations

import datetime as dt

RETURN_PUSH = "marketplace.return"
# Platforms whose returns we read and answer (eBay: Post-Order decide / mark_as_received, unverified).
ANSWERED_ON = ("mirakl", "ebay")
# Platforms whose returns we read (Amazon: its returns report; Cdiscount: its claims, unverified; no answer API).
READ_ON = ("mirakl", "amazon", "ebay", "cdiscount")
STEPS = ("accept", "refuse", "receive", "close", "resolve_incident")
# Platforms whose incidents we read and resolve (Mirakl: OR11 has_incident, OR64).
INCIDENTS_ON = ("mirakl",)
# How long the seller has to settle an incident: no Mirakl spec field or page gives it (unverified):
# the OMS's own target, so an incident is never left without a deadline in the queue.
INCIDENT_RESPONSE_TIME = {"mirakl": dt.timedelta(days=3)}
# Platforms that take a refund's reason only as one of their own codes, mapped from ours in the account's
# settings["reason_codes"] (Mirakl OR28 `reason_code*`, a REFUND reason of RE01; the spec shows no free code).
REASON_CODES_ON = ("mirakl",)
