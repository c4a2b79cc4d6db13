"""/api/v1/stock/: read stock, set or adjust in bulk (all or nothing, idempotent), read movements."""

import pytest

from inventory.models import StockMovement
from tests.factories import MarketplaceAccountFactory
from tests.inventory.conftest import level, order_of, product, put_stock

pytestmark = pytest.mark.django_db
URL = "/api/v1/stock/"


def body(*items, reason="ERP sync"):
    return {"reason": reason, "items": [{"sku": s, "warehouse": w, "quantity": q} for s, w, q in items]}


def test_read_stock_per_sku_and_warehouse(viewer_api, lyon, paris):
    put_stock("KETTLE", 5, lyon)
    put_stock("KETTLE", 2, paris)
    put_stock("TOASTER", 1, lyon)
    product("TOASTER").__class__.objects.filter(sku="TOASTER").update(low_stock_threshold=3)
    order_of(MarketplaceAccountFactory(), ("KETTLE", 1))

    response = viewer_api.get(URL)
    assert response.status_code == 200
    rows = {row["sku"]: row for row in response.json()["results"]}
    assert (rows["KETTLE"]["on_hand"], rows["KETTLE"]["reserved"], rows["KETTLE"]["available"]) == (7, 1, 6)
    assert [(lv["warehouse"], lv["available"]) for lv in rows["KETTLE"]["levels"]] == [("lyon", 4), ("paris", 2)]
    assert rows["TOASTER"]["low_stock"] is True and rows["KETTLE"]["low_stock"] is False

    assert [r["sku"] for r in viewer_api.get(URL, {"low_stock": "true"}).json()["results"]] == ["TOASTER"]
    assert viewer_api.get(f"{URL}KETTLE/").json()["available"] == 6


def test_bulk_set_is_idempotent(admin_api, lyon, paris):
    product("KETTLE")
    product("TOASTER")
    payload = body(("KETTLE", "lyon", 12), ("TOASTER", "paris", 3))
    headers = {"HTTP_IDEMPOTENCY_KEY": "erp-sync-0001"}

    first = admin_api.post(f"{URL}set/", payload, format="json", **headers)
    again = admin_api.post(f"{URL}set/", payload, format="json", **headers)

    assert first.status_code == again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert {(r["sku"], r["warehouse"], r["on_hand"]) for r in first.json()["levels"]} == {
        ("KETTLE", "lyon", 12),
        ("TOASTER", "paris", 3),
    }
    assert StockMovement.objects.count() == 2
    other = admin_api.post(f"{URL}set/", body(("KETTLE", "lyon", 1)), format="json", **headers)
    assert other.status_code == 422
    assert level("KETTLE", lyon).on_hand == 12


def test_one_bad_row_refuses_the_whole_request_with_each_rows_error(admin_api, lyon, paris):
    put_stock("KETTLE", 5, lyon)
    response = admin_api.post(
        f"{URL}set/",
        body(
            ("KETTLE", "lyon", 9),
            ("NOPE", "lyon", 1),
            ("KETTLE", "lyon", 4),
            ("KETTLE", "mars", 1),
            ("KETTLE", "paris", -1),
        ),
        format="json",
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_rows"
    rows = error["details"]["rows"]
    assert set(rows) == {"1", "2", "3", "4", "5"}
    assert "more than once" in rows["1"] and "more than once" in rows["3"]
    assert "Unknown SKU NOPE" in rows["2"]
    assert "Unknown warehouse mars" in rows["4"]
    assert "negative" in rows["5"]
    assert level("KETTLE", lyon).on_hand == 5


def test_a_set_below_what_is_reserved_is_refused(admin_api, lyon):
    put_stock("KETTLE", 5, lyon)
    order_of(MarketplaceAccountFactory(), ("KETTLE", 3))
    response = admin_api.post(f"{URL}set/", body(("KETTLE", "lyon", 2)), format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "below_reserved"
    assert (level("KETTLE", lyon).on_hand, level("KETTLE", lyon).reserved) == (5, 3)


def test_bulk_adjust(admin_api, lyon):
    put_stock("KETTLE", 5, lyon)
    put_stock("TOASTER", 1, lyon)
    response = admin_api.post(f"{URL}adjust/", body(("KETTLE", "lyon", -2), ("TOASTER", "lyon", 4)), format="json")
    assert response.status_code == 200
    assert (level("KETTLE", lyon).on_hand, level("TOASTER", lyon).on_hand) == (3, 5)

    refused = admin_api.post(f"{URL}adjust/", body(("KETTLE", "lyon", 1), ("TOASTER", "lyon", -6)), format="json")
    assert refused.status_code == 409
    assert (level("KETTLE", lyon).on_hand, level("TOASTER", lyon).on_hand) == (3, 5)


def test_operators_and_viewers_cannot_change_stock(operator_api, viewer_api, lyon):
    put_stock("KETTLE", 5, lyon)
    for client in (operator_api, viewer_api):
        assert client.post(f"{URL}set/", body(("KETTLE", "lyon", 1)), format="json").status_code == 403
        assert client.post(f"{URL}adjust/", body(("KETTLE", "lyon", 1)), format="json").status_code == 403
    assert level("KETTLE", lyon).on_hand == 5


def test_movements_by_sku(viewer_api, lyon):
    put_stock("KETTLE", 5, lyon)
    put_stock("TOASTER", 1, lyon)
    response = viewer_api.get("/api/v1/stock-movements/", {"sku": "KETTLE"})
    assert response.status_code == 200
    [movement] = response.json()["results"]
    assert (movement["sku"], movement["warehouse"], movement["on_hand_change"], movement["reason"]) == (
        "KETTLE",
        "lyon",
        5,
        "adjusted",
    )
