"""Amazon's Reports API (specs/amazon/reports_2021-06-30.json), the one way this connector reads a report:
createReport `{reportType, marketplaceIds, dataStartTime, dataEndTime}` → 202 `{reportId}`; getReport →
`{processingStatus (IN_QUEUE, IN_PROGRESS, DONE, CANCELLED, FATAL), reportDocumentId}`; getReportDocument
→ `{url, compressionAlgorithm}`; the URL is pre-signed (no SP-API token goes there), GZIP when it says so.

Read this way: the returns report (amazon_returns) and the seller performance report (the KPIs' platform
figures, AmazonConnector.seller_performance).
"""

from __future__ import annotations

import datetime as dt
import gzip
from collections.abc import Mapping
from typing import Any

import requests

from .errors import TransientError

REPORTS_PATH = "/reports/2021-06-30/reports"
REPORT_PATH = "/reports/2021-06-30/reports/{report_id}"
REPORT_DOCUMENT_PATH = "/reports/2021-06-30/documents/{document_id}"
WAITS = (0, 1, 2, 4)  # seconds between getReport calls before leaving the report to the next read
DONE, FAILED = "DONE", ("CANCELLED", "FATAL")

RATE_LIMITS: Mapping[str, tuple[float, int]] = {
    "createReport": (0.0167, 15),
    "getReport": (2.0, 15),
    "getReportDocument": (0.0167, 15),
}


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class AmazonReports:
    """Reading reports (mixed into AmazonConnector, which gives `http`, `session`, `timeout`, `platform`
    and `marketplace_id`)."""

    def _report(
        self, report_type: str, *, start: dt.datetime | None = None, end: dt.datetime | None = None
    ) -> tuple[str, bytes | None]:
        """(processingStatus, content): the content once the report is DONE, None when Amazon cancelled
        it (no data in the range) or failed to make it. A report still being made after the waits raises
        TransientError: the next read asks again. Asking twice makes two reports, nothing more: safe to
        retry."""
        body: dict[str, Any] = {"reportType": report_type, "marketplaceIds": [self.marketplace_id]}
        if start is not None:
            body["dataStartTime"] = _iso(start)
        if end is not None:
            body["dataEndTime"] = _iso(end)
        created = self.http.request("POST", REPORTS_PATH, json_body=body, idempotent=True, operation="createReport")
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
        status = str(report.get("processingStatus") or "")
        if status in FAILED:
            return status, None
        if status != DONE or not report.get("reportDocumentId"):
            raise TransientError(
                f"{report_type} report {report_id} is {status}: read at the next poll", platform=self.platform
            )
        return status, self._report_document(str(report["reportDocumentId"]))

    def _report_document(self, document_id: str) -> bytes:
        response = self.http.request(
            "GET",
            REPORT_DOCUMENT_PATH.format(document_id=requests.utils.quote(document_id, safe="")),
            operation="getReportDocument",
        )
        body = response.body if isinstance(response.body, dict) else {}
        if not body.get("url"):
            raise TransientError("getReportDocument response without url", platform=self.platform, body=body)
        try:
            download = self.session.get(body["url"], timeout=self.timeout)
        except requests.RequestException as exc:
            raise TransientError(f"report download failed: {exc}", platform=self.platform) from exc
        if download.status_code >= 400:
            raise TransientError(f"report download failed: HTTP {download.status_code}", platform=self.platform)
        content = download.content
        if str(body.get("compressionAlgorithm", "")).upper() == "GZIP":
            content = gzip.decompress(content)
        return content
