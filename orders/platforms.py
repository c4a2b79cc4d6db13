"""The marketplaces we sell on: their names and what each platform can and cannot do, as data.

The core (orders, inventory), the connectors and polling all read a platform's facts
here, so each fact has one home and no layer asks another for it. This module imports
neither Django nor HTTP: connectors, the sandbox tooling and the core can all use it.

Facts that come from documentation pages or third parties and were not confirmed in an
official spec are named in each platform's `unverified` (see ../shared/MARKETPLACES.md);
correct them here. The carriers each platform accepts, their codes and the tracking
patterns are in `orders/carriers.py`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# Platform names, as stored on `MarketplaceAccount.platform` and `OrderData.platform`.
AMAZON = "amazon"
EBAY = "ebay"
MIRAKL = "mirakl"
CDISCOUNT = "cdiscount"

ALL = (AMAZON, EBAY, MIRAKL, CDISCOUNT)


@dataclass(frozen=True)
class Capabilities:
    display_name: str
    # The seller accepts or refuses each order before shipping it (else a paid order is to ship).
    acceptance_step: bool
    # Some lines of an order can be cancelled; False: the platform cancels whole orders only.
    line_level_cancel: bool
    # An order waiting for acceptance can be cancelled (else the seller refuses it).
    cancel_before_acceptance: bool
    # Some lines can ship now and the rest later, in several shipments.
    partial_shipment: bool
    # A shipment names a quantity per line (else it ships whole lines).
    shipment_line_quantities: bool
    # A refund names the lines it refunds (else it refunds the order).
    refund_per_line: bool
    # A refund may be any amount up to the line's (else only whole lines are refunded).
    partial_refund_amount: bool
    # The interval a new account is polled at, as the platform recommends.
    poll_interval: dt.timedelta
    # Never poll more often than this, whatever the account says.
    min_poll_interval: dt.timedelta
    # Read again what changed this long before the cursor: the platform publishes changes late.
    poll_overlap: dt.timedelta
    # At most one stock push per account per this interval (zero: no limit of the platform's own).
    min_stock_push_interval: dt.timedelta
    # A buyer's message must be answered within this many hours...
    reply_deadline_hours: int
    # ...counted on every day (True) or on working days only (False).
    reply_deadline_counts_weekends: bool
    # A shipment of several parcels is told as one package per parcel, each with its tracking number
    # and the lines it holds (else the platform hears one tracking number).
    packages_per_shipment: bool = False
    # Names of the fields above that no official source confirms.
    unverified: frozenset[str] = frozenset()


CAPABILITIES: dict[str, Capabilities] = {
    AMAZON: Capabilities(
        display_name="Amazon",
        acceptance_step=False,  # a paid order arrives Unshipped
        line_level_cancel=True,  # per item in the order acknowledgement feed
        cancel_before_acceptance=True,  # no acceptance step
        partial_shipment=True,  # confirmShipment: one package, orderItems[{orderItemId, quantity}]
        packages_per_shipment=True,  # confirmShipment: one packageDetail per call, one call per package
        shipment_line_quantities=True,
        refund_per_line=True,  # payment adjustment feed, per item
        partial_refund_amount=True,
        poll_interval=dt.timedelta(minutes=1),
        min_poll_interval=dt.timedelta(minutes=1),  # getOrders: 0.0167 requests/s
        poll_overlap=dt.timedelta(minutes=3),  # changes show up to ~2 minutes late
        min_stock_push_interval=dt.timedelta(0),
        reply_deadline_hours=24,
        reply_deadline_counts_weekends=True,
        # Seller cancels and refunds go through the Feeds API: not in the stored JSON models.
        unverified=frozenset({"line_level_cancel", "refund_per_line", "partial_refund_amount"}),
    ),
    EBAY: Capabilities(
        display_name="eBay",
        acceptance_step=False,
        line_level_cancel=False,  # Post-Order API cancellation: whole orders only
        cancel_before_acceptance=True,  # no acceptance step
        partial_shipment=True,  # shipping_fulfillment: lineItems[{lineItemId, quantity}]
        packages_per_shipment=True,  # createShippingFulfillment: "For each package, execute this call once"
        shipment_line_quantities=True,
        refund_per_line=True,  # issue_refund: refundItems[{lineItemId, refundAmount}]
        partial_refund_amount=True,
        poll_interval=dt.timedelta(minutes=1),
        min_poll_interval=dt.timedelta(minutes=1),
        poll_overlap=dt.timedelta(minutes=2),
        min_stock_push_interval=dt.timedelta(0),  # 250 revisions per listing a day: pushes are coalesced
        reply_deadline_hours=24,
        reply_deadline_counts_weekends=True,
        unverified=frozenset({"line_level_cancel", "reply_deadline_hours", "reply_deadline_counts_weekends"}),
    ),
    MIRAKL: Capabilities(
        display_name="Mirakl",
        acceptance_step=True,  # OR21, every line decided while WAITING_ACCEPTANCE
        line_level_cancel=True,  # OR30 (OR29 for the whole order)
        cancel_before_acceptance=False,  # WAITING_ACCEPTANCE is decided with OR21 (refuse), not cancelled
        partial_shipment=False,  # OR24 ships the whole order
        shipment_line_quantities=False,
        refund_per_line=True,  # OR28: refunds[{order_line_id, quantity, amount, shipping_amount}]
        partial_refund_amount=True,
        poll_interval=dt.timedelta(minutes=5),  # "poll every 5 minutes"
        min_poll_interval=dt.timedelta(minutes=1),  # OR11: never more than once a minute
        poll_overlap=dt.timedelta(0),  # Mirakl subtracts its own safety delta from start_update_date
        min_stock_push_interval=dt.timedelta(minutes=1),  # STO01: one import a minute
        reply_deadline_hours=24,  # 48 h on Fnac; each operator sets its own
        reply_deadline_counts_weekends=True,
        unverified=frozenset({"cancel_before_acceptance", "reply_deadline_hours", "reply_deadline_counts_weekends"}),
    ),
    CDISCOUNT: Capabilities(
        display_name="Cdiscount",
        acceptance_step=True,  # Octopia validate, per line, before a deadline
        line_level_cancel=False,  # Octopia cancels whole orders only
        cancel_before_acceptance=True,  # cancel works while WaitingAcceptance
        partial_shipment=True,  # shipments: lines[{lineId, quantity}]
        shipment_line_quantities=True,
        refund_per_line=True,  # refunds: lines[{lineId, amount}]
        partial_refund_amount=True,
        poll_interval=dt.timedelta(minutes=1),
        min_poll_interval=dt.timedelta(seconds=30),
        poll_overlap=dt.timedelta(minutes=2),
        min_stock_push_interval=dt.timedelta(0),
        reply_deadline_hours=48,
        reply_deadline_counts_weekends=True,
        # No official spec of the Octopia API is stored: every platform fact here is unverified.
        unverified=frozenset(
            {
                "acceptance_step",
                "line_level_cancel",
                "cancel_before_acceptance",
                "partial_shipment",
                "shipment_line_quantities",
                "refund_per_line",
                "partial_refund_amount",
                "min_poll_interval",
                "min_stock_push_interval",
                "reply_deadline_hours",
                "reply_deadline_counts_weekends",
            }
        ),
    ),
}
