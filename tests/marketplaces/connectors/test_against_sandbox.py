"""Each connector against the sandbox marketplaces, over real HTTP on 127.0.0.1.

For every platform: an account is created through the sandbox admin API, orders are
generated, read through the connector across several pages, accepted where the
platform has an acceptance step, shipped with tracking (twice, as an outbox retry
would), refunded, another order cancelled (twice); the sandbox's inspection API
must then show each action applied exactly once.
"""

import datetime as dt
import time
from decimal import Decimal

import pytest

from marketplaces.connectors import AccountConfig, RefundLine, ShipmentLine, connector_for
from marketplaces.connectors.errors import TransientError
from marketplaces.sandbox.catalogue import CATALOGUE
from marketplaces.sandbox.testing import running_sandbox
from orders.canonical import CanonicalStatus
from orders.platforms import CAPABILITIES

EPOCH = dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)

CREDENTIALS = {
    "amazon": {
        "client_id": "amzn1.application-oa2-client.it",
        "client_secret": "it-secret",
        "refresh_token": "Atzr|it-refresh",
        "seller_id": "A2ITSELLER",
        "marketplace_id": "A13V1IB3VIYZZH",
    },
    "ebay": {"client_id": "OmsIt-PRD-01", "client_secret": "it-secret", "refresh_token": "v^1.1#it"},
    "mirakl": {"api_key": "it-mirakl-key", "shop_id": "2001"},
    "cdiscount": {
        "client_id": "oms-it",
        "client_secret": "it-secret",
        "seller_id": "654321",
        "sales_channel_id": "CDISFR",
    },
}
# The status new orders are generated in, and the canonical status the connector must report.
FRESH = {
    "amazon": ("Unshipped", CanonicalStatus.ACCEPTED),
    "ebay": ("NOT_STARTED", CanonicalStatus.ACCEPTED),
    "mirakl": ("WAITING_ACCEPTANCE", CanonicalStatus.PENDING_ACCEPTANCE),
    "cdiscount": ("WaitingAcceptance", CanonicalStatus.PENDING_ACCEPTANCE),
}
# The sandbox action names that mean "applied" for each step.
SHIP_ACTION = {
    "amazon": "confirmShipment",
    "ebay": "createShippingFulfillment",
    "mirakl": "OR24",
    "cdiscount": "createShipment",
}
REFUND_ACTION = {"amazon": "refund", "ebay": "issueRefund", "mirakl": "OR28", "cdiscount": "createRefund"}
ACCEPT_ACTION = {"mirakl": "OR21", "cdiscount": "validate"}
CANCEL_ACTION = {"amazon": "cancel", "ebay": "createCancellation", "mirakl": "OR29", "cdiscount": "cancel"}


@pytest.fixture(scope="module")
def sandbox():
    # Scaled rate limits: the test checks behaviour, not the platforms' quotas.
    with running_sandbox(rate_scale=1000) as running:
        yield running


def credentials_for(platform, key):
    """Unique credentials per account: the sandbox recognises accounts by them."""
    unique = {"client_id", "api_key", "refresh_token", "seller_id"}
    return {name: f"{value}-{key}" if name in unique else value for name, value in CREDENTIALS[platform].items()}


def make_account(sandbox, platform, key, **settings):
    credentials = credentials_for(platform, key)
    account = sandbox.admin.create_account(
        platform, credentials, key=key, operator="fnac" if platform == "mirakl" else None
    )
    urls = sandbox.admin.account_urls(account)
    config = AccountConfig(
        platform=platform,
        account_key=key,
        api_base_url=urls["api_base_url"],
        auth_url=urls["auth_url"],
        credentials=credentials,
        settings={"page_size": 2, "http_backoff_seconds": 0.05, **settings},
    )
    return connector_for(config)


def read_all(connector, since=EPOCH):
    orders, rejected, pages = {}, [], 0
    token = None
    while True:
        page = connector.list_changed_orders(since=since, page_token=token)
        pages += 1
        orders.update({order.marketplace_order_id: order for order in page.orders})
        rejected.extend(page.rejected)
        token = page.next_page_token
        if not token:
            return orders, rejected, pages


def actions_named(sandbox, key, order_id, name):
    return [action for action in sandbox.admin.order_actions(key, order_id) if action["action"] == name]


TRACKING = {
    "amazon": ("colissimo", "6A10000000001"),
    "ebay": ("colissimo", "6A 1000 0000 002"),
    "mirakl": ("colissimo", "6A10000000003"),
    "cdiscount": ("colissimo", "6A10000000004"),
}


@pytest.mark.parametrize("platform", ["amazon", "ebay", "mirakl", "cdiscount"])
def test_full_order_flow_applies_each_action_once(sandbox, platform):
    key = f"it-{platform}"
    connector = make_account(sandbox, platform, key)
    generated = sandbox.admin.generate_orders(key, 5, status=FRESH[platform][0], lines=2, quantity=1)
    generated_ids = {order["id"] for order in generated}

    orders, rejected, pages = read_all(connector)
    assert rejected == []
    assert set(orders) == generated_ids
    assert pages >= 3  # 5 orders, 2 per page
    assert {order.status for order in orders.values()} == {FRESH[platform][1]}

    order = orders[sorted(generated_ids)[0]]
    line_ids = [line.marketplace_line_id for line in order.lines]
    assert len(line_ids) == 2

    if CAPABILITIES[platform].acceptance_step:
        connector.accept_order(order_id=order.marketplace_order_id, line_ids=line_ids)
        connector.accept_order(order_id=order.marketplace_order_id, line_ids=line_ids)  # a retried accept
        assert len(actions_named(sandbox, key, order.marketplace_order_id, ACCEPT_ACTION[platform])) == 1

    carrier, tracking = TRACKING[platform]
    shipment = dict(
        order_id=order.marketplace_order_id,
        carrier=carrier,
        tracking_number=tracking,
        lines=[ShipmentLine(line.marketplace_line_id, line.quantity) for line in order.lines],
        shipped_at=dt.datetime.now(dt.timezone.utc),
        idempotency_key=f"ship-{order.marketplace_order_id}",
    )
    first = connector.confirm_shipment(**shipment)
    again = connector.confirm_shipment(**shipment)  # what an outbox retry does
    assert first.already_recorded is False
    if platform in ("ebay", "cdiscount", "mirakl"):
        assert again.already_recorded is True
    assert len(actions_named(sandbox, key, order.marketplace_order_id, SHIP_ACTION[platform])) == 1

    line = order.lines[0]
    refund = connector.refund(
        order_id=order.marketplace_order_id,
        reason="Colis endommagé",
        idempotency_key=f"refund-{order.marketplace_order_id}",
        lines=[
            RefundLine(line.marketplace_line_id, line.total_amount, quantity=line.quantity, currency=order.currency)
        ],
    )
    assert refund.refund_ids
    refunds = actions_named(sandbox, key, order.marketplace_order_id, REFUND_ACTION[platform])
    assert len(refunds) == 1

    cancelled_id = sorted(generated_ids)[1]
    if CAPABILITIES[platform].acceptance_step:  # Mirakl cancels accepted orders; waiting ones are refused
        connector.accept_order(
            order_id=cancelled_id, line_ids=[line.marketplace_line_id for line in orders[cancelled_id].lines]
        )
    connector.cancel_order(order_id=cancelled_id, reason="OutOfStock")
    connector.cancel_order(order_id=cancelled_id, reason="OutOfStock")  # a retried cancel
    assert len(actions_named(sandbox, key, cancelled_id, CANCEL_ACTION[platform])) == 1

    latest, _, _ = read_all(connector)
    assert latest[order.marketplace_order_id].status == CanonicalStatus.SHIPPED
    assert latest[cancelled_id].status == CanonicalStatus.CANCELLED
    untouched = sorted(generated_ids)[2]
    assert latest[untouched].status == FRESH[platform][1]


@pytest.mark.parametrize("platform", ["amazon", "ebay", "cdiscount"])
def test_expired_tokens_are_refreshed_transparently(sandbox, platform):
    key = f"it-token-{platform}"
    connector = make_account(sandbox, platform, key)
    sandbox.admin.generate_orders(key, 1, status=FRESH[platform][0])
    assert len(read_all(connector)[0]) == 1
    sandbox.admin.expire_tokens(key)
    assert len(read_all(connector)[0]) == 1
    assert sandbox.admin.count(key, "token")["requests"] == 2


@pytest.mark.parametrize(
    "platform, operation", [("ebay", "createShippingFulfillment"), ("cdiscount", "createShipment")]
)
def test_a_shipment_whose_answer_was_lost_is_not_created_twice(sandbox, platform, operation):
    key = f"it-lost-{platform}"
    connector = make_account(sandbox, platform, key, timeout_read=0.3)
    sandbox.admin.generate_orders(key, 1, status="Accepted" if platform == "cdiscount" else "NOT_STARTED", lines=1)
    (order,) = read_all(connector)[0].values()
    shipment = dict(
        order_id=order.marketplace_order_id,
        carrier="colissimo",
        tracking_number="6A20000000001",
        lines=[ShipmentLine(order.lines[0].marketplace_line_id, order.lines[0].quantity)],
        shipped_at=dt.datetime.now(dt.timezone.utc),
        idempotency_key="lost-1",
    )
    # The platform applies the shipment but answers after our read timeout.
    sandbox.admin.inject_fault(key, "timeout", operation=operation, seconds=1.0)
    with pytest.raises(TransientError) as caught:
        connector.confirm_shipment(**shipment)
    assert caught.value.outcome_unknown is True
    time.sleep(1.5)  # let the sandbox finish applying it
    retried = connector.confirm_shipment(**shipment)
    assert retried.already_recorded is True
    assert len(actions_named(sandbox, key, order.marketplace_order_id, SHIP_ACTION[platform])) == 1


@pytest.mark.parametrize("platform", ["mirakl", "cdiscount"])
def test_an_import_report_names_the_refused_skus_and_their_reason(sandbox, platform):
    key = f"it-stock-report-{platform}"
    connector = make_account(sandbox, platform, key)
    refused, taken = CATALOGUE[7].sku, CATALOGUE[8].sku
    sandbox.admin.set_stock_rejections(key, {refused: "Prix hors plage autorisée"})
    ((submission_id, skus),) = connector.push_stock(quantities={refused: 2, taken: 3}).awaiting_report.items()
    report = connector.read_stock_report(submission_id=submission_id, skus=skus)
    assert report.rejected == {refused: "Prix hors plage autorisée"} and report.accepted == (taken,)
    assert set(sandbox.admin.stock(key)["stock"]) == {taken}


@pytest.mark.parametrize("platform", ["amazon", "ebay", "mirakl", "cdiscount"])
def test_stock_reaches_the_platform(sandbox, platform):
    key = f"it-stock-{platform}"
    connector = make_account(sandbox, platform, key)
    generated = sandbox.admin.generate_orders(key, 1, status=FRESH[platform][0], lines=2)
    (order,) = read_all(connector)[0].values()
    skus = [line.sku for line in order.lines]
    assert generated[0]["id"] == order.marketplace_order_id
    result = connector.push_stock(quantities={skus[0]: 7, skus[1]: 0})
    # Mirakl and Cdiscount import asynchronously: the SKUs are confirmed by the import's report.
    reports = [connector.read_stock_report(submission_id=i, skus=s) for i, s in result.awaiting_report.items()]
    assert bool(reports) == (platform in ("mirakl", "cdiscount"))
    accepted = set(result.accepted).union(*(report.accepted for report in reports))
    assert accepted == set(skus) and not any(r.rejected or r.deferred for r in [result, *reports])
    published = sandbox.admin.stock(key)["stock"]
    assert published[skus[0]]["quantity"] == 7
    assert published[skus[1]]["quantity"] == 0


def test_amounts_arrive_as_decimal(sandbox):
    connector = make_account(sandbox, "mirakl", "it-money")
    sandbox.admin.generate_orders("it-money", 2, status="SHIPPING")
    for order in read_all(connector)[0].values():
        assert isinstance(order.total_amount, Decimal)
        assert order.total_amount == sum(
            (line.total_amount + line.shipping_amount for line in order.lines), Decimal("0")
        )


@pytest.mark.parametrize(
    "platform, operation, kind",
    [
        ("amazon", "getOrders", "truncated_json"),
        ("ebay", "getOrders", "malformed_json"),
        ("mirakl", "OR11", "http_error"),
        ("cdiscount", "getOrders", "http_error"),
    ],
)
def test_reads_survive_one_transient_fault(sandbox, platform, operation, kind):
    key = f"it-fault-{platform}"
    connector = make_account(sandbox, platform, key)
    sandbox.admin.generate_orders(key, 1, status=FRESH[platform][0])
    sandbox.admin.inject_fault(key, kind, operation=operation, status=503)
    orders, rejected, _ = read_all(connector)
    assert len(orders) == 1 and rejected == []
    assert sandbox.admin.count(key, operation)["requests"] == 2  # the faulty answer, then the retry
