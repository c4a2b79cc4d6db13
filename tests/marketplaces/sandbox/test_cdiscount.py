"""Octopia (Cdiscount): the agreed v2 format, validate, shipments, cancel, refunds, offer packages."""

from decimal import Decimal

from .support import cdiscount_session, decoded, new_account, unlimited


def _setup(sandbox, **options):
    key, creds = new_account(sandbox, "cdiscount")
    unlimited(sandbox, key)
    order = sandbox.admin.generate_orders(key, 1, **options)[0]
    return key, creds, order, cdiscount_session(sandbox, creds), f"{sandbox.url}/octopia/seller/v2"


def _get(session, api, order_id):
    return decoded(session.get(f"{api}/orders/{order_id}", timeout=10))


def test_processing_becomes_waiting_acceptance_then_expires(sandbox):
    key, creds, order, session, api = _setup(sandbox)
    body = _get(session, api, order["id"])
    assert body["status"] == "Processing" and body["supplyMode"] == "Seller" and body["currencyCode"] == "EUR"
    assert body["totalPrice"] == sum(l["totalPrice"] for l in body["lines"]) + body["shippingPrice"]
    assert isinstance(body["totalPrice"], Decimal)
    sandbox.admin.advance_clock(120)
    assert _get(session, api, order["id"])["status"] == "WaitingAcceptance"
    sandbox.admin.advance_clock(2 * 86400)
    session = cdiscount_session(sandbox, creds)  # the 2-hour token has expired meanwhile
    expired = _get(session, api, order["id"])
    assert expired["status"] == "Refused" and {l["status"] for l in expired["lines"]} == {"Refused"}


def test_validate_needs_every_line_and_the_right_status(sandbox):
    key, creds, order, session, api = _setup(sandbox, lines=2, status="WaitingAcceptance")
    first, second = order["lines"]
    partial = session.post(
        f"{api}/orders/{order['id']}/validate", json={"lines": [{"lineId": first["id"], "accepted": True}]}, timeout=10
    )
    assert partial.status_code == 400 and partial.json()["errors"]
    decisions = {"lines": [{"lineId": first["id"], "accepted": True}, {"lineId": second["id"], "accepted": False}]}
    assert session.post(f"{api}/orders/{order['id']}/validate", json=decisions, timeout=10).status_code == 204
    body = _get(session, api, order["id"])
    assert body["status"] == "Accepted" and [l["status"] for l in body["lines"]] == ["Accepted", "Refused"]
    again = session.post(f"{api}/orders/{order['id']}/validate", json=decisions, timeout=10)
    assert again.status_code == 409 and again.json()["title"] == "Conflict"
    refused_line = session.post(
        f"{api}/orders/{order['id']}/shipments",
        timeout=10,
        json={"carrierCode": "GLS", "trackingNumber": "12345678", "lines": [{"lineId": second["id"], "quantity": 1}]},
    )
    assert refused_line.status_code == 400
    session.post(
        f"{api}/orders/{order['id']}/shipments",
        timeout=10,
        json={
            "carrierCode": "GLS",
            "trackingNumber": "12345678",
            "lines": [{"lineId": first["id"], "quantity": first["quantity"]}],
        },
    )
    assert _get(session, api, order["id"])["status"] == "Shipped"
    sandbox.admin.advance_clock(4 * 86400)
    delivered = _get(cdiscount_session(sandbox, creds), api, order["id"])
    assert delivered["status"] == "Delivered" and [l["status"] for l in delivered["lines"]] == ["Delivered", "Refused"]


def test_shipments_partial_then_complete_and_listed(sandbox):
    key, creds, order, session, api = _setup(sandbox, lines=1, quantity=2, status="Accepted")
    line = order["lines"][0]
    shipment = {
        "carrierCode": "COLISSIMO",
        "trackingNumber": "6A12345678901",
        "trackingUrl": "https://www.laposte.fr/",
        "lines": [{"lineId": line["id"], "quantity": 1}],
    }
    created = session.post(f"{api}/orders/{order['id']}/shipments", json=shipment, timeout=10)
    assert created.status_code == 201 and created.json()["shipmentId"].startswith("SHP-")
    assert created.headers["Location"].endswith(created.json()["shipmentId"])
    assert _get(session, api, order["id"])["status"] == "InPreparation"
    session.post(
        f"{api}/orders/{order['id']}/shipments", json={**shipment, "trackingNumber": "6A12345678902"}, timeout=10
    )
    assert _get(session, api, order["id"])["status"] == "Shipped"
    listed = session.get(f"{api}/orders/{order['id']}/shipments", timeout=10).json()["items"]
    assert [s["trackingNumber"] for s in listed] == ["6A12345678901", "6A12345678902"]
    over = session.post(f"{api}/orders/{order['id']}/shipments", json=shipment, timeout=10)
    assert over.status_code == 409
    sandbox.admin.advance_clock(4 * 86400)
    assert _get(cdiscount_session(sandbox, creds), api, order["id"])["status"] == "Delivered"


def test_cancel_and_refund(sandbox):
    key, creds, order, session, api = _setup(sandbox, status="Accepted")
    assert (
        session.post(f"{api}/orders/{order['id']}/cancel", json={"reason": "OutOfStock"}, timeout=10).status_code == 204
    )
    assert _get(session, api, order["id"])["status"] == "Cancelled"
    assert session.post(f"{api}/orders/{order['id']}/cancel", json={}, timeout=10).status_code == 409
    shipped = sandbox.admin.generate_orders(key, 1, skus=["CASQUE-BT-ANC"], quantity=1, status="Shipped")[0]
    line_id = shipped["lines"][0]["id"]
    refund = session.post(
        f"{api}/orders/{shipped['id']}/refunds",
        timeout=10,
        json={"lines": [{"lineId": line_id, "amount": 20.5}], "reason": "Produit abîmé"},
    )
    assert refund.status_code == 201 and refund.json()["refundId"]
    too_much = session.post(
        f"{api}/orders/{shipped['id']}/refunds",
        timeout=10,
        json={"lines": [{"lineId": line_id, "amount": 200}], "reason": "x"},
    )
    assert too_much.status_code == 400
    actions = [a["action"] for a in sandbox.admin.order_actions(key, shipped["id"])]
    assert actions == ["createRefund"]


def test_fulfilment_orders_are_read_only(sandbox):
    key, creds, order, session, api = _setup(sandbox, afn=True, status="WaitingAcceptance")
    assert _get(session, api, order["id"])["supplyMode"] == "Fulfillment"
    refused = session.post(
        f"{api}/orders/{order['id']}/validate",
        timeout=10,
        json={"lines": [{"lineId": l["id"], "accepted": True} for l in order["lines"]]},
    )
    assert refused.status_code == 409


def test_offer_packages_publish_stock_and_carriers(sandbox):
    key, creds, order, session, api = _setup(sandbox)
    created = session.post(
        f"{api}/offer-packages",
        timeout=10,
        json={
            "type": "Update",
            "offers": [{"sellerProductId": "GOURDE-INOX-750", "stock": 9}, {"sellerProductId": "NOPE", "stock": 1}],
        },
    )
    assert created.status_code == 202
    package = session.get(f"{api}/offer-packages/{created.json()['packageId']}", timeout=10).json()
    assert package["status"] == "Integrated" and package["offerCount"] == 2 and len(package["errors"]) == 1
    assert sandbox.admin.stock(key)["stock"]["GOURDE-INOX-750"]["quantity"] == 9
    too_many = session.post(
        f"{api}/offer-packages",
        timeout=10,
        json={"type": "Update", "offers": [{"sellerProductId": "X", "stock": 1}] * 1001},
    )
    assert too_many.status_code == 400
    carriers = session.get(f"{api}/carriers", timeout=10).json()["items"]
    assert {"code": "MONDIAL_RELAY", "name": "Mondial Relay"} in carriers


def test_relay_orders_carry_the_relay_id_and_status_filter(sandbox):
    key, creds, order, session, api = _setup(sandbox, relay=True, status="WaitingAcceptance")
    body = _get(session, api, order["id"])
    assert body["shippingAddress"]["relayId"] and body["shippingMethod"] == "Relay"
    assert body["billingAddress"]["relayId"] == ""
    sandbox.admin.generate_orders(key, 2, status="Shipped")
    waiting = decoded(session.get(f"{api}/orders", params={"status": "WaitingAcceptance"}, timeout=10))
    assert [o["orderId"] for o in waiting["items"]] == [order["id"]]
    both = decoded(session.get(f"{api}/orders", params={"status": "WaitingAcceptance,Shipped"}, timeout=10))
    assert both["totalItems"] == 3
