"""Octopia (Cdiscount) claims. UNVERIFIED: no official description is stored (specs/README.md); the path
and fields are the format agreed with the marketplace sandbox (`sandbox/cdiscount_claims.py`), shaped
like the orders' pages.

GET /seller/v2/claims (updatedAtMin, pageSize, pageIndex 1-based) → `{itemsPerPage, pageIndex,
totalItems, items [{claimId, orderId, type, status, reason, createdAt, updatedAt, responseDeadline,
lines [{lineId, sellerProductId, quantity}]}]}`. A claim of type `Return` is a return, any other type
an incident; `responseDeadline` is its deadline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from .base import ReturnData, ReturnLineData, ReturnPage
from .errors import TransientError
from .payload import InvalidOrder, parse_datetime

CLAIMS_PATH = "/seller/v2/claims"
CLAIMS_PAGE = 50  # (unverified)
RETURN_TYPE = "Return"


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def map_claim(raw: Mapping[str, Any]) -> ReturnData:
    claim_id, order_id = str(raw.get("claimId") or ""), str(raw.get("orderId") or "")
    if not claim_id or not order_id:
        raise InvalidOrder("claim without claimId or orderId")
    kind = "return" if raw.get("type") == RETURN_TYPE else "incident"
    deadline = raw.get("responseDeadline")
    return ReturnData(
        return_id=claim_id,
        order_id=order_id,
        state=str(raw.get("status") or ""),
        created_at=parse_datetime(raw.get("createdAt"), "createdAt"),
        updated_at=parse_datetime(raw.get("updatedAt"), "updatedAt"),
        lines=tuple(
            ReturnLineData(
                line_id=str(line.get("lineId") or ""),
                sku=str(line.get("sellerProductId") or ""),
                quantity=int(line.get("quantity") or 0),
                reason=str(raw.get("type") or ""),
            )
            for line in raw.get("lines") or []
            if isinstance(line, Mapping)
        ),
        reason=str(raw.get("reason") or raw.get("type") or ""),
        respond_by=parse_datetime(deadline, "responseDeadline") if deadline else None,
        kind=kind,
    )


class CdiscountClaims:
    """The claims half of the Cdiscount connector (mixed into CdiscountConnector)."""

    def list_returns(self, *, since: dt.datetime, page_token: str | None = None) -> ReturnPage:
        """Claims updated since `since`, one page (the token is the next page index)."""
        index = int(page_token) if page_token else 1
        response = self.http.request(
            "GET",
            CLAIMS_PATH,
            params={"updatedAtMin": _iso(since), "pageSize": CLAIMS_PAGE, "pageIndex": index},
            operation="getClaims",
        )
        body = response.body if isinstance(response.body, dict) else {}
        items = body.get("items")
        if not isinstance(items, list):
            raise TransientError("claims response without items", platform=self.platform, body=body)
        found = []
        for raw in items:
            try:
                found.append(map_claim(raw))
            except (InvalidOrder, ValueError, TypeError, AttributeError):
                continue
        per_page = int(body.get("itemsPerPage") or CLAIMS_PAGE)
        more = bool(items) and index * per_page < int(body.get("totalItems") or 0)
        return ReturnPage(returns=tuple(found), next_page_token=str(index + 1) if more else None)
