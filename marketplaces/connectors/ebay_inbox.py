"""eBay buyer conversations through the Message API (`shared/specs/ebay/commerce_message_v1_oas3.json`):
getConversations (FROM_MEMBERS, `start_time`, limit/offset), getConversation, sendMessage.

Plain functions over an `EbayConnector` (its HTTP client and token). The API links a conversation to a
listing only (`referenceType` LISTING), never to an order: the thread's buyer user name is what finds
the order. Which messages are the seller's: `settings["ebay_username"]` when the account names it,
else every message not sent by the member who opened the conversation (buyers write first).
sendMessage is not idempotent: a retry reads the conversation first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from .ebay import EbayConnector
from .errors import InvalidRequest, TransientError
from .messages import INBOUND, OUTBOUND, MessageData, SentMessage, ThreadData, ThreadPage
from .mirakl import iso_z
from .payload import InvalidOrder, parse_datetime

CONVERSATIONS_PATH = "/commerce/message/v1/conversation"  # getConversations
CONVERSATION_PATH = "/commerce/message/v1/conversation/{conversation_id}"  # getConversation
SEND_PATH = "/commerce/message/v1/send_message"  # sendMessage
MEMBERS = "FROM_MEMBERS"
PAGE_SIZE = 50  # getConversations: default 25, maximum 50; getConversation's maximum is assumed the same
MAX_TEXT = 2000


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _when(value: Any, name: str) -> dt.datetime:
    try:
        return parse_datetime(value, name)
    except InvalidOrder as error:
        raise TransientError(str(error), platform="ebay", body=value) from None


def _messages(raw: list, seller: str) -> tuple[tuple[MessageData, ...], str]:
    """The messages, oldest first, and the buyer's user name."""
    items = sorted((m for m in raw if isinstance(m, Mapping)), key=lambda m: _text(m.get("createdDate")))
    opener = _text(items[0].get("senderUsername")) if items else ""
    buyer = ""
    out = []
    for item in items:
        sender = _text(item.get("senderUsername"))
        from_seller = sender == seller if seller else sender != opener
        buyer = buyer or (_text(item.get("recipientUsername")) if from_seller else sender)
        out.append(
            MessageData(
                platform_message_id=_text(item.get("messageId")),
                direction=OUTBOUND if from_seller else INBOUND,
                author_name=sender,
                body=_text(item.get("messageBody")),
                sent_at=_when(item.get("createdDate"), "createdDate"),
                attachments=tuple(dict(m) for m in item.get("messageMedia") or [] if isinstance(m, Mapping)),
            )
        )
    return tuple(out), buyer


def get_thread(
    connector: EbayConnector, *, conversation_id: str, summary: Mapping[str, Any] | None = None
) -> ThreadData:
    """getConversation, every page of its messages."""
    raw_messages: list = []
    offset = 0
    body: Mapping[str, Any] = {}
    while True:
        response = connector.http.request(
            "GET",
            CONVERSATION_PATH.format(conversation_id=conversation_id),
            params={"conversation_type": MEMBERS, "limit": PAGE_SIZE, "offset": offset},
            operation="getConversation",
        )
        body = response.body if isinstance(response.body, Mapping) else {}
        page = body.get("messages") or []
        raw_messages.extend(page)
        offset += len(page)
        if not body.get("next") or not page:
            break
    messages, buyer = _messages(raw_messages, _text(connector.account.settings.get("ebay_username")))
    summary = summary or {}
    updated = max((m.sent_at for m in messages), default=None) or _when(summary.get("createdDate"), "createdDate")
    return ThreadData(
        platform_thread_id=conversation_id,
        updated_at=updated,
        buyer_name=buyer,
        buyer_address=buyer,
        subject=_text(body.get("conversationTitle") or summary.get("conversationTitle")),
        messages=messages,
    )


def list_threads(connector: EbayConnector, *, since: dt.datetime, page_token: str | None = None) -> ThreadPage:
    """getConversations with a message since `since` (offset paging), each read whole with getConversation."""
    offset = int(page_token) if page_token else 0
    response = connector.http.request(
        "GET",
        CONVERSATIONS_PATH,
        params={"conversation_type": MEMBERS, "start_time": iso_z(since), "limit": PAGE_SIZE, "offset": offset},
        operation="getConversations",
    )
    body = response.body if isinstance(response.body, Mapping) else {}
    summaries = [c for c in body.get("conversations") or [] if isinstance(c, Mapping) and c.get("conversationId")]
    threads = [get_thread(connector, conversation_id=_text(c["conversationId"]), summary=c) for c in summaries]
    next_offset = offset + len(summaries)
    more = bool(summaries) and next_offset < int(body.get("total") or 0)
    return ThreadPage(threads=threads, next_page_token=str(next_offset) if more else None)


def reply(
    connector: EbayConnector, *, conversation_id: str, body: str, decided_at: dt.datetime, retry: bool = False
) -> SentMessage:
    """sendMessage in the conversation; on a `retry`, the conversation is read first."""
    if not body.strip() or len(body) > MAX_TEXT:
        raise InvalidRequest(f"an eBay message has 1 to {MAX_TEXT} characters", platform="ebay")
    if retry:
        thread = get_thread(connector, conversation_id=conversation_id)
        since = decided_at - dt.timedelta(seconds=5)
        for message in thread.messages:
            if message.direction == OUTBOUND and message.body.strip() == body.strip() and message.sent_at >= since:
                return SentMessage(conversation_id, message.platform_message_id, already_recorded=True)
    response = connector.http.request(
        "POST",
        SEND_PATH,
        json_body={"conversationId": conversation_id, "messageText": body},
        operation="sendMessage",
    )
    answer = response.body if isinstance(response.body, Mapping) else {}
    return SentMessage(conversation_id, _text(answer.get("messageId")))


def start_conversation(
    connector: EbayConnector,
    *,
    username: str,
    body: str,
    item_id: str = "",
    decided_at: dt.datetime | None = None,
    retry: bool = False,
) -> SentMessage:
    """sendMessage to a buyer (`otherPartyUsername`), about a listing when `item_id` is given. On a `retry`,
    the conversations with that buyer are read first (getConversations other_party_username)."""
    if not body.strip() or len(body) > MAX_TEXT:
        raise InvalidRequest(f"an eBay message has 1 to {MAX_TEXT} characters", platform="ebay")
    if retry and decided_at is not None:
        since = decided_at - dt.timedelta(seconds=5)
        response = connector.http.request(
            "GET",
            CONVERSATIONS_PATH,
            params={"conversation_type": MEMBERS, "other_party_username": username, "limit": PAGE_SIZE},
            operation="getConversations",
        )
        listed = response.body if isinstance(response.body, Mapping) else {}
        for summary in listed.get("conversations") or []:
            if not isinstance(summary, Mapping) or not summary.get("conversationId"):
                continue
            thread = get_thread(connector, conversation_id=_text(summary["conversationId"]), summary=summary)
            for message in thread.messages:
                if message.direction == OUTBOUND and message.body.strip() == body.strip() and message.sent_at >= since:
                    return SentMessage(thread.platform_thread_id, message.platform_message_id, already_recorded=True)
    request: dict[str, Any] = {"otherPartyUsername": username, "messageText": body}
    if item_id:
        request["reference"] = {"referenceId": item_id, "referenceType": "LISTING"}
    response = connector.http.request("POST", SEND_PATH, json_body=request, operation="sendMessage")
    answer = response.body if isinstance(response.body, Mapping) else {}
    # SendMessageResponse names no conversation: the next poll finds it by the message's id.
    return SentMessage("", _text(answer.get("messageId")))
