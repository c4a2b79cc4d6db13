"""Cdiscount (Octopia) discussions with buyers. (unverified) No official description is stored: the
format is the one agreed with the sandbox (`sandbox/cdiscount_discussions.py`), kept here in one place.

GET /seller/v2/discussions (updatedAtMin, pageSize, pageIndex) with each discussion's messages;
POST /seller/v2/discussions/{discussionId}/messages {"content"}. Not idempotent: a retry reads the
discussion first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from .cdiscount import CdiscountConnector
from .errors import InvalidRequest, TransientError
from .messages import INBOUND, OUTBOUND, MessageData, SentMessage, ThreadData, ThreadPage
from .mirakl import iso_z
from .payload import InvalidOrder, parse_datetime

DISCUSSIONS_PATH = "/seller/v2/discussions"
DISCUSSION_PATH = "/seller/v2/discussions/{discussion_id}"
MESSAGES_PATH = "/seller/v2/discussions/{discussion_id}/messages"
PAGE_SIZE = 50
MAX_CONTENT = 5000
SELLER = "Seller"


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _when(value: Any, name: str) -> dt.datetime:
    try:
        return parse_datetime(value, name)
    except InvalidOrder as error:
        raise TransientError(str(error), platform="cdiscount", body=value) from None


def map_discussion(raw: Mapping[str, Any]) -> ThreadData:
    customer = raw.get("customer") if isinstance(raw.get("customer"), Mapping) else {}
    messages = tuple(
        MessageData(
            platform_message_id=_text(m.get("messageId")),
            direction=OUTBOUND if m.get("sender") == SELLER else INBOUND,
            author_name=_text(m.get("senderName")),
            body=_text(m.get("content")),
            sent_at=_when(m.get("createdAt"), "messages.createdAt"),
        )
        for m in raw.get("messages") or []
        if isinstance(m, Mapping)
    )
    return ThreadData(
        platform_thread_id=_text(raw.get("discussionId")),
        updated_at=_when(raw.get("updatedAt"), "updatedAt"),
        marketplace_order_id=_text(raw.get("orderId")),
        buyer_name=_text(customer.get("name")),
        buyer_address=_text(customer.get("reference")),
        subject=_text(raw.get("subject")),
        messages=messages,
    )


def list_threads(connector: CdiscountConnector, *, since: dt.datetime, page_token: str | None = None) -> ThreadPage:
    index = int(page_token) if page_token else 1
    response = connector.http.request(
        "GET",
        DISCUSSIONS_PATH,
        params={"updatedAtMin": iso_z(since), "pageSize": PAGE_SIZE, "pageIndex": index},
        operation="getDiscussions",
    )
    body = response.body if isinstance(response.body, Mapping) else {}
    items = body.get("items")
    if not isinstance(items, list):
        raise TransientError("getDiscussions answered no items", platform="cdiscount", body=body)
    threads = [map_discussion(raw) for raw in items if isinstance(raw, Mapping) and raw.get("discussionId")]
    more = bool(items) and index * PAGE_SIZE < int(body.get("totalItems") or 0)
    return ThreadPage(threads=threads, next_page_token=str(index + 1) if more else None)


def reply(
    connector: CdiscountConnector, *, discussion_id: str, body: str, decided_at: dt.datetime, retry: bool = False
) -> SentMessage:
    if not body.strip() or len(body) > MAX_CONTENT:
        raise InvalidRequest(f"a Cdiscount message has 1 to {MAX_CONTENT} characters", platform="cdiscount")
    if retry:
        response = connector.http.request(
            "GET", DISCUSSION_PATH.format(discussion_id=discussion_id), operation="getDiscussion"
        )
        thread = map_discussion(response.body if isinstance(response.body, Mapping) else {})
        since = decided_at - dt.timedelta(seconds=5)
        for message in thread.messages:
            if message.direction == OUTBOUND and message.body.strip() == body.strip() and message.sent_at >= since:
                return SentMessage(discussion_id, message.platform_message_id, already_recorded=True)
    response = connector.http.request(
        "POST",
        MESSAGES_PATH.format(discussion_id=discussion_id),
        json_body={"content": body},
        operation="postDiscussionMessage",
    )
    answer = response.body if isinstance(response.body, Mapping) else {}
    return SentMessage(discussion_id, _text(answer.get("messageId")))
