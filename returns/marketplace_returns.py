"""What the marketplaces hear of the returns their buyers opened: the `marketplace.return` push.

Only Mirakl has a returns API we read and answer (RT11, RT21 accept or refuse, RT25 receive, RT27
close); Amazon's returns report, eBay's Post-Order API and Octopia's claims have no stored spec
(unverified), so their returns are worked here without telling the platform.
"""

from __future__ import annotations

import datetime as dt

RETURN_PUSH = "marketplace.return"
ANSWERED_ON = ("mirakl",)  # platforms whose returns we read and answer
READ_ON = ("mirakl", "amazon")  # platforms whose returns we read (Amazon: its returns report, no answer API)
STEPS = ("accept", "refuse", "receive", "close", "resolve_incident")
# Platforms whose incidents we read and resolve (Mirakl: OR11 has_incident, OR64).
INCIDENTS_ON = ("mirakl",)
# How long the seller has to settle an incident: no Mirakl spec field or page gives it (unverified):
# the OMS's own target, so an incident is never left without a deadline in the queue.
INCIDENT_RESPONSE_TIME = {"mirakl": dt.timedelta(days=3)}
