"""eBay returns through the Post-Order API. UNVERIFIED: eBay publishes it only as HTML pages, no
stored file gives its fields (specs/README.md), so every name here is (unverified).

`GET /post-order/v2/return/search` (`creation_date_range_from`, `limit`, `offset`) → `{members
[{returnId, orderId, state, creationInfo {item {itemId, transactionId, returnQuantity}, reason,
creationDate {value}}, sellerResponseDue {respondByDate {value}}}], paginationOutput {offset, limit,
totalEntries}}`; `POST …/return/{returnId}/decide` `{decision: ACCEPT | DECLINE, comments {content}}`;
`POST …/return/{returnId}/mark_as_received`. `creationInfo.item.itemId` is the listing (the order line's
`legacyItemId`); `sellerResponseDue.respondByDate` is the return's deadline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import requests

from .base import ReturnData, ReturnLineData, ReturnPage
from .errors import TransientError
from .payload import InvalidOrder, parse_datetime

RETURN_SEARCH_PATH = "/post-order/v2/return/search"
RETURN_DECIDE_PATH = "/post-order/v2/return/{return_id}/decide"
RETURN_RECEIVED_PATH = "/post-order/v2/return/{return_id}/mark_as_received"
RETURN_PAGE = 50  # (unverified)


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _value(raw: Any, *path: str) -> Any:
    for key in path:
        raw = raw.get(key) if isinstance(raw, Mapping) else None
    return raw


def map_ebay_return(raw: Mapping[str, Any]) -> ReturnData:
    created = parse_datetime(_value(raw, "creationInfo", "creationDate", "value"), "creationInfo.creationDate")
    due = _value(raw, "sellerResponseDue", "respondByDate", "value")
    item = _value(raw, "creationInfo", "item") or {}
    reason = str(_value(raw, "creationInfo", "reason") or "")
    return_id, order_id = str(raw.get("returnId") or ""), str(raw.get("orderId") or "")
    if not return_id or not order_id:
        raise InvalidOrder("return without returnId or orderId")
    return ReturnData(
        return_id=return_id,
        order_id=order_id,
        state=str(raw.get("state") or ""),
        created_at=created,
        updated_at=created,
        lines=(
            ReturnLineData(
                line_id="",
                product_id=str(item.get("itemId") or ""),
                quantity=int(item.get("returnQuantity") or 0),
                reason=reason,
            ),
        ),
        reason=reason,
        respond_by=parse_datetime(due, "sellerResponseDue.respondByDate") if due else None,
    )


class EbayReturns:
    """The returns half of the eBay connector (mixed into EbayConnector)."""

    def list_returns(self, *, since: dt.datetime, page_token: str | None = None) -> ReturnPage:
        """Post-Order return search, returns created since `since`; offset paging (the token is the offset)."""
        offset = int(page_token) if page_token else 0
        response = self.http.request(
            "GET",
            RETURN_SEARCH_PATH,
            params={"creation_date_range_from": _iso(since), "limit": RETURN_PAGE, "offset": offset},
            operation="searchReturns",
        )
        body = response.body if isinstance(response.body, dict) else {}
        members = body.get("members")
        if not isinstance(members, list):
            raise TransientError("return search response without members", platform=self.platform, body=body)
        found = []
        for raw in members:
            try:
                found.append(map_ebay_return(raw))
            except (InvalidOrder, ValueError, TypeError, AttributeError):
                continue
        total = _value(body, "paginationOutput", "totalEntries")
        following = offset + len(members)
        more = bool(members) and isinstance(total, int) and following < total
        return ReturnPage(returns=tuple(found), next_page_token=str(following) if more else None)

    def answer_return(self, *, return_id: str, accepted: bool, reason: str = "") -> None:
        """decide: ACCEPT or DECLINE (a replay of the same decision is accepted by eBay: unverified)."""
        body: dict[str, Any] = {"decision": "ACCEPT" if accepted else "DECLINE"}
        if reason:
            body["comments"] = {"content": reason[:1000]}
        self.http.request(
            "POST",
            RETURN_DECIDE_PATH.format(return_id=requests.utils.quote(return_id, safe="")),
            json_body=body,
            operation="decideReturn",
        )

    def mark_return_received(self, *, return_id: str) -> None:
        self.http.request(
            "POST",
            RETURN_RECEIVED_PATH.format(return_id=requests.utils.quote(return_id, safe="")),
            json_body={},
            operation="markReturnReceived",
        )

    def close_return(self, *, return_id: str) -> None:
        """No close call on eBay: a return closes there once refunded (unverified)."""
