"""Amazon SP-API Messaging (specs/amazon/messaging.json): the only way to write to an Amazon buyer
first, through the message types Amazon offers for the order.

`offered_types` reads getMessagingActionsForOrder (`_links.actions[].name`); `send` posts one type's
`{"text": …}` (201, empty body). The API has no read-back of sent messages, so a retry after an unknown
outcome could send the message twice: the caller marks the message as being sent before the call and, from
`not_processed`, knows which failures surely left Amazon without it (the rest it must not resend blindly).
"""

from __future__ import annotations

from collections.abc import Mapping

from marketplaces.connectors.amazon import AmazonConnector
from marketplaces.connectors.errors import InvalidRequest, MarketplaceError, TransientError
from marketplaces.connectors.messages import SentMessage

ACTIONS_PATH = "/messaging/v1/orders/{order_id}"
MESSAGE_PATH = "/messaging/v1/orders/{order_id}/messages/{message_type}"
# The message types we send (path segment → operationId).
OPERATIONS: Mapping[str, str] = {
    "unexpectedProblem": "createUnexpectedProblem",
    "confirmOrderDetails": "createConfirmOrderDetails",
    "confirmDeliveryDetails": "createConfirmDeliveryDetails",
}
MAX_TEXT = 2000  # every create request's `text`: minLength 1, maxLength 2000


def offered_types(connector: AmazonConnector, *, order_id: str) -> list[str]:
    response = connector.http.request(
        "GET",
        ACTIONS_PATH.format(order_id=order_id),
        params={"marketplaceIds": connector.marketplace_id},
        operation="getMessagingActionsForOrder",
    )
    return action_names(response.body)


def action_names(body) -> list[str]:
    """The `_links.actions[].name` of a get…ActionsForOrder answer: the Messaging and Solicitations APIs
    share that HAL shape."""
    body = body if isinstance(body, Mapping) else {}
    actions = (body.get("_links") or {}).get("actions") or []
    return [str(action.get("name")) for action in actions if isinstance(action, Mapping) and action.get("name")]


def send(connector: AmazonConnector, *, order_id: str, message_type: str, text: str) -> SentMessage:
    """One message of `message_type` about the order; the caller has checked the type is offered."""
    if message_type not in OPERATIONS:
        raise InvalidRequest(f"no message type {message_type!r}", platform="amazon")
    text = text.strip()
    if not 1 <= len(text) <= MAX_TEXT:
        raise InvalidRequest(f"a message has 1 to {MAX_TEXT} characters", platform="amazon")
    response = connector.http.request(
        "POST",
        MESSAGE_PATH.format(order_id=order_id, message_type=message_type),
        params={"marketplaceIds": connector.marketplace_id},
        json_body={"text": text},
        operation=OPERATIONS[message_type],
    )
    # No thread on Amazon: the request id names the message; our thread keeps its own id.
    return SentMessage("", str(response.headers.get("x-amzn-RequestId", "")))


# 5xx statuses whose description in the spec says the request was not carried out: 500 "An unexpected
# condition occurred that prevented the server from fulfilling the request". 503 ("Temporary overloading or
# maintenance of the server") does not say, nor does a gateway's 502/504: those outcomes are unknown.
NOT_FULFILLED_STATUSES = frozenset({500})


def not_processed(error: MarketplaceError) -> bool:
    """Whether a failed send surely left Amazon without the message: refused before the call, a 4xx or 429
    answer (Amazon read it and said no), a connection never opened, or a 5xx the spec says was not fulfilled.
    False: the outcome is unknown (read timeout, reset connection, other 5xx), Amazon may have it."""
    if isinstance(error, TransientError):
        if error.status is None:
            return not error.outcome_unknown
        return error.status in NOT_FULFILLED_STATUSES
    return True
