"""The seller KPIs as data: what each metric counts, and each platform's threshold and window.

A metric is a ratio kept as daily buckets (numerator, denominator) per account. Its
definition is written twice, for people (the texts, shown in the dashboard's help) and for
PostgreSQL (SQL conditions over one row of *facts* per order, `kpis/facts.py`):

- `dated_by`: the fact whose day (UTC) puts an order in a bucket; a window of N days is the
  buckets of today and the N-1 days before it;
- `denominator`: which orders count; `numerator`: which of those are the "bad" (or "good",
  see `better`) ones. Both are SQL booleans over the facts, `%(now)s` being the instant of
  the computation;
- `at_stake`: open orders whose outcome is still undecided and would count within the
  horizon (a SQL condition, with `%(until)s` the end of the horizon), for the projection.

A platform's *targets* name a metric, a window and a threshold; the figures come from
../shared/MARKETPLACES.md ("Reply deadlines and seller KPIs"); `unverified` marks every figure
that no official source confirms (shown as such in the UI). Admins override the threshold and
window per account (`kpis.models.TargetSetting`).

Adding a metric is one `Metric(...)` below, plus its targets.

Two sources of facts: the orders (one row per order) and the buyers' waits for a reply
(`source=REPLIES`, one row per wait, `kpis/facts.py`: a buyer message, or several in a row, that
needs an answer, from when it needed one to our reply or to now). A metric in hours
(`unit=HOURS`, the median reply time) keeps in each bucket the sorted reply times of its day
(`distribution`), so a window's median is read exactly from the days' lists merged.
Chargebacks and negative feedback are not seen by the OMS: the order defect rate counts the
claims and incidents the platforms report (returns of kind "incident"), a lower bound of theirs.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from orders import platforms

LOWER = "lower"  # the rate must stay below the threshold
HIGHER = "higher"  # the rate must stay at or above the threshold

ORDERS = "orders"  # one row of facts per order
REPLIES = "replies"  # one row of facts per wait of a buyer for our reply

PERCENT = "percent"  # numerator / denominator, in percent
HOURS = "hours"  # the median of the bucket's distribution, in hours
# Where a value in hours stops (the standings' column holds 999.99).
MAX_HOURS = Decimal("999.99")

# SQL helpers over the facts (see kpis/facts.py for the columns).
_OURS = "NOT f.fulfilled_by_marketplace"
_OPEN_TO_SHIP = "f.status IN ('pending_acceptance', 'accepted')"


@dataclass(frozen=True)
class Metric:
    key: str
    label: Promise
    better: str
    # The definition for people (dashboard help, API docs).
    numerator_text: Promise
    denominator_text: Promise
    counted_text: Promise
    dated_text: Promise
    # The same for PostgreSQL.
    dated_by: str
    denominator: str
    numerator: str
    at_stake: str = ""
    # The projection in words, with count, hours, days, value, projected and threshold.
    at_stake_text: Promise | None = None
    # Whether an order at stake that goes wrong adds to the numerator (True) or only to the
    # denominator (False: a "good" order missed, for rates where higher is better).
    stake_adds_to_numerator: bool = True
    source: str = ORDERS
    unit: str = PERCENT
    # For a metric in hours: the SQL column (seconds) whose sorted values each bucket keeps.
    distribution: str = ""


METRICS: dict[str, Metric] = {
    metric.key: metric
    for metric in (
        Metric(
            key="late_shipment_rate",
            label=_("Late shipment rate"),
            better=LOWER,
            numerator_text=_("orders shipped after their ship-by date, or not shipped and past it"),
            denominator_text=_("orders due to ship: shipped, or past their ship-by date"),
            counted_text=_(
                "Orders we fulfil (not the marketplace's), neither cancelled nor refused, with a ship-by date. "
                "An order counts as shipped from its first shipment (a partial one too)."
            ),
            dated_text=_("the ship-by date"),
            dated_by="f.ship_by",
            denominator=(
                f"{_OURS} AND f.ship_by IS NOT NULL AND f.status NOT IN ('cancelled', 'refused', 'awaiting_payment') "
                "AND (f.shipped_at IS NOT NULL OR f.ship_by < %(now)s)"
            ),
            numerator="(f.shipped_at > f.ship_by OR (f.shipped_at IS NULL AND f.ship_by < %(now)s))",
            at_stake=f"{_OURS} AND {_OPEN_TO_SHIP} AND f.ship_by >= %(now)s AND f.ship_by < %(until)s",
            at_stake_text=_(
                "%(count)s order(s) must ship within %(hours)s h; if they ship late, the %(days)s-day late shipment "
                "rate goes from %(value)s to %(projected)s (threshold %(threshold)s)."
            ),
        ),
        Metric(
            key="cancellation_rate",
            label=_("Pre-fulfilment cancellation rate"),
            better=LOWER,
            numerator_text=_(
                "orders the seller cancelled before shipping them (in the OMS, by a person or a rule), "
                "unless the buyer had asked for it"
            ),
            denominator_text=_("orders placed"),
            counted_text=_(
                "Orders we fulfil, placed and paid. Cancellations reported by the marketplace (the buyer's "
                "or the platform's) do not count; refusals are counted by the refusal rate."
            ),
            dated_text=_("the purchase date"),
            dated_by="f.purchased_at",
            denominator=f"{_OURS} AND f.status <> 'awaiting_payment'",
            numerator="f.seller_cancelled AND f.shipped_at IS NULL AND NOT f.buyer_asked_cancel",
        ),
        Metric(
            key="refusal_rate",
            label=_("Refusal rate"),
            better=LOWER,
            numerator_text=_("orders refused (by the seller, or by the platform when the acceptance deadline passed)"),
            denominator_text=_("orders accepted or refused"),
            counted_text=_("Orders we fulfil on platforms where the seller accepts each order."),
            dated_text=_("the purchase date"),
            dated_by="f.purchased_at",
            denominator=f"{_OURS} AND f.decided_at IS NOT NULL",
            numerator="f.status = 'refused'",
            at_stake=(
                f"{_OURS} AND f.status = 'pending_acceptance' "
                "AND f.acceptance_deadline >= %(now)s AND f.acceptance_deadline < %(until)s"
            ),
            at_stake_text=_(
                "%(count)s order(s) must be accepted within %(hours)s h; if they are not, the %(days)s-day refusal "
                "rate goes from %(value)s to %(projected)s (threshold %(threshold)s)."
            ),
        ),
        Metric(
            key="valid_tracking_rate",
            label=_("Valid tracking rate"),
            better=HIGHER,
            numerator_text=_("shipped orders with a carrier and a tracking number"),
            denominator_text=_("orders shipped"),
            counted_text=_(
                "Orders we fulfil, from their first shipment. Tracking numbers entered in the OMS are checked "
                "against the carrier's format when shipping; the carriers' scans are not read yet."
            ),
            dated_text=_("the date of the first shipment"),
            dated_by="f.shipped_at",
            denominator=f"{_OURS} AND f.shipped_at IS NOT NULL",
            numerator="f.tracking_number <> '' AND f.carrier <> ''",
        ),
        Metric(
            key="return_rate",
            label=_("Return rate"),
            better=LOWER,
            numerator_text=_("shipped orders for which a return was requested"),
            denominator_text=_("orders shipped"),
            counted_text=_(
                "Orders we fulfil, once shipped, dated by their purchase, so a later return request counts on the "
                "day the order was placed: the last weeks' rate grows as their returns come in."
            ),
            dated_text=_("the purchase date"),
            dated_by="f.purchased_at",
            denominator=f"{_OURS} AND f.shipped_at IS NOT NULL",
            numerator="f.returned",
        ),
        Metric(
            key="on_time_delivery_rate",
            label=_("On-time delivery rate"),
            better=HIGHER,
            numerator_text=_("orders delivered by their deliver-by date"),
            denominator_text=_("shipped orders delivered, or past their deliver-by date"),
            counted_text=_(
                "Orders we fulfil that have a deliver-by date, once shipped; delivered means the carrier's "
                "tracking or the marketplace reported the delivery."
            ),
            dated_text=_("the deliver-by date"),
            dated_by="f.deliver_by",
            denominator=(
                f"{_OURS} AND f.deliver_by IS NOT NULL AND f.shipped_at IS NOT NULL AND f.status <> 'cancelled' "
                "AND (f.delivered_at IS NOT NULL OR f.deliver_by < %(now)s)"
            ),
            numerator="f.delivered_at <= f.deliver_by",
            at_stake=(
                f"{_OURS} AND f.status IN ('shipped', 'partially_shipped') "
                "AND f.deliver_by >= %(now)s AND f.deliver_by < %(until)s"
            ),
            at_stake_text=_(
                "%(count)s shipped order(s) must be delivered within %(hours)s h; if they arrive late, the "
                "%(days)s-day on-time delivery rate goes from %(value)s to %(projected)s (threshold %(threshold)s)."
            ),
            stake_adds_to_numerator=False,
        ),
        Metric(
            key="order_defect_rate",
            label=_("Order defect rate (claims and incidents)"),
            better=LOWER,
            numerator_text=_(
                "orders with a claim or an incident opened on the platform (A-to-z claim, eBay case, Mirakl "
                "incident, Cdiscount claim), whatever became of it"
            ),
            denominator_text=_("orders placed"),
            counted_text=_(
                "Every paid order, the marketplace's fulfilment included. A proxy: chargebacks and negative "
                "feedback are not seen by the OMS, so the platform's own rate can be higher."
            ),
            dated_text=_("the purchase date"),
            dated_by="f.purchased_at",
            denominator="f.status <> 'awaiting_payment'",
            numerator="f.incident",
        ),
        Metric(
            key="reply_within_deadline",
            label=_("Replies within the deadline"),
            better=HIGHER,
            numerator_text=_("buyers' messages answered before the thread's reply-by time"),
            denominator_text=_("buyers' messages needing a reply, answered or past their reply-by time"),
            counted_text=_(
                "Every wait of a buyer for a reply: a message, or several in a row, until our reply. A reply "
                "the platform refused does not count; a thread closed without a reply leaves the wait out."
            ),
            dated_text=_("when the buyer's message needed a reply"),
            dated_by="f.since",
            denominator="(f.within_deadline IS NOT NULL OR (f.replied_at IS NULL AND f.reply_by < %(now)s))",
            numerator="f.within_deadline",
            at_stake="f.replied_at IS NULL AND f.reply_by >= %(now)s AND f.reply_by < %(until)s",
            at_stake_text=_(
                "%(count)s buyer message(s) must be answered within %(hours)s h; if they are not, the %(days)s-day "
                "share of replies within the deadline goes from %(value)s to %(projected)s (threshold %(threshold)s)."
            ),
            stake_adds_to_numerator=False,
            source=REPLIES,
        ),
        Metric(
            key="median_reply_time",
            label=_("Median reply time"),
            better=LOWER,
            numerator_text=_("the median of the waits, in hours"),
            denominator_text=_("buyers' messages answered"),
            counted_text=_(
                "Every wait of a buyer that got our reply: from the message that needed one to the reply, "
                "weekends and nights included."
            ),
            dated_text=_("when the buyer's message needed a reply"),
            dated_by="f.since",
            denominator="f.replied_at IS NOT NULL",
            numerator="true",
            source=REPLIES,
            unit=HOURS,
            distribution="f.response_seconds",
        ),
    )
}


@dataclass(frozen=True)
class Target:
    """A platform's threshold on a metric over a window; `key` names it for overrides and the API."""

    metric: str
    window_days: int
    threshold: Decimal  # in percent
    unverified: bool = False
    # An account's own window keeps the platform target's key.
    key_override: str = ""

    @property
    def key(self) -> str:
        return self.key_override or f"{self.metric}_{self.window_days}d"

    @property
    def definition(self) -> Metric:
        return METRICS[self.metric]


def _targets(*targets: Target) -> tuple[Target, ...]:
    return targets


# No platform publishes a threshold on returns (MARKETPLACES.md): this one is the OMS's own watch
# level, shown as unverified like every figure no platform confirms; admins set theirs per account.
RETURN_WATCH = Target("return_rate", 30, Decimal("10"), unverified=True)


def _reply_targets(*, deadline_hours: int, share: str, unverified: bool) -> tuple[Target, ...]:
    """MARKETPLACES.md gives each platform's reply deadline (and Amazon's "> 90 % within 24 h"); no platform
    publishes a window for it nor a median: the 90-day window and the median kept under the deadline are
    the OMS's own reading, unverified."""
    return (
        Target("reply_within_deadline", 90, Decimal(share), unverified=unverified),
        Target("median_reply_time", 30, Decimal(deadline_hours), unverified=True),
    )


# Each platform's own set. Mirakl is one set for every operator (each sets its own figures:
# an admin sets an operator's on its account).
TARGETS: dict[str, tuple[Target, ...]] = {
    platforms.AMAZON: _targets(
        Target("late_shipment_rate", 10, Decimal("4")),
        Target("late_shipment_rate", 30, Decimal("4")),
        Target("cancellation_rate", 7, Decimal("2.5")),
        Target("valid_tracking_rate", 30, Decimal("95")),
        # Not in MARKETPLACES.md: Amazon's on-time delivery target as sellers report it.
        Target("on_time_delivery_rate", 14, Decimal("97"), unverified=True),
        Target("order_defect_rate", 60, Decimal("1")),
        RETURN_WATCH,
        # "Response under 24 h for > 90 %": the threshold is Amazon's, the 90-day window ours.
        *_reply_targets(deadline_hours=24, share="90", unverified=True),
    ),
    platforms.EBAY: _targets(
        # "Above Standard: late shipment rate ≤ 7 %, evaluated monthly": the window is our reading.
        Target("late_shipment_rate", 90, Decimal("7"), unverified=True),
        # Part of the transaction defect rate (≤ 2 %): seller cancellations are defects.
        Target("cancellation_rate", 90, Decimal("2"), unverified=True),
        Target("valid_tracking_rate", 90, Decimal("95"), unverified=True),
        # Claims are part of the transaction defect rate (≤ 2 %), which also counts cancellations.
        Target("order_defect_rate", 90, Decimal("2"), unverified=True),
        RETURN_WATCH,
        *_reply_targets(deadline_hours=24, share="90", unverified=True),
    ),
    platforms.CDISCOUNT: _targets(
        Target("late_shipment_rate", 30, Decimal("5"), unverified=True),
        Target("cancellation_rate", 30, Decimal("2"), unverified=True),
        Target("refusal_rate", 30, Decimal("5"), unverified=True),
        Target("valid_tracking_rate", 30, Decimal("95"), unverified=True),
        # "claims" among Cdiscount's indicators, threshold unpublished.
        Target("order_defect_rate", 30, Decimal("2"), unverified=True),
        RETURN_WATCH,
        *_reply_targets(deadline_hours=48, share="90", unverified=True),
    ),
    platforms.MIRAKL: _targets(
        Target("late_shipment_rate", 30, Decimal("5"), unverified=True),
        Target("cancellation_rate", 30, Decimal("2"), unverified=True),
        Target("refusal_rate", 30, Decimal("5"), unverified=True),
        Target("valid_tracking_rate", 30, Decimal("95"), unverified=True),
        Target("on_time_delivery_rate", 30, Decimal("95"), unverified=True),
        # "incidents" among the operators' KPIs, each operator's own threshold.
        Target("order_defect_rate", 30, Decimal("2"), unverified=True),
        RETURN_WATCH,
        *_reply_targets(deadline_hours=24, share="90", unverified=True),
    ),
}

# The longest window an admin may set; the charts show 90 days of the window's value, so the
# buckets are kept (and recounted by the first refresh) for both.
MAX_WINDOW_DAYS = 90
CHART_DAYS = 90
HISTORY_DAYS = CHART_DAYS + MAX_WINDOW_DAYS


def targets_for(platform: str) -> tuple[Target, ...]:
    return TARGETS.get(platform, ())


def target(platform: str, key: str) -> Target | None:
    return next((target for target in targets_for(platform) if target.key == key), None)


def is_breached(*, better: str, value: Decimal | None, threshold: Decimal) -> bool:
    """Amazon's "< 4 %" is breached at 4 %; "≥ 95 %" at anything below 95 %."""
    if value is None:
        return False
    return value >= threshold if better == LOWER else value < threshold


def percent(numerator: int, denominator: int) -> Decimal | None:
    """The rate in percent, exact to two decimals (rounded half up); None without any order counted."""
    if not denominator:
        return None
    return (Decimal(100 * numerator) / Decimal(denominator)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def median_hours(seconds: list[int], *, ordered: bool = False) -> Decimal | None:
    """The median of reply times (seconds) in hours, exact to two decimals (rounded half up); None without any.
    `ordered`: the list is sorted already."""
    if not seconds:
        return None
    ordered = seconds if ordered else sorted(seconds)
    middle = len(ordered) // 2
    doubled = ordered[middle] * 2 if len(ordered) % 2 else ordered[middle - 1] + ordered[middle]
    hours = (Decimal(doubled) / Decimal(7200)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return min(hours, MAX_HOURS)


def value_of(metric: Metric, numerator: int, denominator: int, durations: list[int] | None = None) -> Decimal | None:
    """A metric's value: a rate in percent, or the median of the durations in hours."""
    if metric.unit == HOURS:
        return median_hours(durations or [])
    return percent(numerator, denominator)
