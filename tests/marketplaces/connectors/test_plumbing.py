"""Shared plumbing: token cache, HTTP timeouts and retries, JSON with Decimal, the registry."""

import datetime as dt
import inspect
import socket
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
import requests

from marketplaces.connectors import CONNECTORS, AccountConfig, CdiscountConnector, MiraklConnector, connector_for
from marketplaces.connectors.errors import MarketplaceError, TransientError
from marketplaces.connectors.http import HttpClient, dumps_json, loads_json
from marketplaces.connectors.mirakl import parse_error as mirakl_error
from marketplaces.connectors.tokens import CachedToken, InMemoryTokenStore
from orders.platforms import CAPABILITIES

UTC = dt.timezone.utc
REPO = Path(__file__).resolve().parents[3]


class Clock:
    def __init__(self):
        self.now = dt.datetime(2026, 11, 23, 10, 0, tzinfo=UTC)

    def __call__(self):
        return self.now


def test_cached_token_is_reused_until_the_margin_then_refreshed():
    clock, fetched = Clock(), []

    def fetch():
        fetched.append(clock.now)
        return f"token-{len(fetched)}", 3600

    token = CachedToken(key="amazon:a", store=InMemoryTokenStore(), fetch=fetch, clock=clock)
    assert token.get() == "token-1"
    clock.now += dt.timedelta(minutes=57)
    assert token.get() == "token-1"  # 3 minutes left, margin is 2
    clock.now += dt.timedelta(minutes=1, seconds=1)
    assert token.get() == "token-2"
    assert len(fetched) == 2


def test_two_connectors_share_one_token_through_the_store():
    store, calls = InMemoryTokenStore(), []

    def fetch():
        calls.append(1)
        return "shared", 7200

    first = CachedToken(key="ebay:x", store=store, fetch=fetch)
    second = CachedToken(key="ebay:x", store=store, fetch=fetch)
    assert first.get() == second.get() == "shared"
    assert len(calls) == 1


def test_refresh_after_401_reuses_a_token_another_worker_already_refreshed():
    store, calls = InMemoryTokenStore(), []

    def fetch():
        calls.append(1)
        return f"t{len(calls)}", 3600

    worker_a = CachedToken(key="k", store=store, fetch=fetch)
    worker_b = CachedToken(key="k", store=store, fetch=fetch)
    rejected = worker_a.get()  # t1
    assert worker_b.refresh(rejected) == "t2"
    assert worker_a.refresh(rejected) == "t2"  # not a third fetch
    assert len(calls) == 2


def test_json_round_trip_keeps_decimal_digits():
    payload = {"amount": Decimal("19.90"), "big": Decimal("1234567890.123456789"), "n": 3, "text": "café"}
    encoded = dumps_json(payload)
    assert encoded == '{"amount": 19.90, "big": 1234567890.123456789, "n": 3, "text": "café"}'
    assert loads_json(encoded)["big"] == Decimal("1234567890.123456789")
    assert loads_json(dumps_json([Decimal("1E+2"), Decimal("-0.05")])) == [Decimal("100"), Decimal("-0.05")]
    for not_a_number in (Decimal("NaN"), Decimal("Infinity")):
        with pytest.raises(ValueError):
            dumps_json({"x": not_a_number})


def client_for(server, **kwargs):
    return HttpClient(
        platform="mirakl",
        base_url=f"{server.url}/mirakl/fnac",
        session=requests.Session(),
        parse_error=mirakl_error,
        backoff_seconds=0,
        **kwargs,
    )


def test_read_timeout_on_a_read_is_retried_then_transient(server):
    server.reply("GET", "/mirakl/fnac/api/orders", body={"orders": [], "total_count": 0}, delay=0.5)
    client = client_for(server, timeout=(1, 0.1), retries=1)
    with pytest.raises(TransientError) as caught:
        client.request("GET", "/api/orders")
    assert caught.value.outcome_unknown is False
    assert len(server.calls("GET", "/mirakl/fnac/api/orders")) == 2


def test_read_timeout_on_a_write_is_not_resent_and_flagged_unknown(server):
    server.reply("PUT", "/mirakl/fnac/api/orders/refund", body={}, delay=0.5)
    client = client_for(server, timeout=(1, 0.1), retries=2)
    with pytest.raises(TransientError) as caught:
        client.request("PUT", "/api/orders/refund", json_body={"refunds": []})
    assert caught.value.outcome_unknown is True
    assert len(server.calls("PUT", "/mirakl/fnac/api/orders/refund")) == 1


def test_connection_refused_is_transient():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = HttpClient(
        platform="mirakl",
        base_url=f"http://127.0.0.1:{port}",
        session=requests.Session(),
        parse_error=mirakl_error,
        retries=0,
    )
    with pytest.raises(TransientError):
        client.request("GET", "/api/orders")


def test_a_write_answered_2xx_with_a_broken_body_is_not_an_error(server):
    server.reply("PUT", "/mirakl/fnac/api/orders/refund", raw=b"{not json")
    response = client_for(server).request("PUT", "/api/orders/refund", json_body={})
    assert response.status == 200 and response.body is None


def test_links_to_other_hosts_are_refused(server):
    client = client_for(server)
    assert client.url_for(f"{server.url}/mirakl/fnac/api/orders?offset=10").endswith("offset=10")
    with pytest.raises(MarketplaceError):
        client.url_for("https://attacker.example/api/orders")


def test_connector_for_picks_the_platform_class():
    mirakl = connector_for(
        AccountConfig(
            platform="mirakl",
            account_key="m",
            api_base_url="http://127.0.0.1:1/mirakl/fnac",
            credentials={"api_key": "k", "shop_id": "1"},
        )
    )
    cdiscount = connector_for(
        AccountConfig(
            platform="cdiscount",
            account_key="c",
            api_base_url="http://127.0.0.1:1/octopia",
            auth_url="http://127.0.0.1:1/t",
            credentials={"client_id": "a", "client_secret": "b", "seller_id": "1"},
        )
    )
    assert isinstance(mirakl, MiraklConnector) and isinstance(cdiscount, CdiscountConnector)
    with pytest.raises(ValueError):
        connector_for(AccountConfig(platform="rakuten", account_key="r", api_base_url="http://127.0.0.1:1"))
    with pytest.raises(ValueError, match="api_key"):
        MiraklConnector(AccountConfig(platform="mirakl", account_key="m", api_base_url="http://127.0.0.1:1"))


def test_timeouts_default_to_5_and_30_seconds():
    connector = connector_for(
        AccountConfig(
            platform="mirakl", account_key="m", api_base_url="http://127.0.0.1:1", credentials={"api_key": "k"}
        )
    )
    assert connector.http.timeout == (5.0, 30.0)


def test_connectors_import_without_django():
    code = "import sys, marketplaces.connectors; print(any(m.startswith('django') for m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_connectors_of_one_account_in_one_process_share_the_token(server):
    server.reply(
        "POST", "/octopia/token", body={"access_token": "shared-token", "expires_in": 7200, "token_type": "Bearer"}
    )
    server.reply(
        "GET", "/octopia/seller/v2/orders", body={"itemsPerPage": 50, "pageIndex": 1, "totalItems": 0, "items": []}
    )
    account = AccountConfig(
        platform="cdiscount",
        account_key="cd-shared",
        api_base_url=f"{server.url}/octopia",
        auth_url=f"{server.url}/octopia/token",
        credentials={"client_id": "a", "client_secret": "b", "seller_id": "1"},
    )
    since = dt.datetime(2026, 11, 23, tzinfo=UTC)
    connector_for(account).list_changed_orders(since=since)
    connector_for(account).list_changed_orders(since=since)  # e.g. the next Celery task
    assert len(server.calls("POST", "/octopia/token")) == 1
    assert [c.headers["authorization"] for c in server.calls("GET", "/octopia/seller/v2/orders")] == [
        "Bearer shared-token"
    ] * 2


PROTOCOL_METHODS = {
    "list_changed_orders": ["since", "page_token"],
    "accept_order": ["order_id", "line_ids"],
    "refuse_order": ["order_id", "line_ids", "reason"],
    "cancel_order": ["order_id", "reason", "lines", "retry"],
    "confirm_shipment": [
        "order_id",
        "carrier",
        "tracking_number",
        "lines",
        "shipped_at",
        "idempotency_key",
        "retry",
        "packages",
    ],
    "refund": ["order_id", "lines", "reason", "idempotency_key", "refunded_before", "retry"],
    "push_stock": ["quantities"],
}


@pytest.mark.parametrize("connector_class", sorted(CONNECTORS.values(), key=lambda c: c.platform))
def test_every_connector_has_the_same_keyword_only_methods(connector_class):
    for name, parameters in PROTOCOL_METHODS.items():
        signature = inspect.signature(getattr(connector_class, name))
        arguments = [p for p in signature.parameters.values() if p.name != "self"]
        assert [p.name for p in arguments] == parameters, (connector_class.__name__, name)
        assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in arguments), (connector_class.__name__, name)
        assert getattr(connector_class, name).__doc__, (connector_class.__name__, name)
    assert connector_class.platform in CAPABILITIES
    assert connector_class.rate_limits


def test_a_refused_connection_on_a_write_is_known_not_sent():
    """No TCP connection, so no byte of the request left: a write may be sent again (not `outcome_unknown`)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = HttpClient(
        platform="amazon",
        base_url=f"http://127.0.0.1:{port}",
        session=requests.Session(),
        parse_error=mirakl_error,
        retries=0,
    )
    with pytest.raises(TransientError) as caught:
        client.request("POST", "/messaging/v1/orders/1/messages/unexpectedProblem", json_body={"text": "x"})
    assert caught.value.outcome_unknown is False
