"""Octopia (Cdiscount) discussions with buyers. (unverified) No official description is stored: the
paths and fields below are the format agreed with the connector (`connectors/cdiscount_inbox.py`),
shaped like the orders' pages (`itemsPerPage`, `pageIndex`, `totalItems`, `items`).

GET /seller/v2/discussions (updatedAtMin, pageSize ≤ 100, pageIndex 1-based), GET …/{discussionId},
POST …/{discussionId}/messages {"content"} → 201 {"messageId", "createdAt"}.
"""

from __future__ import annotations

from . import conversations
from .wire import ApiError, Response, iso, parse_iso

DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE = 50, 100
SENDERS = {"customer": "Customer", "shop": "Seller", "operator": "Operator"}


def _bad(detail: str, field: str = "") -> ApiError:
    return ApiError(400, "validation-error", detail, extra={"errors": [{"field": field, "message": detail}]})


def render(thread: dict) -> dict:
    return {
        "discussionId": thread["id"],
        "orderId": thread["order_id"],
        "subject": thread["subject"],
        "status": "Open",
        "createdAt": thread["created_at"],
        "updatedAt": thread["updated_at"],
        "customer": {"reference": thread["customer"]["id"], "name": thread["customer"]["name"]},
        "messages": [
            {
                "messageId": m["id"],
                "sender": SENDERS[m["from"]],
                "senderName": m["author"],
                "content": m["body"],
                "createdAt": m["at"],
            }
            for m in thread["messages"]
        ],
    }


def _page_arg(request, name: str, default: int, high: int) -> int:
    value = request.arg(name, str(default))
    if not value.isdigit() or not 1 <= int(value) <= high:
        raise _bad(f"{name} must be an integer between 1 and {high}", name)
    return int(value)


def list_discussions(world, account, request) -> Response:
    size = _page_arg(request, "pageSize", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    index = _page_arg(request, "pageIndex", 1, 10**6)
    since = request.arg("updatedAtMin")
    try:
        since = iso(parse_iso(since)) if since else None
    except ValueError:
        raise _bad("updatedAtMin must be an ISO 8601 date-time", "updatedAtMin") from None
    threads = world.threads.get(account.key, {}).values()
    chosen = sorted(
        (t for t in threads if not since or t["updated_at"] >= since), key=lambda t: (t["updated_at"], t["id"])
    )
    page = chosen[(index - 1) * size : index * size]
    body = {"itemsPerPage": size, "pageIndex": index, "totalItems": len(chosen), "items": [render(t) for t in page]}
    return Response(200, body, page_key=("items",))


def _thread(world, account, discussion_id: str) -> dict:
    thread = world.threads.get(account.key, {}).get(discussion_id)
    if thread is None:
        raise ApiError(404, "not-found", f"Discussion {discussion_id} not found")
    return thread


def get_discussion(world, account, request, discussionId: str) -> Response:
    return Response(200, render(_thread(world, account, discussionId)))


def post_message(world, account, request, discussionId: str) -> Response:
    thread = _thread(world, account, discussionId)
    try:
        body = request.json()
    except ValueError:
        body = None
    content = body.get("content") if isinstance(body, dict) else None
    if not isinstance(content, str) or not content.strip() or len(content) > 5000:
        raise _bad("content is required, at most 5000 characters", "content")
    message = conversations.add_message(world, thread, sender="shop", author=account.name, body=content)
    conversations.shop_replied(world, thread, message)
    world.record_action(account.key, f"thread/{discussionId}", "postDiscussionMessage", body)
    return Response(201, {"messageId": message["id"], "createdAt": message["at"]})
