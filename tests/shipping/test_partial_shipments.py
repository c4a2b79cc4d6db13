"""Shipping an order through shipments, over real HTTP against each marketplace sandbox: a two-line
order shipped in two shipments is partially shipped on both sides after the first, shipped after
the second; each platform records the lines and quantities it takes (Mirakl ships whole orders:
it hears nothing until the last unit ships, then OR23 + OR24 once)."""

import pytest
from django.urls import reverse

from oms import outbox
from orders.models import Order, OrderEvent
from shipping import events
from shipping.models import Shipment
from tests.marketplaces.test_capabilities_first import order_to_ship, sandbox_actions

PLATFORMS = ["amazon", "ebay", "mirakl", "cdiscount"]
# What each platform's order says while some lines are shipped, and once all are.
PARTIAL = {"amazon": "PartiallyShipped", "ebay": "IN_PROGRESS", "mirakl": "SHIPPING", "cdiscount": "InPreparation"}
DONE = {"amazon": "Shipped", "ebay": "FULFILLED", "mirakl": "SHIPPED", "cdiscount": "Shipped"}
SHIP_ACTIONS = {
    "amazon": ["confirmShipment"],
    "ebay": ["createShippingFulfillment"],
    "mirakl": ["OR23", "OR24"],
    "cdiscount": ["createShipment"],
}


def shipped_lines(remote) -> list[list[tuple[str, int]]]:
    """Each shipment the platform recorded, as (line id, quantity) pairs."""
    return [
        sorted((line["line_id"], line["quantity"]) for line in shipment["lines"]) for shipment in remote["shipments"]
    ]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_two_line_order_shipped_in_two_shipments_is_partially_shipped_on_both_sides(
    sandbox, sandbox_account, stocked, operator, operator_api, client, platform
):
    account, key = sandbox_account(platform)
    order = order_to_ship(sandbox, account, key, operator)
    first, second = order.lines.order_by("pk")
    assert order.lines.count() == 2

    # The first line through the API, by its marketplace line id.
    response = operator_api.post(
        f"/api/v1/orders/{order.pk}/ship/",
        {
            "carrier": "ups",
            "tracking_number": "1Z999AA10123456784",
            "lines": [{"line_id": first.marketplace_line_id, "quantity": first.quantity}],
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY="ship-first-line",
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "partially_shipped"
    assert outbox.drain() == ({"sent": 1} if platform != "mirakl" else {})
    remote = sandbox.admin.order(key, order.marketplace_order_id)
    assert remote["status"] == PARTIAL[platform]
    if platform == "mirakl":
        assert sandbox_actions(sandbox, key, order)[-1] == "OR21"  # nothing since the acceptance
        assert OrderEvent.objects.filter(order=order, kind=events.MARKETPLACE_TOLD_AT_THE_END).count() == 1
    else:
        assert shipped_lines(remote) == [[(first.marketplace_line_id, first.quantity)]]

    # The second line from the order page, which offers only what is left.
    client.force_login(operator)
    page = client.get(reverse("orders:detail", args=[order.pk])).content.decode()
    assert f'name="qty_{second.pk}"' in page and f'name="qty_{first.pk}"' not in page
    if platform == "mirakl":
        assert "Mirakl takes whole orders only: it is told when the last unit ships." in page
    response = client.post(
        reverse("orders:ship", args=[order.pk]),
        {"carrier": "colissimo", "tracking_number": "6A 12345 678901", f"qty_{second.pk}": second.quantity},
        follow=True,
    )
    assert "Order shipped." in response.content.decode()
    order.refresh_from_db()
    assert (order.status, order.carrier, order.tracking_number) == ("shipped", "colissimo", "6A12345678901")
    assert Shipment.objects.filter(order=order, status=Shipment.Status.HANDED_OVER).count() == 2
    assert [line.quantity_shipped for line in order.lines.order_by("pk")] == [first.quantity, second.quantity]
    assert outbox.drain() == {"sent": 1}
    remote = sandbox.admin.order(key, order.marketplace_order_id)
    assert remote["status"] == DONE[platform]
    actions = [action for action in sandbox_actions(sandbox, key, order) if action in SHIP_ACTIONS[platform]]
    if platform == "mirakl":
        assert actions == ["OR23", "OR24"]
        assert remote["tracking"]["tracking_number"] == "6A12345678901"
    else:
        assert actions == SHIP_ACTIONS[platform] * 2
        assert shipped_lines(remote) == [
            [(first.marketplace_line_id, first.quantity)],
            [(second.marketplace_line_id, second.quantity)],
        ]
    assert Order.objects.get(pk=order.pk).status == "shipped"
