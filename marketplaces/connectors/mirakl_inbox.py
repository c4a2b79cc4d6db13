"""Mirakl buyer conversations: M11 (threads changed since), M10 (one thread), M12 (reply), OR43 (open a
thread on an order), on the wire of `shared/specs/mirakl/mmp-seller-openapi.json`.

Plain functions over a `MiraklConnector` (its HTTP client and shop id): translation and HTTP only.
M12 and OR43 are multipart: a JSON part (`message_input` / `thread_input`) and optional `files`.
Neither is idempotent, so a retry (`retry=True`: an earlier attempt's outcome is unknown) first
reads the thread (M10) and takes a shop message with the same body, sent since the reply was
decided, as the earlier attempt's.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import Any

from .errors import InvalidRequest, TransientError
from .messages import INBOUND, OUTBOUND, MessageData, SentMessage, ThreadData, ThreadPage
from .mirakl import MiraklConnector, iso_z
from .payload import InvalidOrder, parse_datetime

THREADS_PATH = "/api/inbox/threads"  # M11
THREAD_PATH = "/api/inbox/threads/{thread_id}"  # M10
DOWNLOAD_PATH = "/api/inbox/threads/{attachment_id}/download"
REPLY_PATH = "/api/inbox/threads/{thread_id}/message"  # M12
OPEN_THREAD_PATH = "/api/orders/{order_id}/threads"  # OR43
ORDER_ENTITY = "MMP_ORDER"
# M11's page size and next-page parameter are not in the spec's parameters (it answers a
# `next_page_token`; the "seek pagination" documentation names `page_token` and `limit`): (unverified).
PAGE_TOKEN_PARAMETER = "page_token"
PAGE_SIZE_PARAMETER = "limit"
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
SHOP_SENDERS = frozenset({"SHOP", "SHOP_USER"})
CUSTOMER = "CUSTOMER"


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _when(value: Any, name: str) -> dt.datetime | None:
    if value in (None, ""):
        return None
    try:
        return parse_datetime(value, name)
    except InvalidOrder as error:
        raise TransientError(str(error), platform="mirakl", body=value) from None


def map_message(raw: Mapping[str, Any]) -> MessageData:
    sender = raw.get("from") if isinstance(raw.get("from"), Mapping) else {}
    direction = OUTBOUND if _text(sender.get("type")) in SHOP_SENDERS else INBOUND
    attachments = tuple(
        {"id": _text(a.get("id")), "name": _text(a.get("name")), "size": a.get("size")}
        for a in raw.get("attachments") or []
        if isinstance(a, Mapping)
    )
    return MessageData(
        platform_message_id=_text(raw.get("id")),
        direction=direction,
        author_name=_text(sender.get("display_name")),
        body=_text(raw.get("body")),
        sent_at=_when(raw.get("date_created"), "messages.date_created"),
        attachments=attachments,
    )


def map_thread(raw: Mapping[str, Any]) -> ThreadData:
    participants = [p for p in raw.get("authorized_participants") or [] if isinstance(p, Mapping)]
    customer = next((p for p in participants if p.get("type") == CUSTOMER), {})
    order_ids = [
        _text(e.get("id"))
        for e in raw.get("entities") or []
        if isinstance(e, Mapping) and e.get("type") == ORDER_ENTITY
    ]
    topic = raw.get("topic") if isinstance(raw.get("topic"), Mapping) else {}
    metadata = raw.get("metadata") if isinstance(raw.get("metadata"), Mapping) else {}
    updated = _when(raw.get("date_updated"), "date_updated") or _when(raw.get("date_created"), "date_created")
    if not raw.get("id") or updated is None:
        raise TransientError("M11/M10 thread without id or date", platform="mirakl", body=dict(raw))
    messages = tuple(map_message(m) for m in raw.get("messages") or [] if isinstance(m, Mapping))
    return ThreadData(
        platform_thread_id=_text(raw["id"]),
        updated_at=updated,
        marketplace_order_id=order_ids[0] if order_ids else "",
        buyer_name=_text(customer.get("display_name")),
        buyer_address=_text(customer.get("id")),
        subject=_text(topic.get("value")),
        reply_needed_since=_when(metadata.get("shop_reply_needed_since"), "metadata.shop_reply_needed_since"),
        platform_says_reply_needed="shop_reply_needed_since" in metadata,
        messages=messages,
    )


def list_threads(connector: MiraklConnector, *, since: dt.datetime, page_token: str | None = None) -> ThreadPage:
    """M11: threads changed at or after `since`, with their messages (the last 100 of each)."""
    size = connector.page_size(DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    params = {"updated_since": iso_z(since), "with_messages": "true", PAGE_SIZE_PARAMETER: size}
    if page_token:
        params[PAGE_TOKEN_PARAMETER] = page_token
    response = connector.http.request("GET", THREADS_PATH, params=connector._params(**params), operation="M11")
    body = response.body if isinstance(response.body, Mapping) else {}
    data = body.get("data")
    if not isinstance(data, list):
        raise TransientError("M11 response without data", platform="mirakl", body=body)
    threads = [map_thread(raw) for raw in data if isinstance(raw, Mapping)]
    return ThreadPage(threads=threads, next_page_token=body.get("next_page_token") or None)


def get_thread(connector: MiraklConnector, *, thread_id: str) -> ThreadData:
    """M10: one thread with its messages."""
    response = connector.http.request(
        "GET", THREAD_PATH.format(thread_id=thread_id), params=connector._params(), operation="M10"
    )
    if not isinstance(response.body, Mapping):
        raise TransientError("M10 answered no thread", platform="mirakl", body=response.text[:500])
    return map_thread(response.body)


def _already_sent(thread: ThreadData, body: str, since: dt.datetime) -> MessageData | None:
    return next(
        (
            m
            for m in thread.messages
            if m.direction == OUTBOUND and m.body.strip() == body.strip() and m.sent_at and m.sent_at >= since
        ),
        None,
    )


def _check_body(body: str) -> None:
    if len(body.strip()) < 3:  # M12 and OR43 `body`: minLength 3, maxLength 50000
        raise InvalidRequest("a message needs at least 3 characters", platform="mirakl")
    if len(body) > 50_000:
        raise InvalidRequest("a message has at most 50,000 characters", platform="mirakl")


def reply(
    connector: MiraklConnector,
    *,
    thread_id: str,
    body: str,
    customer_id: str,
    decided_at: dt.datetime,
    retry: bool = False,
    files: Sequence[tuple[str, bytes, str]] = (),
) -> SentMessage:
    """M12 to the customer, with `files` as (name, content, content type) in the multipart `files` part.
    On a `retry`, M10 first: a shop message with this body since `decided_at` is ours."""
    _check_body(body)
    if retry:
        found = _already_sent(get_thread(connector, thread_id=thread_id), body, decided_at - dt.timedelta(seconds=5))
        if found is not None:
            return SentMessage(thread_id, found.platform_message_id, already_recorded=True)
    message_input = {
        "body": body,
        "to": [{"id": customer_id, "type": CUSTOMER}] if customer_id else [{"type": CUSTOMER}],
    }
    response = connector.http.request(
        "POST",
        REPLY_PATH.format(thread_id=thread_id),
        params=connector._params(),
        files=[
            ("message_input", (None, json.dumps(message_input), "application/json")),
            *(("files", (name, content, content_type)) for name, content, content_type in files),
        ],
        operation="M12",
    )
    answer = response.body if isinstance(response.body, Mapping) else {}
    return SentMessage(_text(answer.get("thread_id")) or thread_id, _text(answer.get("message_id")))


def _sent_on_order(connector: MiraklConnector, order_id: str, body: str, since: dt.datetime) -> SentMessage | None:
    """M11 for the order's threads: the shop message with this body since `since`, if Mirakl has one."""
    response = connector.http.request(
        "GET",
        THREADS_PATH,
        params=connector._params(entity_type=ORDER_ENTITY, entity_id=order_id, with_messages="true"),
        operation="M11",
    )
    body_json = response.body if isinstance(response.body, Mapping) else {}
    for raw in body_json.get("data") or []:
        if isinstance(raw, Mapping):
            thread = map_thread(raw)
            found = _already_sent(thread, body, since)
            if found is not None:
                return SentMessage(thread.platform_thread_id, found.platform_message_id, already_recorded=True)
    return None


def open_thread(
    connector: MiraklConnector,
    *,
    order_id: str,
    body: str,
    topic: str,
    decided_at: dt.datetime | None = None,
    retry: bool = False,
) -> SentMessage:
    """OR43: a new thread to the customer on an order (topic as free text). On a `retry`, the order's
    threads are read first (M11): a shop message with this body since `decided_at` is the earlier attempt's."""
    _check_body(body)
    if retry and decided_at is not None:
        found = _sent_on_order(connector, order_id, body, decided_at - dt.timedelta(seconds=5))
        if found is not None:
            return found
    thread_input = {"body": body, "to": [CUSTOMER], "topic": {"type": "FREE_TEXT", "value": topic}}
    response = connector.http.request(
        "POST",
        OPEN_THREAD_PATH.format(order_id=order_id),
        params=connector._params(),
        files={"thread_input": (None, json.dumps(thread_input), "application/json")},
        operation="OR43",
    )
    answer = response.body if isinstance(response.body, Mapping) else {}
    if not answer.get("thread_id"):
        raise TransientError("OR43 answered no thread_id", platform="mirakl", body=answer)
    return SentMessage(_text(answer["thread_id"]), _text(answer.get("message_id")))


def download_attachment(connector: MiraklConnector, *, attachment_id: str) -> bytes:
    """M13: the content of a message's attachment."""
    response = connector.http.request(
        "GET", DOWNLOAD_PATH.format(attachment_id=attachment_id), params=connector._params(), operation="M13"
    )
    return response.content
