"""Reply deadlines as data: how long a platform gives the seller to answer a buyer, and whether
weekends count, per platform (`orders.platforms.CAPABILITIES`), per Mirakl operator, per account.

`reply_by(since, policy, tz)` is plain arithmetic, no Django: hours are counted on every day, or,
when weekends do not count, only on Monday to Friday in the seller's time zone (a message received
on Saturday starts its clock on Monday at midnight).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from orders import platforms

# Mirakl operators whose own rule differs from the Mirakl default, recognised by their instance URL
# ("https://fnac.mirakl.net", the sandbox's ".../mirakl/fnac"). 48 h on Fnac, on working days:
# (unverified) from MARKETPLACES.md ("48 h on Fnac") and sellers' documentation, not from a spec.
OPERATOR_RULES: Mapping[str, tuple[int, bool]] = {"fnac": (48, False)}
UNVERIFIED_OPERATOR_RULES = frozenset(OPERATOR_RULES)


@dataclass(frozen=True)
class ReplyPolicy:
    hours: int
    counts_weekends: bool
    unverified: bool  # no official source confirms it (see MARKETPLACES.md)
    source: str  # "platform", "operator" or "account"


def operator_of(api_base_url: str) -> str:
    """The Mirakl operator an instance URL names ("" when none of the known ones)."""
    url = (api_base_url or "").lower()
    return next((name for name in OPERATOR_RULES if f"//{name}." in url or f"/mirakl/{name}" in url), "")


def policy_for(*, platform: str, api_base_url: str = "", override_hours=None, override_weekends=None) -> ReplyPolicy:
    """The platform's rule, the operator's for a known Mirakl operator, then the account's own override."""
    capabilities = platforms.CAPABILITIES[platform]
    hours, weekends = capabilities.reply_deadline_hours, capabilities.reply_deadline_counts_weekends
    unverified = bool({"reply_deadline_hours", "reply_deadline_counts_weekends"} & capabilities.unverified)
    source = "platform"
    operator = operator_of(api_base_url) if platform == platforms.MIRAKL else ""
    if operator:
        hours, weekends = OPERATOR_RULES[operator]
        unverified, source = operator in UNVERIFIED_OPERATOR_RULES, "operator"
    if override_hours is not None or override_weekends is not None:
        hours = override_hours if override_hours is not None else hours
        weekends = override_weekends if override_weekends is not None else weekends
        unverified, source = False, "account"
    return ReplyPolicy(hours=int(hours), counts_weekends=bool(weekends), unverified=unverified, source=source)


def _is_weekend(moment: dt.datetime) -> bool:
    return moment.weekday() >= 5


def reply_by(since: dt.datetime, policy: ReplyPolicy, tz: str | dt.tzinfo = "Europe/Paris") -> dt.datetime:
    """When a message received at `since` must be answered (an aware datetime, in UTC)."""
    if since.tzinfo is None:
        raise ValueError("reply_by needs an aware datetime")
    if policy.counts_weekends:
        return (since + dt.timedelta(hours=policy.hours)).astimezone(dt.UTC)
    zone = zoneinfo.ZoneInfo(tz) if isinstance(tz, str) else tz
    moment = since.astimezone(zone)
    remaining = dt.timedelta(hours=policy.hours)
    while True:
        if _is_weekend(moment):
            days_to_monday = 7 - moment.weekday()
            moment = dt.datetime.combine(moment.date() + dt.timedelta(days=days_to_monday), dt.time(), tzinfo=zone)
            continue
        midnight = dt.datetime.combine(moment.date() + dt.timedelta(days=1), dt.time(), tzinfo=zone)
        left_today = midnight - moment
        if remaining <= left_today:
            return (moment + remaining).astimezone(dt.UTC)
        remaining -= left_today
        moment = midnight


def describe(policy: ReplyPolicy) -> dict[str, Any]:
    return {"hours": policy.hours, "counts_weekends": policy.counts_weekends, "unverified": policy.unverified}
