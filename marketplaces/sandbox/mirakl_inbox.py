"""Mirakl buyer conversations: M11 (list, `updated_since`), M10 (one thread), M12 (reply), OR43 (open a
thread on an order), shaped as `specs/mirakl/mmp-seller-openapi.json` (M11's `data` and
`next_page_token`, the `metadata.shop_reply_needed_since` of each thread).

M11's page size (`limit`, default 50, at most 100) and next-page parameter (`page_token`) are not in
the spec's parameter list: (unverified), from Mirakl's "seek pagination" documentation.
"""

from __future__ import annotations

import base64
import email
import email.policy
import json

from . import conversations
from .wire import ApiError, Response, parse_iso

DEFAULT_LIMIT, MAX_LIMIT = 50, 100
SENDER_TYPES = {"customer": "CUSTOMER_USER", "shop": "SHOP_USER", "operator": "OPERATOR_USER"}


def _participants(account, thread: dict) -> list[dict]:
    shop = {"display_name": account.name, "id": account.credentials["shop_id"], "type": "SHOP"}
    customer = {"display_name": thread["customer"]["name"], "id": thread["customer"]["id"], "type": "CUSTOMER"}
    return [shop, customer]


def _sender(account, thread: dict, message: dict) -> dict:
    sender = {"display_name": message["author"], "type": SENDER_TYPES[message["from"]]}
    if message["from"] == "shop":
        sender["organization_details"] = {
            "display_name": account.name,
            "id": account.credentials["shop_id"],
            "type": "SHOP",
        }
    return sender


def render_message(account, thread: dict, message: dict) -> dict:
    shop, customer = _participants(account, thread)
    rendered = {
        "body": message["body"],
        "date_created": message["at"],
        "from": _sender(account, thread, message),
        "id": message["id"],
        "to": [customer] if message["from"] == "shop" else [shop],
    }
    if message["attachments"]:
        rendered["attachments"] = message["attachments"]
    return rendered


def render_thread(account, thread: dict, *, with_messages: bool) -> dict:
    participants = _participants(account, thread)
    last = thread["messages"][-1]
    entities = []
    if thread["order_id"]:
        entities.append({"id": thread["order_id"], "label": thread["order_id"], "type": "MMP_ORDER"})
    rendered = {
        "authorized_participants": participants,
        "current_participants": participants,
        "date_created": thread["created_at"],
        "date_updated": thread["updated_at"],
        "entities": entities,
        "id": thread["id"],
        "metadata": {
            "last_message_date": last["at"],
            "last_sender": _sender(account, thread, last),
            "shop_reply_needed_since": conversations.reply_needed_since(thread),
            "total_count": len(thread["messages"]),
        },
        "topic": {"type": "FREE_TEXT", "value": thread["subject"]},
    }
    if with_messages:
        rendered["messages"] = [render_message(account, thread, m) for m in thread["messages"][-100:]]
    return rendered


def _threads(world, account) -> dict[str, dict]:
    return world.threads.get(account.key, {})


def _thread(world, account, thread_id: str) -> dict:
    thread = _threads(world, account).get(thread_id)
    if thread is None:
        raise ApiError(404, "", f"Thread {thread_id} not found")
    return thread


def list_threads(world, account, request) -> Response:
    """M11: threads updated at or after `updated_since`, oldest change first, seek-paged."""
    limit = request.arg("limit", str(DEFAULT_LIMIT))
    if not limit.isdigit() or not 1 <= int(limit) <= MAX_LIMIT:
        raise ApiError(400, "", f"limit must be between 1 and {MAX_LIMIT}")
    entity_type, entity_ids = request.arg("entity_type"), set(request.args("entity_id"))
    if entity_ids and not entity_type:
        raise ApiError(400, "", "entity_type is required with entity_id")
    since = request.arg("updated_since")
    try:
        since = parse_iso(since) if since else None
    except ValueError:
        raise ApiError(400, "", "Invalid date format for parameter updated_since") from None
    after = _decode_token(request.arg("page_token"))
    chosen = []
    for thread in _threads(world, account).values():
        if since is not None and parse_iso(thread["updated_at"]) < since:
            continue
        if entity_type == "MMP_ORDER" and not thread["order_id"]:
            continue
        if entity_ids and thread["order_id"] not in entity_ids:
            continue
        chosen.append(thread)
    chosen.sort(key=lambda t: (t["updated_at"], t["id"]))
    if after is not None:
        chosen = [t for t in chosen if (t["updated_at"], t["id"]) > after]
    page = chosen[: int(limit)]
    with_messages = request.arg("with_messages", "false").lower() == "true"
    body = {"data": [render_thread(account, t, with_messages=with_messages) for t in page]}
    if len(chosen) > len(page):
        body["next_page_token"] = _encode_token(page[-1])
    return Response(200, body, page_key=("data",))


def _encode_token(thread: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps([thread["updated_at"], thread["id"]]).encode()).decode()


def _decode_token(token: str | None):
    if not token:
        return None
    try:
        updated_at, thread_id = json.loads(base64.urlsafe_b64decode(token.encode()))
    except (ValueError, TypeError):
        raise ApiError(400, "", "Invalid page_token") from None
    return (updated_at, thread_id)


def get_thread(world, account, request, thread_id: str) -> Response:
    """M10: one thread with its messages."""
    return Response(200, render_thread(account, _thread(world, account, thread_id), with_messages=True))


def _json_part(request, name: str) -> dict:
    content_type = request.header("content-type")
    if not content_type.startswith("multipart/form-data"):
        raise ApiError(400, "", "multipart/form-data expected")
    message = email.message_from_bytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + request.body, policy=email.policy.HTTP
    )
    for part in message.iter_parts():
        if part.get_param("name", header="content-disposition") == name:
            try:
                value = json.loads(part.get_payload(decode=True).decode("utf-8"))
            except ValueError:
                raise ApiError(400, "", f"{name} is not valid JSON") from None
            if isinstance(value, dict):
                return value
    raise ApiError(400, "", f"{name} is required")


def _file_parts(request) -> list[dict]:
    """The multipart `files` parts (M12/OR43: "List of attachments for the message")."""
    message = email.message_from_bytes(
        b"Content-Type: " + request.header("content-type").encode() + b"\r\n\r\n" + request.body,
        policy=email.policy.HTTP,
    )
    files = []
    for part in message.iter_parts():
        if part.get_param("name", header="content-disposition") != "files":
            continue
        content = part.get_payload(decode=True) or b""
        name = part.get_filename() or "file"
        if not content:
            raise ApiError(400, "", f"The file {name} is empty")
        files.append({"name": name, "content_type": part.get_content_type(), "content": content})
    return files


def download_attachment(world, account, request, attachment_id: str) -> Response:
    """M13: an attachment's content."""
    item = conversations.stored_file(world, attachment_id)
    if item is None or item["account"] != account.key:
        raise ApiError(404, "", f"Attachment with id {attachment_id} not found")
    return Response(200, item["content"], content_type=item["content_type"])


def _body_text(data: dict) -> str:
    body = data.get("body")
    if not isinstance(body, str) or not 3 <= len(body) <= 50_000:
        raise ApiError(400, "", "body must be between 3 and 50000 characters")
    return body


def reply(world, account, request, thread_id: str) -> Response:
    """M12: the shop's message on a thread → 201 {message_id, thread_id}."""
    thread = _thread(world, account, thread_id)
    data = _json_part(request, "message_input")
    body = _body_text(data)
    if not isinstance(data.get("to"), list) or not data["to"]:
        raise ApiError(400, "", "to is required")
    try:
        attachments = conversations.keep_files(world, thread, _file_parts(request))
    except ValueError as error:
        raise ApiError(400, "", str(error)) from None
    message = conversations.add_message(
        world, thread, sender="shop", author=account.name, body=body, attachments=attachments or None
    )
    conversations.shop_replied(world, thread, message)
    world.record_action(account.key, f"thread/{thread_id}", "M12", {**data, "files": [a["name"] for a in attachments]})
    return Response(201, {"message_id": message["id"], "thread_id": thread_id})


def open_thread(world, account, request, order_id: str) -> Response:
    """OR43: the shop opens a thread with the customer on an order → 201 {message_id, thread_id}."""
    if world.order(account.key, order_id) is None:
        raise ApiError(404, "", f"Order with id {order_id} not found")
    data = _json_part(request, "thread_input")
    body = _body_text(data)
    topic = data.get("topic")
    if not isinstance(topic, dict) or not topic.get("value") or not isinstance(data.get("to"), list):
        raise ApiError(400, "", "topic and to are required")
    thread, message = conversations.open_by_shop(
        world, account, order_id=order_id, subject=str(topic["value"]), body=body
    )
    world.record_action(account.key, order_id, "OR43", data)
    return Response(201, {"message_id": message["id"], "thread_id": thread["id"]})
