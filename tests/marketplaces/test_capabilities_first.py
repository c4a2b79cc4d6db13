"""What a platform would refuse is refused here first, and what it takes is sent in its form.

Over real HTTP against the four sandboxes: a cancel reaches every platform (eBay and
Cdiscount as a whole-order cancel, without a line list) through the action, the API and
the order page; a cancel, a refund or a shipment the platform would refuse for a reason
we know answers 409 (capability) or 400 (input) and changes nothing: not the order, not
the stock reservations, not the outbox, not the sandbox.
"""

import dataclasses

import pytest
import yaml
from django.urls import reverse

from inventory.models import Reservation, StockLevel, Warehouse
from marketplaces import polling
from marketplaces.sandbox.catalogue import CATALOGUE
from oms import outbox
from oms.errors import InvalidInput, NotSupportedByPlatform
from order_queue.api.serializers import ShipSerializer
from order_queue.forms import ShipForm
from orders import actions, carriers, events, platforms, pushes
from orders.models import Order, OrderEvent
from shipping import actions as shipping_actions
from tests.factories import MarketplaceAccountFactory, make_order
from tests.inventory.conftest import put_stock

PLATFORMS = ["amazon", "ebay", "mirakl", "cdiscount"]
# A new order as each platform first shows it to a seller who must act.
READY = {"amazon": "Unshipped", "ebay": None, "mirakl": "WAITING_ACCEPTANCE", "cdiscount": "WaitingAcceptance"}
SKUS = [CATALOGUE[0].sku, CATALOGUE[1].sku]
SHIP_ACTIONS = {
    "amazon": "confirmShipment",
    "ebay": "createShippingFulfillment",
    "mirakl": "OR23",
    "cdiscount": "createShipment",
}
REFUND_ACTIONS = {"amazon": "refund", "ebay": "issueRefund", "mirakl": "OR28", "cdiscount": "createRefund"}
UPS_TRACKING = "1Z999AA10123456784"


@pytest.fixture
def stocked(db):
    lyon = Warehouse.objects.create(code="lyon", name="Lyon", priority=1)
    for sku in SKUS:
        put_stock(sku, 10, lyon)


def new_order(sandbox, account, key) -> Order:
    options = {"status": READY[account.platform]} if READY[account.platform] else {}
    [remote] = sandbox.admin.generate_orders(key, 1, skus=SKUS, **options)
    polling.poll_account(account_id=account.pk)
    return Order.objects.get(account=account, marketplace_order_id=remote["id"])


def order_to_ship(sandbox, account, key, operator) -> Order:
    order = new_order(sandbox, account, key)
    if order.status == "pending_acceptance":
        actions.accept_order(order_id=order.pk, actor=actions.Actor.of_user(operator))
        assert outbox.drain() == {"sent": 1}
    order.refresh_from_db()
    assert order.status == "accepted"
    return order


def cancelled_on_the_platform(sandbox, key, order) -> bool:
    remote = sandbox.admin.order(key, order.marketplace_order_id)
    if order.account.platform == "ebay":
        return remote["cancel"] is not None and remote["cancel"]["initiator"] == "Seller"
    return remote["status"] in {"Canceled", "CANCELED", "Cancelled"}


def sandbox_actions(sandbox, key, order) -> list[str]:
    return [action["action"] for action in sandbox.admin.order_actions(key, order.marketplace_order_id)]


def snapshot(order) -> tuple:
    """Everything a refused action must leave as it was."""
    fresh = Order.objects.get(pk=order.pk)
    return (
        fresh.status,
        fresh.carrier,
        fresh.tracking_number,
        fresh.refunded_amount,
        list(StockLevel.objects.order_by("pk").values_list("reserved", "on_hand")),
        list(Reservation.objects.filter(order=order).order_by("pk").values_list("quantity", "consumed", "released")),
        list(outbox.messages_about(pushes.order_subject(order.pk)).order_by("pk").values_list("kind", "status")),
        OrderEvent.objects.filter(order=order).count(),
    )


def reserved_units() -> int:
    return sum(StockLevel.objects.values_list("reserved", flat=True))


def ordered_units(order) -> int:
    return sum(order.lines.values_list("quantity", flat=True))


# Cancels reach the platform -------------------------------------------------------------


def cancel_through(via, order, operator, client, operator_api):
    if via == "action":
        actions.cancel_order(order_id=order.pk, actor=actions.Actor.of_user(operator), reason="Buyer asked")
    elif via == "api":
        response = operator_api.post(f"/api/v1/orders/{order.pk}/cancel/", {"reason": "Buyer asked"}, format="json")
        assert response.status_code == 200, response.content
        assert response.json()["status"] == "cancelled"
    else:
        client.force_login(operator)
        response = client.post(reverse("orders:cancel", args=[order.pk]), {"reason": "Buyer asked"}, follow=True)
        assert "Order cancelled." in response.content.decode()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("via", ["action", "api", "ui"])
@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_cancel_reaches_the_platform_in_the_form_it_takes(
    sandbox, sandbox_account, stocked, operator, client, operator_api, platform, via
):
    account, key = sandbox_account(platform)
    order = order_to_ship(sandbox, account, key, operator)
    assert reserved_units() == ordered_units(order) > 0

    cancel_through(via, order, operator, client, operator_api)

    message = outbox.messages_about(pushes.order_subject(order.pk)).get(kind=pushes.CANCEL)
    whole_orders_only = not platforms.CAPABILITIES[platform].line_level_cancel
    assert (message.payload["lines"] == []) is whole_orders_only  # eBay, Cdiscount: no line list
    assert outbox.drain() == {"sent": 1}
    assert cancelled_on_the_platform(sandbox, key, order)
    assert Order.objects.get(pk=order.pk).status == "cancelled"
    assert reserved_units() == 0
    assert OrderEvent.objects.filter(order=order, kind=events.PUSH_FAILED).count() == 0

    # The next poll sees the platform agree.
    polling.poll_account(account_id=account.pk)
    assert Order.objects.get(pk=order.pk).status == "cancelled"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("platform", ["ebay", "cdiscount"])
def test_an_order_not_yet_accepted_is_cancelled_whole_where_the_platform_allows_it(
    sandbox, sandbox_account, stocked, operator, platform
):
    account, key = sandbox_account(platform)
    order = new_order(sandbox, account, key)
    actions.cancel_order(order_id=order.pk, actor=actions.Actor.of_user(operator), reason="Out of stock")
    assert outbox.drain() == {"sent": 1}
    assert cancelled_on_the_platform(sandbox, key, order)


# Capabilities: refused before anything changes ----------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("via", ["action", "api", "ui"])
def test_cancelling_a_mirakl_order_waiting_for_acceptance_is_refused_first(
    sandbox, sandbox_account, stocked, operator, client, operator_api, via
):
    account, key = sandbox_account("mirakl")
    order = new_order(sandbox, account, key)
    assert order.status == "pending_acceptance" and reserved_units() == ordered_units(order) > 0
    before = snapshot(order)

    if via == "action":
        with pytest.raises(NotSupportedByPlatform, match="refuse it instead"):
            actions.cancel_order(order_id=order.pk, actor=actions.Actor.of_user(operator), reason="Buyer asked")
    elif via == "api":
        response = operator_api.post(f"/api/v1/orders/{order.pk}/cancel/", {"reason": "Buyer asked"}, format="json")
        assert response.status_code == 409
        error = response.json()["error"]
        assert error["code"] == "not_supported_by_platform"
        assert error["message"] == "Mirakl does not cancel an order waiting for acceptance: refuse it instead."
        assert error["details"]["capability"] == "cancel_before_acceptance"
    else:
        client.force_login(operator)
        response = client.post(
            reverse("orders:cancel", args=[order.pk]), {"reason": "Buyer asked"}, HTTP_ACCEPT_LANGUAGE="fr", follow=True
        )
        assert (
            "Mirakl n’annule pas une commande en attente d’acceptation : refusez-la plutôt."
            in response.content.decode()
        )

    assert snapshot(order) == before
    assert outbox.drain() == {}
    assert sandbox_actions(sandbox, key, order) == []
    assert sandbox.admin.order(key, order.marketplace_order_id)["status"] == "WAITING_ACCEPTANCE"

    # What the platform takes instead: a refusal.
    actions.refuse_order(order_id=order.pk, actor=actions.Actor.of_user(operator), reason="Out of stock")
    assert outbox.drain() == {"sent": 1}
    assert sandbox.admin.order(key, order.marketplace_order_id)["status"] == "REFUSED"
    assert reserved_units() == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_partial_refund_where_the_platform_refunds_whole_lines_only_answers_409(
    sandbox, sandbox_account, stocked, operator, operator_api, monkeypatch, platform
):
    # None of the four refunds whole lines only today: the capability is data, so this
    # test gives one platform at a time that fact and checks that nothing is sent.
    whole_lines_only = dataclasses.replace(platforms.CAPABILITIES[platform], partial_refund_amount=False)
    monkeypatch.setitem(platforms.CAPABILITIES, platform, whole_lines_only)
    account, key = sandbox_account(platform)
    order = order_to_ship(sandbox, account, key, operator)
    shipping_actions.ship_order(
        order_id=order.pk, actor=actions.Actor.of_user(operator), carrier="ups", tracking_number=UPS_TRACKING
    )
    assert outbox.drain() == {"sent": 1}
    line = order.lines.order_by("pk").first()
    before = snapshot(order)

    body = {"reason": "Scratched", "lines": [{"line_id": line.marketplace_line_id, "amount": "1.00"}]}
    response = operator_api.post(f"/api/v1/orders/{order.pk}/refund/", body, format="json")

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "not_supported_by_platform"
    assert error["details"] == {
        "platform": platform,
        "capability": "partial_refund_amount",
        "lines": [line.marketplace_line_id],
    }
    assert snapshot(order) == before
    assert outbox.drain() == {}
    assert REFUND_ACTIONS[platform] not in sandbox_actions(sandbox, key, order)

    # The whole line is what the platform takes.
    body["lines"][0]["amount"] = str(line.total_amount)
    response = operator_api.post(f"/api/v1/orders/{order.pk}/refund/", body, format="json")
    assert response.status_code == 200, response.content
    assert outbox.drain() == {"sent": 1}
    assert sandbox_actions(sandbox, key, order)[-1] == REFUND_ACTIONS[platform]
    assert Order.objects.get(pk=order.pk).refunded_amount == line.total_amount


# Input: refused before the order moves ------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_bad_carrier_or_tracking_number_changes_nothing(
    sandbox, sandbox_account, stocked, operator, client, operator_api, platform
):
    account, key = sandbox_account(platform)
    order = order_to_ship(sandbox, account, key, operator)
    before = snapshot(order)
    url = f"/api/v1/orders/{order.pk}/ship/"

    unknown = operator_api.post(url, {"carrier": "la_poste_pigeon", "tracking_number": "6A12345678901"}, format="json")
    assert unknown.status_code == 400
    assert unknown.json()["error"]["code"] == "invalid" and "carrier" in unknown.json()["error"]["details"]

    malformed = operator_api.post(url, {"carrier": "ups", "tracking_number": "1Z1"}, format="json")
    assert malformed.status_code == 400
    assert malformed.json()["error"]["details"] == {
        "tracking_number": ["1Z1 does not look like a UPS tracking number."]
    }

    client.force_login(operator)
    page = client.post(
        reverse("orders:ship", args=[order.pk]), {"carrier": "colissimo", "tracking_number": "1Z1"}, follow=True
    ).content.decode()
    assert "1Z1 does not look like a Colissimo tracking number." in page

    with pytest.raises(InvalidInput) as refused:
        shipping_actions.ship_order(
            order_id=order.pk, actor=actions.Actor.of_user(operator), carrier="dhl_express", tracking_number="12"
        )
    assert set(refused.value.details) == {"tracking_number"}

    assert snapshot(order) == before
    assert outbox.drain() == {}
    assert SHIP_ACTIONS[platform] not in sandbox_actions(sandbox, key, order)

    # A good number, typed with spaces, ships and reaches the platform as the carrier writes it.
    page = client.post(
        reverse("orders:ship", args=[order.pk]),
        {"carrier": "ups", "tracking_number": "1z 999 aa1 01 2345 6784"},
        follow=True,
    ).content.decode()
    assert "Order shipped." in page
    order.refresh_from_db()
    assert (order.status, order.carrier, order.tracking_number) == ("shipped", "ups", UPS_TRACKING)
    assert outbox.drain() == {"sent": 1}
    assert SHIP_ACTIONS[platform] in sandbox_actions(sandbox, key, order)


@pytest.mark.django_db
def test_a_carrier_the_platform_has_no_code_for_is_refused_in_form_serializer_and_action(operator, monkeypatch):
    monkeypatch.setitem(carriers.PLATFORM_CARRIERS, "ebay", tuple(c for c in carriers.CARRIERS if c != carriers.TNT))
    order = make_order(account=MarketplaceAccountFactory(platform="ebay"), status="accepted")
    entered = {"carrier": carriers.TNT, "tracking_number": "GE123456789"}

    form = ShipForm(entered, platform="ebay")
    assert not form.is_valid() and "carrier" in form.errors
    assert carriers.TNT not in dict(form.fields["carrier"].choices)
    serializer = ShipSerializer(data=entered, context={"platform": "ebay"})
    assert not serializer.is_valid() and serializer.errors["carrier"] == ["eBay does not take the carrier tnt."]
    with pytest.raises(InvalidInput):
        shipping_actions.ship_order(order_id=order.pk, actor=actions.Actor.of_user(operator), **entered)
    order.refresh_from_db()
    assert order.status == "accepted" and not order.carrier


@pytest.mark.django_db
def test_the_api_schema_lists_the_carriers_as_an_enum(viewer_api):
    schema = yaml.safe_load(viewer_api.get("/api/schema/").content)
    [reference] = schema["components"]["schemas"]["ShipRequest"]["properties"]["carrier"]["allOf"]
    enum = schema["components"]["schemas"][reference["$ref"].rsplit("/", 1)[-1]]["enum"]
    assert enum == list(carriers.CARRIERS)
