"""Amazon's Reports API (reports_2021-06-30): the reports the sandbox makes, each by its document maker.

createReport `{reportType*, marketplaceIds*, dataStartTime, dataEndTime}` answers a reportId; the report
is done at once (getReport: DONE with its reportDocumentId); getReportDocument gives the document's URL,
downloaded as the feeds' documents are (`/_documents/{id}`). Reports made:
- GET_V2_SELLER_PERFORMANCE_REPORT, following accountHealthReport-2020-11-18.json: fixed figures of a
  healthy seller over Amazon's windows (late shipment 30 days, cancellation 7, valid tracking 30, order
  defects 60), rates as fractions (the schema types `rate` as a number; the fraction is unverified);
- GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE, the returns requested in the data range (amazon_returns).
"""

from __future__ import annotations

import datetime as dt
import json
import secrets

from .amazon_returns import RETURNS_REPORT, returns_document
from .amazon_wire import json_body, request_headers
from .wire import ApiError, Response, iso, parse_iso

SELLER_PERFORMANCE = "GET_V2_SELLER_PERFORMANCE_REPORT"


def _range(world, days: int) -> dict:
    end = world.now()
    return {"reportingDateFrom": iso(end - dt.timedelta(days=days)), "reportingDateTo": iso(end)}


POLICY_VIOLATIONS = (
    "listingPolicyViolations",
    "productAuthenticityCustomerComplaints",
    "productConditionCustomerComplaints",
    "productSafetyCustomerComplaints",
    "receivedIntellectualPropertyComplaints",
    "restrictedProductPolicyViolations",
    "suspectedIntellectualPropertyViolations",
    "foodAndProductSafetyIssues",
    "otherPolicyViolations",
    "documentRequests",
)


def _no_violation(world) -> dict:
    return {
        "reportingDateRange": _range(world, 180),
        "defectsCount": 0,
        "status": "GOOD",
        "targetValue": 0,
        "targetCondition": "EQUALS",
    }


def _order_defects(world, kind: str, *, orders: int, claims: int, chargebacks: int, feedback: int, rate: float):
    return {
        "reportingDateRange": _range(world, 60),
        "orderCount": orders,
        "orderWithDefects": {"count": claims + chargebacks + feedback, "status": "GOOD"},
        "claims": {"count": claims, "status": "NONE"},
        "chargebacks": {"count": chargebacks, "status": "NONE"},
        "negativeFeedback": {"count": feedback, "status": "NONE"},
        "fulfillmentType": kind,
        "status": "GOOD",
        "rate": rate,
        "targetValue": 0.01,
        "targetCondition": "LESS_THAN",
    }


def performance_document(world, marketplace_ids: list[str]) -> dict:
    metrics = []
    for marketplace_id in marketplace_ids:
        metrics.append(
            {
                "marketplaceId": marketplace_id,
                "lateShipmentRate": {
                    "reportingDateRange": _range(world, 30),
                    "orderCount": 1200,
                    "lateShipmentCount": 18,
                    "status": "GOOD",
                    "rate": 0.015,
                    "targetValue": 0.04,
                    "targetCondition": "LESS_THAN",
                },
                "preFulfillmentCancellationRate": {
                    "reportingDateRange": _range(world, 7),
                    "orderCount": 300,
                    "cancellationCount": 2,
                    "status": "GOOD",
                    "rate": 0.0067,
                    "targetValue": 0.025,
                    "targetCondition": "LESS_THAN",
                },
                "validTrackingRate": {
                    "reportingDateRange": _range(world, 30),
                    "shipmentCount": 1150,
                    "validTrackingCount": 1128,
                    "status": "GOOD",
                    "rate": 0.9809,
                    "targetValue": 0.95,
                    "targetCondition": "GREATER_THAN",
                },
                "orderDefectRate": {
                    "mfn": _order_defects(world, "mfn", orders=2400, claims=5, chargebacks=1, feedback=1, rate=0.0029),
                    "afn": _order_defects(world, "afn", orders=600, claims=0, chargebacks=0, feedback=1, rate=0.0017),
                },
                "invoiceDefectRate": {
                    "reportingDateRange": _range(world, 7),
                    "orderCount": 300,
                    "invoiceDefect": {"count": 0, "status": "GOOD"},
                    "missingInvoice": {"count": 0, "status": "NONE"},
                    "lateInvoice": {"count": 0, "status": "NONE"},
                    "status": "GOOD",
                    "rate": 0,
                    "targetValue": 0.05,
                    "targetCondition": "LESS_THAN",
                },
                "onTimeDeliveryRate": {
                    "reportingDateRange": _range(world, 30),
                    "shipmentCountWithValidTracking": 1128,
                    "onTimeDeliveryCount": 1095,
                    "status": "GOOD",
                    "rate": 0.9707,
                    "targetValue": 0.9,
                    "targetCondition": "GREATER_THAN",
                },
                "unitOnTimeDeliveryRate": {
                    "reportingDateRange": _range(world, 30),
                    "status": "GOOD",
                    "targetValue": 0.9,
                    "targetCondition": "GREATER_THAN",
                    "unitOnTimeDeliveryCount": 1190,
                    "totalUnitCount": 1220,
                    "rate": 0.9754,
                },
                "warningStates": [],
                # The schema requires `ahrStatus` and describes `accountHealthRatingStatus`: both are sent.
                "accountHealthRating": {
                    "ahrStatus": "GREAT",
                    "accountHealthRatingStatus": "GREAT",
                    "reportingDateRange": _range(world, 180),
                },
                **{name: _no_violation(world) for name in POLICY_VIOLATIONS},
            }
        )
    return {
        "accountStatuses": [{"marketplaceId": m, "status": "NORMAL"} for m in marketplace_ids],
        "performanceMetrics": metrics,
    }


def _performance(world, account, marketplace_ids: list[str], start: dt.datetime, end: dt.datetime):
    return json.dumps(performance_document(world, marketplace_ids)), "application/json"


def _returns(world, account, marketplace_ids: list[str], start: dt.datetime, end: dt.datetime):
    return returns_document(world, account, iso(start), iso(end)), "text/tab-separated-values; charset=UTF-8"


# Report type → its document maker: (world, account, marketplace ids, start, end) → (content, content type).
REPORTS = {SELLER_PERFORMANCE: _performance, RETURNS_REPORT: _returns}


def create_report(world, account, request) -> Response:
    """createReport: `{reportType*, marketplaceIds*, dataStartTime, dataEndTime}` → 202 `{reportId}`."""
    body = json_body(request)
    if not body.get("reportType") or not isinstance(body.get("marketplaceIds"), list) or not body["marketplaceIds"]:
        raise ApiError(400, "InvalidInput", "reportType and marketplaceIds are required")
    make = REPORTS.get(body["reportType"])
    if make is None:
        raise ApiError(400, "InvalidInput", f"Report type {body['reportType']} is not served by this sandbox")
    now = world.now()
    try:
        end = parse_iso(body["dataEndTime"]) if body.get("dataEndTime") else now
        start = parse_iso(body["dataStartTime"]) if body.get("dataStartTime") else end.replace(year=end.year - 1)
    except ValueError:
        raise ApiError(400, "InvalidInput", "dataStartTime and dataEndTime must be ISO 8601 dates") from None
    content, content_type = make(world, account, list(body["marketplaceIds"]), start, end)
    document_id = "amzn1.spdoc.1.4.eu." + world.new_document_id("amazon_documents", "").lower()
    world.documents.setdefault("amazon_documents", {})[document_id] = {
        "account": account.key,
        "content": content,
        "content_type": content_type,
    }
    report_id = str(50_000_000_000 + secrets.randbelow(9_999_999_999))
    world.documents.setdefault("amazon_reports", {})[report_id] = {
        "account": account.key,
        "reportId": report_id,
        "reportType": body["reportType"],
        "marketplaceIds": body["marketplaceIds"],
        "dataStartTime": iso(start),
        "dataEndTime": iso(end),
        "createdTime": iso(now),
        "processingStartTime": iso(now),
        "processingEndTime": iso(now),
        "processingStatus": "DONE",
        "reportDocumentId": document_id,
    }
    return Response(202, {"reportId": report_id}, request_headers())


def get_report(world, account, request, reportId: str) -> Response:
    report = world.documents.get("amazon_reports", {}).get(reportId)
    if report is None or report["account"] != account.key:
        raise ApiError(404, "NotFound", "The requested report was not found")
    return Response(200, {k: v for k, v in report.items() if k != "account"}, request_headers())


def get_report_document(world, account, request, reportDocumentId: str) -> Response:
    document = world.documents.get("amazon_documents", {}).get(reportDocumentId)
    if document is None or document["account"] != account.key:
        raise ApiError(404, "NotFound", "The requested report document was not found")
    return Response(
        200,
        {"reportDocumentId": reportDocumentId, "url": f"{request.base_url}/_documents/{reportDocumentId}"},
        request_headers(),
    )
