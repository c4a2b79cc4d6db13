"""Mirakl connector: mapping of a recorded OR11 response and the requests put on the wire."""

import copy
import datetime as dt
from decimal import Decimal

import pytest

from marketplaces.connectors.base import AccountConfig, CancelLine, RefundLine, ShipmentLine
from marketplaces.connectors.errors import AuthenticationFailed, RateLimited, RejectedByMarketplace
from marketplaces.connectors.http import loads_json
from marketplaces.connectors.mirakl import MiraklConnector, map_order
from orders.canonical import CanonicalStatus

from .conftest import load_payload, load_wire_payload

RESPONSE = load_payload("mirakl_or11_orders.json")
ORDERS = RESPONSE["orders"]
WIRE_ORDERS = load_wire_payload("mirakl_or11_orders.json")["orders"]
UTC = dt.timezone.utc
SINCE = dt.datetime(2026, 11, 23, 8, 0, tzinfo=UTC)

EXPECTED = {
    "STAGING": CanonicalStatus.AWAITING_PAYMENT,
    "WAITING_ACCEPTANCE": CanonicalStatus.PENDING_ACCEPTANCE,
    "WAITING_DEBIT": CanonicalStatus.AWAITING_PAYMENT,
    "WAITING_DEBIT_PAYMENT": CanonicalStatus.AWAITING_PAYMENT,
    "SHIPPING": CanonicalStatus.ACCEPTED,
    "SHIPPED": CanonicalStatus.SHIPPED,
    "TO_COLLECT": CanonicalStatus.SHIPPED,
    "RECEIVED": CanonicalStatus.DELIVERED,
    "CLOSED": CanonicalStatus.DELIVERED,
    "REFUSED": CanonicalStatus.REFUSED,
    "CANCELED": CanonicalStatus.CANCELLED,
}


def in_state(state):
    return next(order for order in ORDERS if order["order_state"] == state)


def make_connector(server, **settings):
    account = AccountConfig(
        platform="mirakl",
        account_key="fnac-2001",
        api_base_url=f"{server.url}/mirakl/fnac",
        credentials={"api_key": "5f7c1c2e-9b1a-4c33-8f00-fnac", "shop_id": "2001"},
        settings={"http_backoff_seconds": 0, **settings},
    )
    return MiraklConnector(account)


def test_the_recorded_payload_holds_every_mirakl_state():
    assert {order["order_state"] for order in ORDERS} == set(EXPECTED)


@pytest.mark.parametrize("state", sorted(EXPECTED))
def test_each_mirakl_state_maps_to_its_canonical_status(state):
    mapped = map_order(in_state(state))
    assert mapped.status == EXPECTED[state]
    assert mapped.marketplace_status == state
    assert mapped.raw is in_state(state)


def test_amounts_are_decimal_and_alpha3_countries_become_alpha2():
    mapped = map_order(in_state("SHIPPING"))
    assert mapped.total_amount == Decimal("224.96")
    assert isinstance(mapped.total_amount, Decimal)
    assert mapped.shipping_amount == Decimal("4.99")
    assert mapped.reference == "261104ABCDE"
    assert mapped.channel == "Fnac.com France"
    assert mapped.ship_by == dt.datetime(2026, 11, 25, 23, 59, 59, tzinfo=UTC)
    assert mapped.shipping_address.country_code == "FR"
    assert mapped.shipping_address.name == "Inès Blanc"
    assert mapped.shipping_address.phone == "0478990011"
    assert mapped.billing_address.city == "Lyon"
    headset, cable = mapped.lines
    assert (headset.sku, headset.quantity, headset.unit_price_amount, headset.total_amount) == (
        "ENC-BOSE-QC45",
        1,
        Decimal("199.99"),
        Decimal("199.99"),
    )
    assert (cable.sku, cable.quantity, cable.unit_price_amount, cable.total_amount) == (
        "CABLE-USBC-2M",
        2,
        Decimal("9.99"),
        Decimal("19.98"),
    )
    assert headset.tax_amount == Decimal("33.33")
    assert headset.marketplace_product_id == "MKP100000000112233"


def test_acceptance_deadline_and_relay_point():
    waiting = map_order(in_state("WAITING_ACCEPTANCE"))
    assert waiting.acceptance_deadline == dt.datetime(2026, 11, 24, 19, 4, 31, tzinfo=UTC)
    assert map_order(in_state("TO_COLLECT")).shipping_address.relay_point_id == "FR-MR-075123"
    assert map_order(in_state("CLOSED")).is_business is True


def test_json_numbers_never_become_float():
    decoded = loads_json('{"price": 0.1, "n": 3}')
    assert decoded == {"price": Decimal("0.1"), "n": 3}


@pytest.mark.parametrize(
    "mutate, reason",
    [
        (lambda o: o.update(order_state="WAITING_REFUND"), "unknown status WAITING_REFUND"),
        (lambda o: o.update(currency_iso_code="euro"), "missing or bad currency currency_iso_code"),
        (lambda o: o.pop("currency_iso_code"), "missing or bad currency currency_iso_code"),
        (lambda o: o["order_lines"][0].update(quantity=-1), "negative quantity quantity: -1"),
        (lambda o: o["order_lines"][0].update(quantity=0), "quantity quantity must be at least 1: 0"),
        (lambda o: o["order_lines"][0].update(price="abc"), "bad amount price: 'abc'"),
        (lambda o: o.update(total_price=-5), "negative amount total_price"),
        (lambda o: o["order_lines"][0].pop("offer_sku"), "missing field offer_sku"),
        (lambda o: o["customer"]["shipping_address"].update(country_iso_code="XYZ"), "unknown country code"),
        (lambda o: o.update(order_lines=[]), "order has no order_lines"),
    ],
)
def test_bad_orders_are_rejected_and_the_page_goes_on(server, mutate, reason):
    broken = copy.deepcopy(WIRE_ORDERS[4])
    mutate(broken)
    server.reply("GET", "/mirakl/fnac/api/orders", body={"orders": [broken, WIRE_ORDERS[5]], "total_count": 2})
    page = make_connector(server).list_changed_orders(since=SINCE)
    assert [o.marketplace_order_id for o in page.orders] == [in_state("SHIPPED")["order_id"]]
    (rejected,) = page.rejected
    assert rejected.marketplace_order_id == broken["order_id"]
    assert reason in rejected.reason


def test_or11_is_paged_with_max_and_offset_until_total_count(server):
    for start in (0, 4, 8):  # 4 + 4 + 3 orders
        server.reply(
            "GET", "/mirakl/fnac/api/orders", body={"orders": WIRE_ORDERS[start : start + 4], "total_count": 11}
        )
    connector = make_connector(server, page_size=4)
    tokens, seen = [], 0
    page = connector.list_changed_orders(since=SINCE)
    while True:
        seen += len(page.orders)
        tokens.append(page.next_page_token)
        if not page.next_page_token:
            break
        page = connector.list_changed_orders(since=SINCE, page_token=page.next_page_token)
    assert tokens == ["4", "8", None]
    assert seen == 11
    calls = server.calls("GET", "/mirakl/fnac/api/orders")
    assert [c.param("offset") for c in calls] == ["0", "4", "8"]
    assert calls[0].query == {
        "start_update_date": ["2026-11-23T08:00:00Z"],
        "max": ["4"],
        "offset": ["0"],
        "shop_id": ["2001"],
    }
    assert calls[0].headers["authorization"] == "5f7c1c2e-9b1a-4c33-8f00-fnac"  # no "Bearer"
    assert page.high_watermark == dt.datetime(2026, 11, 23, 8, 20, tzinfo=UTC)


def test_unauthorized_is_not_retried_with_an_api_key(server):
    server.reply("GET", "/mirakl/fnac/api/orders", status=401, body={"status": 401, "message": "Unauthorized"})
    with pytest.raises(AuthenticationFailed) as caught:
        make_connector(server).list_changed_orders(since=SINCE)
    assert caught.value.message == "Unauthorized"
    assert len(server.calls("GET", "/mirakl/fnac/api/orders")) == 1


def test_429_honours_retry_after(server):
    slept = []
    connector = make_connector(server)
    connector.http.sleep = slept.append
    server.reply(
        "GET",
        "/mirakl/fnac/api/orders",
        status=429,
        body={"status": 429, "message": "Too Many Requests"},
        headers={"Retry-After": "3"},
    )
    server.reply("GET", "/mirakl/fnac/api/orders", body={"orders": [], "total_count": 0})
    page = connector.list_changed_orders(since=SINCE)
    assert page.next_page_token is None
    assert slept == [3.0]


def test_a_long_retry_after_is_raised_not_slept(server):
    server.reply(
        "GET",
        "/mirakl/fnac/api/orders",
        status=429,
        body={"status": 429, "message": "Too Many Requests"},
        headers={"Retry-After": "60"},
    )
    with pytest.raises(RateLimited) as caught:
        make_connector(server).list_changed_orders(since=SINCE)
    assert caught.value.retry_after == 60.0
    assert len(server.calls("GET", "/mirakl/fnac/api/orders")) == 1


def test_accept_sends_every_line(server):
    path = "/mirakl/fnac/api/orders/FNAC-261101-A/accept"
    server.reply("PUT", path, status=204)
    make_connector(server).accept_order(order_id="FNAC-261101-A", line_ids=["FNAC-261101-A-1"])
    (call,) = server.calls("PUT", path)
    assert call.json() == {"order_lines": [{"id": "FNAC-261101-A-1", "accepted": True}]}
    assert call.param("shop_id") == "2001"


def test_accept_refused_because_already_accepted_counts_as_done(server):
    path = "/mirakl/fnac/api/orders/FNAC-261101-A/accept"
    server.reply(
        "PUT",
        path,
        status=400,
        body={"status": 400, "message": "Order FNAC-261101-A is not in WAITING_ACCEPTANCE state"},
    )
    server.reply("GET", "/mirakl/fnac/api/orders/FNAC-261101-A", body=WIRE_ORDERS[4])
    make_connector(server).accept_order(order_id="FNAC-261101-A", line_ids=["FNAC-261101-A-1"])
    assert len(server.calls("PUT", path)) == 1


def test_refuse_on_a_cancelled_order_is_a_rejection(server):
    path = "/mirakl/fnac/api/orders/FNAC-261101-A/accept"
    server.reply("PUT", path, status=400, body={"status": 400, "message": "Order is not in WAITING_ACCEPTANCE state"})
    server.reply(
        "GET", "/mirakl/fnac/api/orders/FNAC-261101-A", body={"order_id": "FNAC-261101-A", "order_state": "CANCELED"}
    )
    with pytest.raises(RejectedByMarketplace) as caught:
        make_connector(server).refuse_order(order_id="FNAC-261101-A", line_ids=["FNAC-261101-A-1"], reason="stock")
    assert "WAITING_ACCEPTANCE" in caught.value.message
    assert server.calls("PUT", path)[0].json() == {"order_lines": [{"id": "FNAC-261101-A-1", "accepted": False}]}


def test_ship_sets_tracking_with_a_carrier_known_to_the_operator_then_ships(server):
    server.reply(
        "GET",
        "/mirakl/fnac/api/shipping/carriers",
        body={
            "carriers": [
                {
                    "code": "COLISSIMO",
                    "label": "Colissimo",
                    "standard_code": "COLISSIMO",
                    "tracking_url": "https://www.laposte.fr/outils/suivre-vos-envois?code={trackingId}",
                },
                {"code": "CHRONO", "label": "Chronopost", "standard_code": "CHRONOPOST", "tracking_url": ""},
            ]
        },
    )
    server.reply("PUT", "/mirakl/fnac/api/orders/FNAC-261104-A/tracking", status=204)
    server.reply("PUT", "/mirakl/fnac/api/orders/FNAC-261104-A/ship", status=204)
    connector = make_connector(server)
    result = connector.confirm_shipment(
        order_id="FNAC-261104-A",
        carrier="chronopost",
        tracking_number="XY123456789FR",
        lines=[ShipmentLine("FNAC-261104-A-1", 1)],
        shipped_at=SINCE,
        idempotency_key="s1",
    )
    assert result.already_recorded is False
    tracking = server.calls("PUT", "/mirakl/fnac/api/orders/FNAC-261104-A/tracking")[0].json()
    assert tracking == {"carrier_code": "CHRONO", "tracking_number": "XY123456789FR"}  # matched by label
    assert server.calls("PUT", "/mirakl/fnac/api/orders/FNAC-261104-A/ship")[0].body == b""


def test_ship_with_a_carrier_the_operator_lacks_sends_name_and_url(server):
    server.reply("GET", "/mirakl/fnac/api/shipping/carriers", body={"carriers": [{"code": "UPS", "label": "UPS"}]})
    server.reply("PUT", "/mirakl/fnac/api/orders/FNAC-261104-A/tracking", status=204)
    server.reply("PUT", "/mirakl/fnac/api/orders/FNAC-261104-A/ship", status=204)
    make_connector(server).confirm_shipment(
        order_id="FNAC-261104-A",
        carrier="mondial_relay",
        tracking_number="12345678",
        lines=[ShipmentLine("FNAC-261104-A-1", 1)],
        shipped_at=SINCE,
        idempotency_key="s1",
    )
    tracking = server.calls("PUT", "/mirakl/fnac/api/orders/FNAC-261104-A/tracking")[0].json()
    assert tracking["carrier_name"] == "Mondial Relay"
    assert tracking["carrier_url"].endswith("numeroExpedition=12345678")
    assert "carrier_code" not in tracking


def test_ship_again_after_an_unknown_outcome_is_recognised(server):
    server.reply(
        "GET", "/mirakl/fnac/api/shipping/carriers", body={"carriers": [{"code": "COLISSIMO", "label": "Colissimo"}]}
    )
    server.reply("PUT", "/mirakl/fnac/api/orders/FNAC-261105-A/tracking", status=204)
    server.reply(
        "PUT",
        "/mirakl/fnac/api/orders/FNAC-261105-A/ship",
        status=400,
        body={"status": 400, "message": "The order is not in SHIPPING state"},
    )
    server.reply(
        "GET", "/mirakl/fnac/api/orders/FNAC-261105-A", body={"order_id": "FNAC-261105-A", "order_state": "SHIPPED"}
    )
    result = make_connector(server).confirm_shipment(
        order_id="FNAC-261105-A",
        carrier="colissimo",
        tracking_number="6A12345678905",
        lines=[ShipmentLine("FNAC-261105-A-1", 1)],
        shipped_at=SINCE,
        idempotency_key="s1",
    )
    assert result.already_recorded is True
    assert len(server.calls("PUT", "/mirakl/fnac/api/orders/FNAC-261105-A/ship")) == 1


def test_refund_sends_amounts_as_json_numbers(server):
    server.reply(
        "PUT",
        "/mirakl/fnac/api/orders/refund",
        body={
            "order_tax_mode": "TAX_INCLUDED",
            "refunds": [
                {
                    "amount": 9.99,
                    "order_line_id": "FNAC-261105-A-2",
                    "order_refund_id": "r-1",
                    "quantity": 1,
                    "reason_code": "15",
                    "refund_id": "3344",
                    "shipping_amount": 0,
                }
            ],
        },
    )
    result = make_connector(server, reason_codes={"damaged": "15"}).refund(
        order_id="FNAC-261105-A",
        reason="damaged",
        idempotency_key="r1",
        lines=[RefundLine("FNAC-261105-A-2", Decimal("9.99"), quantity=1)],
    )
    assert result.refund_ids == ("3344",)
    call = server.calls("PUT", "/mirakl/fnac/api/orders/refund")[0]
    assert b'"amount": 9.99' in call.body and b'"shipping_amount": 0' in call.body
    assert call.json()["refunds"][0]["reason_code"] == "15"


def test_cancel_whole_order_or_lines(server):
    server.reply("PUT", "/mirakl/fnac/api/orders/FNAC-261104-A/cancel", status=204)
    server.reply("PUT", "/mirakl/fnac/api/orders/cancel", status=200, body={})
    connector = make_connector(server)
    connector.cancel_order(order_id="FNAC-261104-A", reason="34")
    connector.cancel_order(
        order_id="FNAC-261104-A", reason="34", lines=[CancelLine("FNAC-261104-A-2", 1, Decimal("9.99"), Decimal("0"))]
    )
    assert server.calls("PUT", "/mirakl/fnac/api/orders/FNAC-261104-A/cancel")[0].body == b""
    body = server.calls("PUT", "/mirakl/fnac/api/orders/cancel")[0].json()
    assert body == {
        "cancelations": [
            {
                "order_line_id": "FNAC-261104-A-2",
                "quantity": 1,
                "amount": 9.99,
                "shipping_amount": 0,
                "reason_code": "34",
            }
        ]
    }


def test_push_stock_sends_one_multipart_csv(server):
    server.reply("POST", "/mirakl/fnac/api/offers/stock/imports", status=201, body={"import_id": "8812"})
    result = make_connector(server).push_stock(quantities={"ENC-BOSE-QC45": 7, "CABLE-USBC-2M": 0})
    (call,) = server.calls("POST", "/mirakl/fnac/api/offers/stock/imports")
    assert call.headers["content-type"].startswith("multipart/form-data")
    assert b'name="file"; filename="stock.csv"' in call.body
    assert (
        b'"offer-sku";"quantity";"warehouse-code";"update-delete"\n"ENC-BOSE-QC45";"7";"";"update"\n"CABLE-USBC-2M";"0";"";"update"'
        in call.body
    )
    assert result.awaiting_report == {"8812": ("ENC-BOSE-QC45", "CABLE-USBC-2M")} and result.accepted == ()


def test_stock_report_reads_the_status_then_the_error_report(server):
    server.reply(
        "GET",
        "/mirakl/fnac/api/offers/stock/imports/8812/status",
        body={
            "import_id": "8812",
            "status": "COMPLETE",
            "has_error_report": True,
            "lines_in_error": 1,
            "lines_in_success": 1,
        },
    )
    server.reply(
        "GET",
        "/mirakl/fnac/api/offers/stock/imports/8812/error_report",
        raw=b'"line-number";"error-message";"offer-sku";"quantity";"warehouse-code";"update-delete"\n'
        b'"2";"The offer is not active";"ENC-BOSE-QC45";"7";"";"update"\n',
        headers={"Content-Type": "text/csv"},
    )
    result = make_connector(server).read_stock_report(submission_id="8812", skus=("ENC-BOSE-QC45", "CABLE-USBC-2M"))
    assert result.rejected == {"ENC-BOSE-QC45": "The offer is not active"} and result.accepted == ("CABLE-USBC-2M",)


@pytest.mark.parametrize(
    ("status", "outcome"), [("WAITING", "deferred"), ("RUNNING", "deferred"), ("FAILED", "rejected")]
)
def test_stock_report_of_an_unfinished_or_failed_import(server, status, outcome):
    server.reply(
        "GET",
        "/mirakl/fnac/api/offers/stock/imports/9/status",
        body={"import_id": "9", "status": status, "has_error_report": False},
    )
    result = make_connector(server).read_stock_report(submission_id="9", skus=("ENC-BOSE-QC45",))
    assert (
        not result.accepted
        and bool(result.deferred) == (outcome == "deferred")
        and bool(result.rejected) == (outcome == "rejected")
    )
    assert not server.calls("GET", "/mirakl/fnac/api/offers/stock/imports/9/error_report")


def test_push_stock_throttled_defers_everything(server):
    server.reply(
        "POST",
        "/mirakl/fnac/api/offers/stock/imports",
        status=429,
        body={"status": 429, "message": "Too Many Requests"},
        headers={"Retry-After": "60"},
    )
    result = make_connector(server).push_stock(quantities={"ENC-BOSE-QC45": 7})
    assert result.deferred == ("ENC-BOSE-QC45",) and result.accepted == ()
