"""eBay's Message API (`specs/ebay/commerce_message_v1_oas3.json`, basePath /commerce/message/v1):
getConversations, getConversation, sendMessage, on the sandbox's buyer threads.

Conversations come newest change last (the order of eBay's answer is not in the spec: (unverified));
`start_time` keeps those with a message at or after it. The seller's user name is `seller-<account key>`.
"""

from __future__ import annotations

from . import conversations
from .ebay_wire import ebay_error
from .routing import bearer
from .wire import Response, iso, parse_iso

MESSAGE_SCOPE = "https://api.ebay.com/oauth/api_scope/commerce.message"
CONVERSATION_TYPES = ("FROM_EBAY", "FROM_MEMBERS")
DEFAULT_LIMIT, MAX_LIMIT = 25, 50  # getConversations: "Default: 25, Maximum: 50"
MESSAGES_LIMIT = 50
MAX_TEXT = 2000  # SendMessageRequest.messageText "Max length: 2000 characters"


def seller_username(account) -> str:
    return f"seller-{account.key}"


def _check_scope(world, request) -> None:
    token = world.tokens.get(bearer(request.header("authorization")), {})
    if MESSAGE_SCOPE not in token.get("scopes", [MESSAGE_SCOPE]):
        raise ebay_error(403, 1100, "Access denied", domain="ACCESS", long_message="Insufficient permissions")


def _error(error_id: int, message: str):
    return ebay_error(400, error_id, message, domain="API_MESSAGE")


def _page_args(request, default: int, maximum: int) -> tuple[int, int]:
    limit, offset = request.arg("limit", str(default)), request.arg("offset", "0")
    if not limit.isdigit() or not offset.isdigit() or not 1 <= int(limit) <= maximum:
        raise _error(355001, f"limit must be between 1 and {maximum}, offset zero or more")
    return int(limit), int(offset)


def _conversation_type(request) -> str:
    kind = request.arg("conversation_type")
    if kind not in CONVERSATION_TYPES:
        raise _error(355002, "conversation_type is required: FROM_EBAY or FROM_MEMBERS")
    return kind


def render_message(account, thread: dict, message: dict) -> dict:
    seller, buyer = seller_username(account), thread["customer"]["username"]
    from_seller = message["from"] == "shop"
    rendered = {
        "createdDate": message["at"],
        "messageBody": message["body"],
        "messageId": message["id"],
        "readStatus": not from_seller,
        "recipientUsername": buyer if from_seller else seller,
        "senderUsername": seller if from_seller else buyer,
        "subject": thread["subject"],
    }
    if message["attachments"]:
        rendered["messageMedia"] = message["attachments"]
    return rendered


def _listing_of(world, account, thread: dict) -> str | None:
    order = world.order(account.key, thread["order_id"]) if thread["order_id"] else None
    return order["lines"][0]["id"].split("-")[0] if order else None


def render_conversation(world, account, thread: dict) -> dict:
    rendered = {
        "conversationId": thread["id"],
        "conversationStatus": "ACTIVE",
        "conversationTitle": thread["subject"],
        "conversationType": "FROM_MEMBERS",
        "createdDate": thread["created_at"],
        "latestMessage": render_message(account, thread, thread["messages"][-1]),
        "unreadCount": sum(1 for m in thread["messages"] if m["from"] == "customer"),
    }
    listing = _listing_of(world, account, thread)
    if listing:
        rendered.update(referenceId=listing, referenceType="LISTING")
    return rendered


def _page(request, items: list, limit: int, offset: int, key: str, total: int, extra: dict | None = None) -> dict:
    base = f"{request.base_url}{request.path}"
    body = {
        key: items,
        "href": f"{base}?limit={limit}&offset={offset}",
        "limit": limit,
        "offset": offset,
        "total": total,
    }
    if offset + limit < total:
        body["next"] = f"{base}?limit={limit}&offset={offset + limit}"
    if offset:
        body["prev"] = f"{base}?limit={limit}&offset={max(0, offset - limit)}"
    return {**(extra or {}), **body}


def get_conversations(world, account, request) -> Response:
    _check_scope(world, request)
    kind = _conversation_type(request)
    limit, offset = _page_args(request, DEFAULT_LIMIT, MAX_LIMIT)
    start = request.arg("start_time")
    try:
        start = iso(parse_iso(start)) if start else None
    except ValueError:
        raise _error(355003, "start_time is not an ISO 8601 date") from None
    chosen = []
    other = request.arg("other_party_username")
    if kind == "FROM_MEMBERS":
        threads = [
            t for t in world.threads.get(account.key, {}).values() if not other or t["customer"]["username"] == other
        ]
        chosen = sorted(
            (t for t in threads if not start or t["updated_at"] >= start), key=lambda t: (t["updated_at"], t["id"])
        )
    items = [render_conversation(world, account, t) for t in chosen[offset : offset + limit]]
    return Response(
        200, _page(request, items, limit, offset, "conversations", len(chosen)), page_key=("conversations",)
    )


def _thread(world, account, conversation_id: str) -> dict:
    thread = world.threads.get(account.key, {}).get(conversation_id)
    if thread is None:
        raise ebay_error(404, 355004, f"Conversation {conversation_id} not found", domain="API_MESSAGE")
    return thread


def get_conversation(world, account, request, conversation_id: str) -> Response:
    _check_scope(world, request)
    _conversation_type(request)
    limit, offset = _page_args(request, MESSAGES_LIMIT, MESSAGES_LIMIT)
    thread = _thread(world, account, conversation_id)
    messages = [render_message(account, thread, m) for m in thread["messages"]]
    extra = {"conversationStatus": "ACTIVE", "conversationTitle": thread["subject"], "conversationType": "FROM_MEMBERS"}
    body = _page(request, messages[offset : offset + limit], limit, offset, "messages", len(messages), extra)
    return Response(200, body)


def send_message(world, account, request) -> Response:
    _check_scope(world, request)
    try:
        body = request.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise _error(355005, "Invalid request body")
    text = body.get("messageText")
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT:
        raise _error(355006, f"messageText is required, at most {MAX_TEXT} characters")
    if body.get("conversationId"):
        thread = _thread(world, account, str(body["conversationId"]))
    elif body.get("otherPartyUsername"):  # a new conversation with a buyer of one of the seller's orders
        username = str(body["otherPartyUsername"])
        orders = [o for o in world.orders.get(account.key, {}).values() if o["buyer"].get("username") == username]
        if not orders:
            raise _error(355007, f"No transaction with member {username}")
        latest = max(orders, key=lambda o: o["created_at"])
        subject = latest["lines"][0]["title"]  # the listing's title, as eBay titles a conversation (unverified)
        thread, message = conversations.open_by_shop(world, account, order_id=latest["id"], subject=subject, body=text)
        world.record_action(account.key, latest["id"], "sendMessage", body)
        return Response(201, _sent(account, thread, message))
    else:
        raise _error(355007, "conversationId or otherPartyUsername is required")
    message = conversations.add_message(world, thread, sender="shop", author=seller_username(account), body=text)
    conversations.shop_replied(world, thread, message)
    world.record_action(account.key, f"thread/{thread['id']}", "sendMessage", body)
    return Response(201, _sent(account, thread, message))


def _sent(account, thread: dict, message: dict) -> dict:
    """SendMessageResponse (its user names are spelled `…UserName`, unlike MessageDetail's)."""
    return {
        "createdDate": message["at"],
        "messageBody": message["body"],
        "messageId": message["id"],
        "readStatus": False,
        "recipientUserName": thread["customer"]["username"],
        "senderUserName": seller_username(account),
        "subject": thread["subject"],
    }
