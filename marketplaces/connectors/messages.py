"""What connectors exchange about buyer conversations: threads and messages as plain values.

Like `orders.canonical` for orders: connectors read a platform's threads into these and never
touch the database; `messaging` stores them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

INBOUND = "in"  # from the buyer (or the platform's operator) to the seller
OUTBOUND = "out"  # from the seller


@dataclass(frozen=True)
class MessageData:
    platform_message_id: str
    direction: str  # INBOUND or OUTBOUND
    author_name: str
    body: str
    sent_at: dt.datetime
    attachments: tuple[dict, ...] = ()


@dataclass(frozen=True)
class ThreadData:
    platform_thread_id: str
    updated_at: dt.datetime
    marketplace_order_id: str = ""
    buyer_name: str = ""
    buyer_address: str = ""  # the buyer's id, user name or relay e-mail address on the platform
    subject: str = ""
    # Since when the seller owes an answer, where the platform says it (Mirakl `shop_reply_needed_since`).
    reply_needed_since: dt.datetime | None = None
    platform_says_reply_needed: bool = False  # the platform gives the field above (even null)
    messages: tuple[MessageData, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class ThreadPage:
    threads: list[ThreadData]
    next_page_token: str | None


@dataclass(frozen=True)
class SentMessage:
    platform_thread_id: str
    platform_message_id: str = ""
    already_recorded: bool = False  # a retry found the message already on the platform
