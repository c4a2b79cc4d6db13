"""Two operators (or an operator and an ERP) shipping the same order at once, on separate connections:
the units ship once, the other gets a clear refusal, the marketplace hears once."""

import threading

import pytest
from django.db import connection

from oms import outbox
from oms.errors import DomainError
from orders import pushes
from orders.actions import Actor
from orders.models import Order
from shipping import actions
from shipping.models import Shipment
from tests.factories import MarketplaceAccountFactory, OrderLineDataFactory, make_order


@pytest.mark.django_db(transaction=True)
def test_the_same_units_shipped_twice_at_once_ship_once():
    order = make_order(
        account=MarketplaceAccountFactory(platform="ebay"),
        lines=[OrderLineDataFactory(quantity=2, sku="KETTLE"), OrderLineDataFactory(quantity=1, sku="TEAPOT")],
    )
    start = threading.Barrier(4)
    outcomes: list[str] = []
    numbers = ["6A00000000011", "6A00000000012", "1Z999AA10123456784", "6A00000000013"]

    def ship(number: str) -> None:
        try:
            start.wait()
            carrier = "ups" if number.startswith("1Z") else "colissimo"
            actions.ship_order(order_id=order.pk, actor=Actor.system("test"), carrier=carrier, tracking_number=number)
            outcomes.append("shipped")
        except DomainError as error:
            outcomes.append(type(error).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=ship, args=(number,)) for number in numbers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["IllegalTransition"] * 3 + ["shipped"]
    assert Shipment.objects.filter(order=order).count() == 1
    assert Order.objects.get(pk=order.pk).status == "shipped"
    ship_pushes = outbox.messages_about(pushes.order_subject(order.pk)).filter(kind=pushes.SHIP)
    assert ship_pushes.count() == 1
