"""An ERP sync through a client that openapi-python-client generates from the live schema:
incremental orders with updated_since, accept with an Idempotency-Key replayed, ship, set stock."""

import datetime as dt
import importlib
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from inventory.models import StockLevel
from orders.models import Order
from orders.status import OrderStatus
from tests.contract.conftest import token_of

PACKAGE = "oms_erp_client"


@pytest.fixture
def erp_client(world, live_server, admin_user, tmp_path, monkeypatch):
    """Generate the client from the schema the live server serves, import it, authenticate it
    (as the admin: an ERP both acts on orders and counts stock)."""
    headers = {"Authorization": f"Token {token_of(admin_user)}"}
    schema = requests.get(f"{live_server.url}/api/schema/", headers=headers, timeout=30)
    assert schema.status_code == 200
    schema_path = tmp_path / "schema.yaml"
    schema_path.write_bytes(schema.content)
    bin_dir = Path(sys.executable).parent  # the generator formats its output with ruff from the same venv
    generated = subprocess.run(
        [
            bin_dir / "openapi-python-client",
            "generate",
            "--path",
            schema_path,
            "--meta",
            "none",
            "--output-path",
            tmp_path / PACKAGE,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"},
    )
    assert generated.returncode == 0, generated.stdout + generated.stderr
    assert "Warning" not in generated.stdout, generated.stdout  # every operation and model was generated
    monkeypatch.syspath_prepend(str(tmp_path))
    package = importlib.import_module(PACKAGE)
    yield package.AuthenticatedClient(base_url=live_server.url, token=token_of(admin_user), prefix="Token")
    for name in [name for name in sys.modules if name == PACKAGE or name.startswith(f"{PACKAGE}.")]:
        del sys.modules[name]


def _module(name: str):
    return importlib.import_module(f"{PACKAGE}.{name}")


def test_an_erp_syncs_orders_accepts_ships_and_counts_stock_through_the_generated_client(erp_client, world):
    orders_list = _module("api.orders.orders_list")
    accept = _module("api.orders.orders_accept_create")
    ship = _module("api.orders.orders_ship_create")
    stock_set = _module("api.stock.stock_set_create")
    models = _module("models")

    # 1. Incremental sync from the epoch: every order once, oldest change first, unassigned ones too.
    high_water = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
    seen, cursor = {}, None
    while True:
        kwargs = {"cursor": cursor} if cursor else {}
        page = orders_list.sync(client=erp_client, updated_since=high_water, page_size=4, **kwargs)
        assert isinstance(page, models.PaginatedOrderList), page
        seen.update({order.id: order for order in page.results})
        if not page.next_:
            break
        cursor = parse_qs(urlsplit(page.next_).query)["cursor"][0]
    assert set(seen) == {order.pk for order in world["orders"]}
    assert {order.assignee for order in seen.values()} == {None, "oscar-operator"}

    # 2. Accept one waiting order; the retry with the same key replays the first answer.
    waiting = next(order for order in seen.values() if order.status == models.StatusEnum.PENDING_ACCEPTANCE)
    body = models.OptionalReasonRequest(reason="Stock checked by the ERP")
    first = accept.sync_detailed(waiting.id, client=erp_client, body=body, idempotency_key="erp-accept-1")
    again = accept.sync_detailed(waiting.id, client=erp_client, body=body, idempotency_key="erp-accept-1")
    assert first.status_code == 200 and first.parsed.status == models.StatusEnum.ACCEPTED
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert again.parsed.to_dict() == first.parsed.to_dict()
    assert Order.objects.get(pk=waiting.id).events.filter(to_status=OrderStatus.ACCEPTED).count() == 1

    # 3. Ship it with a carrier from the schema's enum.
    shipped = ship.sync(
        waiting.id,
        client=erp_client,
        body=models.ShipRequest(carrier=models.CarrierEnum.COLISSIMO, tracking_number="6A12345678901"),
        idempotency_key="erp-ship-1",
    )
    assert isinstance(shipped, models.OrderDetail), shipped
    assert shipped.status == models.StatusEnum.SHIPPED and shipped.tracking_number == "6A12345678901"

    # 4. Set the counted stock; the next incremental page starts from the last change seen.
    counted = stock_set.sync(
        client=erp_client,
        body=models.StockChangeRequest(
            reason="Nightly ERP count", items=[models.StockRowRequest(sku="CHAIR-01", warehouse="lyon", quantity=7)]
        ),
    )
    assert isinstance(counted, models.StockChangeResult), counted
    assert StockLevel.objects.get(product__sku="CHAIR-01", warehouse__code="lyon").on_hand == 7
    latest = orders_list.sync(client=erp_client, updated_since=shipped.updated_at - dt.timedelta(minutes=2))
    assert waiting.id in {order.id for order in latest.results}
    assert Order.objects.get(pk=waiting.id).status == OrderStatus.SHIPPED


def test_a_bad_instant_comes_back_as_the_error_body_the_client_parses(erp_client):
    orders_list = _module("api.orders.orders_list")
    models = _module("models")
    too_far = dt.datetime(2026, 1, 1, tzinfo=dt.timezone(-dt.timedelta(hours=23)))
    response = orders_list.sync_detailed(client=erp_client, updated_since=too_far)
    assert response.status_code == 400
    assert isinstance(response.parsed, models.Error)
    assert "updated_since" in response.parsed.error.details
