"""Mirakl returns (specs/mirakl/mmp-seller-openapi.json): RT11 read, RT21 answer.

RT11 `GET /api/returns` (`return_last_updated_from`, `page_token`, `shop_id`) →
`{data [{id, state, order_id, order_commercial_id, return_lines [{order_line_id, quantity,
reason_code}], date_created, last_updated, reason_code, label_url, tracking {carrier_code,
tracking_number}}], next_page_token}`. RT11 has no deadline field: our own response time applies.
Incidents: OR11 with `has_incident=true` lists the orders with one in progress, each line in
`INCIDENT_OPEN` (reason in `order_line_state_reason_code`/`_label`); OR64 resolves one with an RE12
reason. RT21 `PUT /api/returns/accept` `{returns [{id, accepted, rejection_reason_code}]}` →
`{return_success [{id}], return_errors [{id, message}]}`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from .base import ReturnData, ReturnLineData, ReturnPage
from .errors import RejectedByMarketplace, TransientError
from .payload import parse_datetime, text_of

RETURNS_PATH = "/api/returns"  # RT11
ACCEPT_RETURNS_PATH = "/api/returns/accept"  # RT21
RECEIVE_RETURNS_PATH = "/api/returns/receive"  # RT25
CLOSE_RETURNS_PATH = "/api/returns/close"  # RT27
ORDERS_PATH = "/api/orders"  # OR11, with has_incident=true for the incidents in progress
RESOLVE_INCIDENT_PATH = "/api/orders/{order_id}/lines/{line}/resolve_incident"  # OR64
INCIDENT_CLOSE_REASONS_PATH = "/api/reasons/incident_close"  # RE12 (deprecated for RE02, still served)
REASONS_PATH = "/api/reasons"  # RE01: every reason, each with its type (REFUND, INCIDENT_OPEN, CANCELATION…)
INCIDENT_OPEN = "INCIDENT_OPEN"
INCIDENT_PAGE = 100  # OR11's maximum page


def _iso_z(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def map_return(raw: Mapping[str, Any]) -> ReturnData:
    tracking = raw.get("tracking") if isinstance(raw.get("tracking"), Mapping) else {}
    return ReturnData(
        return_id=text_of(raw, "id"),
        order_id=text_of(raw, "order_id"),
        state=text_of(raw, "state"),
        created_at=parse_datetime(raw.get("date_created"), "date_created"),
        updated_at=parse_datetime(raw.get("last_updated"), "last_updated"),
        lines=tuple(
            ReturnLineData(
                line_id=text_of(line, "order_line_id"),
                quantity=int(line.get("quantity") or 0),
                reason=text_of(line, "reason_code", required=False),
            )
            for line in raw.get("return_lines") or []
            if isinstance(line, Mapping)
        ),
        reason=text_of(raw, "reason_code", required=False),
        carrier=str(tracking.get("carrier_code") or ""),
        tracking_number=str(tracking.get("tracking_number") or ""),
        label_url=text_of(raw, "label_url", required=False),
    )


class MiraklReturns:
    """The returns half of the Mirakl connector (mixed into MiraklConnector)."""

    def list_returns(self, *, since: dt.datetime, page_token: str | None = None) -> ReturnPage:
        """RT11 from `since` (last update), one seek page; a return that cannot be read is skipped."""
        params = {"page_token": page_token} if page_token else {"return_last_updated_from": _iso_z(since)}
        response = self.http.request("GET", RETURNS_PATH, params=self._params(**params), operation="RT11")
        body = response.body if isinstance(response.body, dict) else {}
        raw = body.get("data")
        if not isinstance(raw, list):
            raise TransientError("RT11 response without data", platform=self.platform, body=body)
        found = []
        for entry in raw:
            try:
                found.append(map_return(entry))
            except (ValueError, TypeError, KeyError):
                continue
        return ReturnPage(returns=tuple(found), next_page_token=body.get("next_page_token") or None)

    def answer_return(self, *, return_id: str, accepted: bool, reason: str = "") -> None:
        """RT21; a return already in the asked state counts as done. Raises RejectedByMarketplace."""
        entry: dict[str, Any] = {"id": return_id, "accepted": accepted}
        if not accepted:
            entry["rejection_reason_code"] = reason or "OTHER"
        self._returns_call(ACCEPT_RETURNS_PATH, entry, "RT21")

    def mark_return_received(self, *, return_id: str) -> None:
        """RT25: the parcel came back (a return already received counts as done)."""
        self._returns_call(RECEIVE_RETURNS_PATH, {"id": return_id}, "RT25")

    def close_return(self, *, return_id: str) -> None:
        """RT27: nothing left to do on the return (a closed one counts as done)."""
        self._returns_call(CLOSE_RETURNS_PATH, {"id": return_id}, "RT27")

    def _returns_call(self, path: str, entry: dict[str, Any], operation: str) -> None:
        response = self.http.request(
            "PUT", path, params=self._params(), json_body={"returns": [entry]}, operation=operation
        )
        body = response.body if isinstance(response.body, dict) else {}
        errors = body.get("return_errors") or []
        if errors:
            raise RejectedByMarketplace(str(errors[0].get("message", "")), platform=self.platform, body=body)

    # -- incidents ------------------------------------------------------------------

    def list_incidents(self, *, since: dt.datetime, page_token: str | None = None) -> ReturnPage:
        """OR11 `has_incident=true` from `since` (max/offset paging): each line in `INCIDENT_OPEN` is an
        incident, its id `incident:<order_line_id>`. OR11 gives no incident deadline: the OMS sets one."""
        offset = int(page_token) if page_token else 0
        response = self.http.request(
            "GET",
            ORDERS_PATH,
            params=self._params(has_incident="true", start_update_date=_iso_z(since), max=INCIDENT_PAGE, offset=offset),
            operation="OR11",
        )
        body = response.body if isinstance(response.body, dict) else {}
        raw = body.get("orders")
        if not isinstance(raw, list):
            raise TransientError("OR11 response without orders", platform=self.platform, body=body)
        found = []
        for order in raw:
            try:
                found.extend(map_incidents(order))
            except (ValueError, TypeError, KeyError, AttributeError):
                continue
        following = offset + len(raw)
        total = body.get("total_count")
        more = bool(raw) and isinstance(total, (int, Decimal)) and following < int(total)
        return ReturnPage(returns=tuple(found), next_page_token=str(following) if more else None)

    def line_states(self, *, order_ids: list[str]) -> dict[str, dict[str, str]]:
        """OR11 `order_ids` (100 at most per call): each order's lines' `order_line_state`, by order id then
        line id; an order Mirakl does not return is left out. Tells an incident closed on Mirakl's side
        (its line no longer `INCIDENT_OPEN`) from one still in progress."""
        states: dict[str, dict[str, str]] = {}
        for start in range(0, len(order_ids), 100):
            chunk = order_ids[start : start + 100]
            response = self.http.request(
                "GET",
                ORDERS_PATH,
                params=self._params(order_ids=",".join(chunk), max=100),
                operation="OR11",
            )
            body = response.body if isinstance(response.body, dict) else {}
            raw = body.get("orders")
            if not isinstance(raw, list):
                raise TransientError("OR11 response without orders", platform=self.platform, body=body)
            for order in raw:
                if not isinstance(order, Mapping) or not order.get("order_id"):
                    continue
                states[str(order["order_id"])] = {
                    str(line.get("order_line_id")): str(line.get("order_line_state") or "")
                    for line in order.get("order_lines") or []
                    if isinstance(line, Mapping) and line.get("order_line_id")
                }
        return states

    def resolve_incident(self, *, order_id: str, line_id: str, reason_code: str) -> None:
        """OR64; a line no longer in incident counts as done (a replay). Raises RejectedByMarketplace."""
        path = RESOLVE_INCIDENT_PATH.format(order_id=quote(order_id, safe=""), line=quote(line_id, safe=""))
        try:
            self.http.request(
                "PUT", path, params=self._params(), json_body={"reason_code": reason_code}, operation="OR64"
            )
        except RejectedByMarketplace as error:
            order = self.order_detail(order_id=order_id)
            states = {
                str(line.get("order_line_id")): line.get("order_line_state")
                for line in order.get("order_lines") or []
                if isinstance(line, Mapping)
            }
            if line_id not in states or states[line_id] == INCIDENT_OPEN:
                raise error

    def reasons(self, *, kind: str | None = None, locale: str | None = None) -> list[tuple[str, str, str]]:
        """RE01: the operator's reasons as (type, code, label), in Mirakl's order; only those of type `kind`
        (e.g. "REFUND") if given. `locale` (e.g. "fr_FR") asks for the labels in that language."""
        params = self._params(**({"locale": locale} if locale else {}))
        response = self.http.request("GET", REASONS_PATH, params=params, operation="RE01")
        body = response.body if isinstance(response.body, dict) else {}
        return [
            (str(reason.get("type") or ""), str(reason["code"]), str(reason.get("label") or reason["code"]))
            for reason in body.get("reasons") or []
            if isinstance(reason, Mapping)
            and reason.get("code") not in (None, "")
            and (kind is None or reason.get("type") == kind)
        ]

    def incident_close_reasons(self) -> list[tuple[str, str]]:
        """RE12: the reasons a seller may give when resolving an incident, as (code, label)."""
        response = self.http.request("GET", INCIDENT_CLOSE_REASONS_PATH, params=self._params(), operation="RE12")
        body = response.body if isinstance(response.body, dict) else {}
        return [
            (str(reason.get("code")), str(reason.get("label") or reason.get("code")))
            for reason in body.get("reasons") or []
            if isinstance(reason, Mapping) and reason.get("code") not in (None, "")
        ]


def map_incidents(order: Mapping[str, Any]) -> list[ReturnData]:
    """The lines of an OR11 order in `INCIDENT_OPEN`, one incident each."""
    found = []
    for line in order.get("order_lines") or []:
        if not isinstance(line, Mapping) or line.get("order_line_state") != INCIDENT_OPEN:
            continue
        line_id = text_of(line, "order_line_id")
        updated = parse_datetime(line.get("last_updated_date") or order.get("last_updated_date"), "last_updated_date")
        reason = text_of(line, "order_line_state_reason_code", required=False)
        found.append(
            ReturnData(
                return_id=f"incident:{line_id}",
                order_id=text_of(order, "order_id"),
                state=INCIDENT_OPEN,
                created_at=updated,
                updated_at=updated,
                lines=(ReturnLineData(line_id=line_id, quantity=int(line.get("quantity") or 0), reason=reason),),
                reason=text_of(line, "order_line_state_reason_label", required=False) or reason,
                kind="incident",
            )
        )
    return found
