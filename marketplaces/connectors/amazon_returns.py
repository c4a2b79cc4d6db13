"""Amazon returns through the Reports API (specs/amazon/reports_2021-06-30.json): no stored Amazon
file has a returns operation, so returns are read from `GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE`
(Amazon's "Returns reports" page; the report type is not in the spec, whose `reportType` is free).

createReport `{reportType, marketplaceIds, dataStartTime, dataEndTime}` → 202 `{reportId}`; getReport →
`{processingStatus (IN_QUEUE, IN_PROGRESS, DONE, CANCELLED, FATAL), reportDocumentId}`;
getReportDocument → `{url, compressionAlgorithm}`; the URL is pre-signed (no SP-API token), its
content tab-separated text with a header row. Columns read (README: Order ID, Return request date,
Return request status, Amazon RMA ID, Tracking ID, Return reason; and Merchant SKU, Return quantity,
A-to-z claim from Amazon's page, unverified). One report row is one SKU of a return; rows are grouped
by Amazon RMA ID. The report has no line id (a SKU) and no answer deadline (the OMS's own applies).
An A-to-z claim row is an incident.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
from collections.abc import Mapping
from typing import Any

import requests

from .base import ReturnData, ReturnLineData, ReturnPage
from .errors import TransientError
from .payload import InvalidOrder, parse_datetime

REPORTS_PATH = "/reports/2021-06-30/reports"
REPORT_PATH = "/reports/2021-06-30/reports/{report_id}"
REPORT_DOCUMENT_PATH = "/reports/2021-06-30/documents/{document_id}"
RETURNS_REPORT = "GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE"
MAX_SPAN = dt.timedelta(days=60)  # "up to 60 days of data in a single report"
WAITS = (0, 1, 2, 4)  # seconds between getReport calls before leaving the report to the next poll
DONE, FAILED = "DONE", ("CANCELLED", "FATAL")

RATE_LIMITS: Mapping[str, tuple[float, int]] = {
    "createReport": (0.0167, 15),
    "getReport": (2.0, 15),
    "getReportDocument": (0.0167, 15),
}


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


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


class AmazonReturns:
    """The returns half of the Amazon connector (mixed into AmazonConnector)."""

    def list_returns(self, *, since: dt.datetime, page_token: str | None = None) -> ReturnPage:
        """The returns requested since `since` (at most 60 days back), from one returns report."""
        now = dt.datetime.now(dt.UTC)
        start = max(since, now - MAX_SPAN + dt.timedelta(minutes=5))
        created = self.http.request(
            "POST",
            REPORTS_PATH,
            json_body={
                "reportType": RETURNS_REPORT,
                "marketplaceIds": [self.marketplace_id],
                "dataStartTime": _iso(start),
                "dataEndTime": _iso(now),
            },
            operation="createReport",
        )
        report_id = created.body.get("reportId") if isinstance(created.body, dict) else None
        if not report_id:
            raise TransientError("createReport response without reportId", platform=self.platform)
        report: Mapping[str, Any] = {}
        for wait in WAITS:
            if wait:
                self.http.sleep(wait)
            response = self.http.request(
                "GET",
                REPORT_PATH.format(report_id=requests.utils.quote(str(report_id), safe="")),
                operation="getReport",
            )
            report = response.body if isinstance(response.body, dict) else {}
            if report.get("processingStatus") == DONE or report.get("processingStatus") in FAILED:
                break
        status = report.get("processingStatus")
        if status in FAILED:
            return ReturnPage(returns=())  # nothing to report ("CANCELLED": no data in the range)
        if status != DONE or not report.get("reportDocumentId"):
            raise TransientError(
                f"returns report {report_id} is {status}: read at the next poll", platform=self.platform
            )
        return ReturnPage(returns=tuple(parse_returns_report(self._report_text(str(report["reportDocumentId"])))))

    def _report_text(self, document_id: str) -> str:
        response = self.http.request(
            "GET",
            REPORT_DOCUMENT_PATH.format(document_id=requests.utils.quote(document_id, safe="")),
            operation="getReportDocument",
        )
        body = response.body if isinstance(response.body, dict) else {}
        if not body.get("url"):
            raise TransientError("getReportDocument response without url", platform=self.platform, body=body)
        try:
            # A pre-signed storage URL: no SP-API token goes there.
            download = self.session.get(body["url"], timeout=self.timeout)
        except requests.RequestException as exc:
            raise TransientError(f"report download failed: {exc}", platform=self.platform) from exc
        if download.status_code >= 400:
            raise TransientError(f"report download failed: HTTP {download.status_code}", platform=self.platform)
        content = download.content
        if str(body.get("compressionAlgorithm", "")).upper() == "GZIP":
            content = gzip.decompress(content)
        return content.decode("utf-8-sig", "replace")
