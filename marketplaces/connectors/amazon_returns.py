"""Amazon returns through the Reports API (specs/amazon/reports_2021-06-30.json): no stored Amazon
file has a returns operation, so returns are read from `GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE`
(Amazon's "Returns reports" page; the report type is not in the spec, whose `reportType` is free).

read through amazon_reports; the document is tab-separated text with a header row. Columns read (README: Order ID, Return request date,
Return request status, Amazon RMA ID, Tracking ID, Return reason; and Merchant SKU, Return quantity,
A-to-z claim from Amazon's page, unverified). One report row is one SKU of a return; rows are grouped
by Amazon RMA ID. The report has no line id (a SKU) and no answer deadline (the OMS's own applies).
An A-to-z claim row is an incident.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from .amazon_reports import AmazonReports
from .base import ReturnData, ReturnLineData, ReturnPage
from .payload import InvalidOrder, parse_datetime

RETURNS_REPORT = "GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE"
MAX_SPAN = dt.timedelta(days=60)  # "up to 60 days of data in a single report"


def parse_returns_report(text: str) -> list[ReturnData]:
    """The report's rows grouped by Amazon RMA ID; a row that cannot be read is skipped."""
    grouped: dict[str, dict[str, Any]] = {}
    for row in csv.DictReader(io.StringIO(text), delimiter="\t"):
        row = {(key or "").strip(): (value or "").strip() for key, value in row.items()}
        rma, order_id, sku = row.get("Amazon RMA ID"), row.get("Order ID"), row.get("Merchant SKU")
        try:
            requested = parse_datetime(row.get("Return request date"), "Return request date")
            quantity = int(row.get("Return quantity") or 0)
        except (InvalidOrder, ValueError):
            continue
        if not rma or not order_id or not sku or quantity <= 0:
            continue
        entry = grouped.setdefault(
            rma,
            {
                "order_id": order_id,
                "state": row.get("Return request status", ""),
                "requested": requested,
                "reason": row.get("Return reason", ""),
                "tracking": row.get("Tracking ID", ""),
                "carrier": row.get("Return carrier", ""),
                "claim": False,
                "lines": [],
            },
        )
        entry["claim"] |= row.get("A-to-z claim", "").upper() in ("Y", "YES", "TRUE")
        entry["lines"].append(
            ReturnLineData(line_id="", sku=sku, quantity=quantity, reason=row.get("Return reason", ""))
        )
    return [
        ReturnData(
            return_id=rma,
            order_id=entry["order_id"],
            state=entry["state"],
            created_at=entry["requested"],
            updated_at=entry["requested"],
            lines=tuple(entry["lines"]),
            reason=entry["reason"],
            carrier=entry["carrier"],
            tracking_number=entry["tracking"],
            kind="incident" if entry["claim"] else "return",
        )
        for rma, entry in grouped.items()
    ]


class AmazonReturns(AmazonReports):
    """The returns half of the Amazon connector (mixed into AmazonConnector)."""

    def list_returns(self, *, since: dt.datetime, page_token: str | None = None) -> ReturnPage:
        """The returns requested since `since` (at most 60 days back), from one returns report; none when
        Amazon cancelled the report (no data in the range)."""
        now = dt.datetime.now(dt.UTC)
        start = max(since, now - MAX_SPAN + dt.timedelta(minutes=5))
        _status, content = self._report(RETURNS_REPORT, start=start, end=now)
        if content is None:
            return ReturnPage(returns=())
        return ReturnPage(returns=tuple(parse_returns_report(content.decode("utf-8-sig", "replace"))))
