"""Mirakl: OR21 accept/refuse, OR23 + OR24, OR28, OR29, OR30, STO01/STO02, SH21, expiry."""

from decimal import Decimal

from .support import decoded, mirakl_session, new_account, unlimited


def _setup(sandbox, operator="fnac", **options):
    key, creds = new_account(sandbox, "mirakl", operator=operator)
    unlimited(sandbox, key)
    order = sandbox.admin.generate_orders(key, 1, **options)[0]
    return key, creds, order, mirakl_session(creds), f"{sandbox.url}/mirakl/{operator}/api"


def _state(session, api, order_id):
    """The order as OR11 gives it (OR12's schema is narrower: no pudo id, cancelations, refunds)."""
    orders = decoded(session.get(f"{api}/orders", params={"order_ids": order_id}, timeout=10))["orders"]
    assert len(orders) == 1
    return orders[0]


def test_ids_amounts_and_relay(sandbox):
    key, creds, order, session, api = _setup(sandbox, relay=True, lines=2)
    body = _state(session, api, order["id"])
    assert body["order_id"] == body["commercial_id"] + "-A" and body["commercial_id"].startswith("FNAC")
    assert [l["order_line_id"] for l in body["order_lines"]] == [f"{order['id']}-1", f"{order['id']}-2"]
    assert isinstance(body["total_price"], Decimal)
    assert body["total_price"] == body["price"] + body["shipping_price"]
    assert body["shipping_pudo_id"] and body["shipping_type_code"] == "RELAY"
    assert body["customer"]["shipping_address"]["country_iso_code"] == "FRA"
    single = decoded(session.get(f"{api}/orders/{order['id']}", timeout=10))
    assert single["order_id"] == order["id"] and "shipping_pudo_id" not in single
    assert single["order_lines"][0]["shipping_price_unit"] >= 0


def test_accept_then_tracking_then_ship(sandbox):
    key, creds, order, session, api = _setup(sandbox, lines=2)
    lines = [{"id": l["id"], "accepted": True} for l in order["lines"]]
    before = _state(session, api, order["id"])["last_updated_date"]
    sandbox.admin.advance_clock(5)
    assert session.put(f"{api}/orders/{order['id']}/accept", json={"order_lines": lines}, timeout=10).status_code == 204
    accepted = _state(session, api, order["id"])
    assert accepted["order_state"] == "SHIPPING" and accepted["last_updated_date"] > before
    assert accepted["acceptance_decision_date"] == accepted["last_updated_date"]
    assert {l["order_line_state"] for l in accepted["order_lines"]} == {"SHIPPING"}
    early_ship_order = sandbox.admin.generate_orders(key, 1)[0]
    early = session.put(f"{api}/orders/{early_ship_order['id']}/ship", timeout=10)
    assert early.status_code == 400 and early.json()["status"] == 400
    tracking = {"carrier_code": "COLISSIMO", "tracking_number": "6A12345678901"}
    assert session.put(f"{api}/orders/{order['id']}/tracking", json=tracking, timeout=10).status_code == 204
    assert session.put(f"{api}/orders/{order['id']}/ship", timeout=10).status_code == 204
    shipped = _state(session, api, order["id"])
    assert shipped["order_state"] == "SHIPPED" and shipped["shipping_tracking"] == "6A12345678901"
    assert "6A12345678901" in shipped["shipping_tracking_url"]
    again = session.put(f"{api}/orders/{order['id']}/accept", json={"order_lines": lines}, timeout=10)
    assert again.status_code == 400 and again.json()["code"] == "ORDER_INVALID_STATE"
    assert [a["action"] for a in sandbox.admin.order_actions(key, order["id"])] == ["OR21", "OR23", "OR24"]


def test_accept_needs_every_line_and_refusing_all_refuses_the_order(sandbox):
    key, creds, order, session, api = _setup(sandbox, lines=2)
    partial = session.put(
        f"{api}/orders/{order['id']}/accept",
        timeout=10,
        json={"order_lines": [{"id": order["lines"][0]["id"], "accepted": True}]},
    )
    assert partial.status_code == 400 and partial.json()["code"] == "ORDER_LINE_ACCEPTANCE_DECISION_MISSING"
    assert _state(session, api, order["id"])["order_state"] == "WAITING_ACCEPTANCE"
    refuse = [{"id": l["id"], "accepted": False} for l in order["lines"]]
    assert (
        session.put(f"{api}/orders/{order['id']}/accept", json={"order_lines": refuse}, timeout=10).status_code == 204
    )
    assert _state(session, api, order["id"])["order_state"] == "REFUSED"
    missing = session.put(f"{api}/orders/NOPE-A/accept", json={"order_lines": refuse}, timeout=10)
    assert missing.status_code == 404


def test_unanswered_orders_expire_when_the_clock_passes_the_deadline(sandbox):
    key, creds, order, session, api = _setup(sandbox, short_acceptance=False)
    deadline = order["acceptance_deadline"]  # operator configuration: not in OR11
    assert _state(session, api, order["id"])["acceptance_decision_date"] is None
    sandbox.admin.advance_clock(47 * 3600)
    assert _state(session, api, order["id"])["order_state"] == "WAITING_ACCEPTANCE"
    sandbox.admin.advance_clock(2 * 3600)
    expired = _state(session, api, order["id"])
    assert expired["order_state"] == "REFUSED" and expired["last_updated_date"] > deadline
    assert expired["acceptance_decision_date"] is None  # refused automatically
    actions = sandbox.admin.order_actions(key, order["id"])
    assert [a["action"] for a in actions] == ["expired_by_platform"]


def test_cancel_whole_order_and_single_lines(sandbox):
    key, creds, order, session, api = _setup(sandbox, lines=2, quantity=2, status="SHIPPING")
    line = order["lines"][0]
    partial = session.put(
        f"{api}/orders/cancel",
        timeout=10,
        json={
            "cancelations": [
                {"order_line_id": line["id"], "quantity": 1, "amount": 10, "shipping_amount": 0, "reason_code": "34"}
            ]
        },
    )
    assert partial.status_code == 200 and partial.json()["cancelations"][0]["cancelation_id"]
    body = _state(session, api, order["id"])
    assert body["order_state"] == "SHIPPING" and len(body["order_lines"][0]["cancelations"]) == 1
    assert session.put(f"{api}/orders/{order['id']}/cancel", timeout=10).status_code == 204
    assert _state(session, api, order["id"])["order_state"] == "CANCELED"
    waiting = sandbox.admin.generate_orders(key, 1)[0]
    refused = session.put(f"{api}/orders/{waiting['id']}/cancel", timeout=10)
    assert refused.status_code == 400


def test_refund_only_shipped_lines_within_their_price(sandbox):
    key, creds, order, session, api = _setup(sandbox, skus=["PERCEUSE-18V"], quantity=1, status="SHIPPED")
    line_id = order["lines"][0]["id"]
    ok = session.put(
        f"{api}/orders/refund",
        timeout=10,
        json={
            "refunds": [
                {"order_line_id": line_id, "amount": 29.0, "shipping_amount": 0, "reason_code": "15", "quantity": 1}
            ]
        },
    )
    assert ok.status_code == 200
    assert decoded(ok)["refunds"][0]["amount"] == Decimal("29.00")
    assert _state(session, api, order["id"])["order_lines"][0]["refunds"][0]["amount"] == Decimal("29.00")
    too_much = session.put(
        f"{api}/orders/refund",
        timeout=10,
        json={"refunds": [{"order_line_id": line_id, "amount": 129.0, "shipping_amount": 0, "reason_code": "15"}]},
    )
    assert too_much.status_code == 400
    waiting = sandbox.admin.generate_orders(key, 1)[0]
    early = session.put(
        f"{api}/orders/refund",
        timeout=10,
        json={
            "refunds": [
                {"order_line_id": waiting["lines"][0]["id"], "amount": 1, "shipping_amount": 0, "reason_code": "15"}
            ]
        },
    )
    assert early.status_code == 400


def test_stock_import_csv_and_status(sandbox):
    key, creds, order, session, api = _setup(sandbox)
    csv_text = '"offer-sku";"quantity";"warehouse-code";"update-delete"\n"BOUILL-INOX-17";"12";"";"update"\n"NOPE";"3";"";"update"\n'
    created = session.post(
        f"{api}/offers/stock/imports", files={"file": ("stock.csv", csv_text, "text/csv")}, timeout=10
    )
    assert created.status_code == 201
    import_id = created.json()["import_id"]
    status = session.get(f"{api}/offers/stock/imports/{import_id}/status", timeout=10).json()
    assert status["status"] == "COMPLETE" and status["lines_in_success"] == 1 and status["lines_in_error"] == 1
    assert status["has_error_report"] is True
    report = session.get(f"{api}/offers/stock/imports/{import_id}/error_report", timeout=10)
    assert "NOPE" in report.text and "error-message" in report.text
    assert sandbox.admin.stock(key)["stock"]["BOUILL-INOX-17"]["quantity"] == 12
    no_file = session.post(f"{api}/offers/stock/imports", data={"x": "y"}, timeout=10)
    assert no_file.status_code == 400


def test_carriers_and_unknown_carrier(sandbox):
    key, creds, order, session, api = _setup(sandbox, status="SHIPPING")
    carriers = session.get(f"{api}/shipping/carriers", timeout=10).json()["carriers"]
    assert {"code", "label", "standard_code", "tracking_url"} <= set(carriers[0])
    assert "MONDIAL_RELAY" in {c["code"] for c in carriers}
    bad = session.put(
        f"{api}/orders/{order['id']}/tracking", json={"carrier_code": "PIGEON", "tracking_number": "1"}, timeout=10
    )
    assert bad.status_code == 400


def test_or11_filters_by_update_date_state_and_ids(sandbox):
    key, creds, order, session, api = _setup(sandbox)
    other = sandbox.admin.generate_orders(key, 1, status="SHIPPING")[0]
    by_state = decoded(session.get(f"{api}/orders", params={"order_state_codes": "SHIPPING"}, timeout=10))
    assert [o["order_id"] for o in by_state["orders"]] == [other["id"]]
    by_ids = decoded(session.get(f"{api}/orders", params={"order_ids": f"{order['id']},{other['id']}"}, timeout=10))
    assert by_ids["total_count"] == 2
    sandbox.admin.advance_clock(600)
    cursor = sandbox.admin.now()
    sandbox.admin.advance_clock(5)
    session.put(
        f"{api}/orders/{order['id']}/accept",
        timeout=10,
        json={"order_lines": [{"id": l["id"], "accepted": True} for l in order["lines"]]},
    )
    changed = decoded(session.get(f"{api}/orders", params={"start_update_date": cursor}, timeout=10))
    assert [o["order_id"] for o in changed["orders"]] == [order["id"]]
    bad = session.get(f"{api}/orders", params={"start_update_date": "yesterday"}, timeout=10)
    assert bad.status_code == 400
