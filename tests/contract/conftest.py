"""A small world of orders, stock and rules served by a live server, and the personas' tokens."""

import pytest
from rest_framework.authtoken.models import Token

from inventory import actions as inventory_actions
from inventory.actions import StockCount
from inventory.models import Product, Warehouse
from orders.actions import Actor
from orders.status import OrderStatus
from orders.triage import assign_order
from rules import actions as rules_actions
from rules.actions import RuleDefinition
from tests.factories import MarketplaceAccountFactory, OrderLineDataFactory, make_order
from webhooks import actions as webhooks_actions
from webhooks.actions import EndpointDefinition

SYSTEM = Actor.system("test")


@pytest.fixture
def world(transactional_db, admin_user, operator):
    """Orders in every step of the flow on two platforms, stock in a warehouse, one rule, one webhook endpoint."""
    mirakl = MarketplaceAccountFactory(platform="mirakl", name="Fnac-Darty")
    amazon = MarketplaceAccountFactory(platform="amazon", name="Amazon FR")
    warehouse = Warehouse.objects.create(code="lyon", name="Lyon", priority=1)
    for sku in ("MUG-01", "CHAIR-01"):
        Product.objects.create(sku=sku, title=f"Product {sku}", low_stock_threshold=2)
    inventory_actions.set_stock(
        rows=[StockCount(sku=sku, warehouse=warehouse.code, quantity=50) for sku in ("MUG-01", "CHAIR-01")],
        actor=SYSTEM,
        note="count",
    )
    orders = []
    for account in (mirakl, amazon):
        for status in (OrderStatus.PENDING_ACCEPTANCE, OrderStatus.ACCEPTED, OrderStatus.SHIPPED):
            line = OrderLineDataFactory(sku="MUG-01", quantity=1)
            orders.append(make_order(account=account, status=status, lines=(line,)))
    assign_order(order_id=orders[1].pk, actor=Actor.of_user(admin_user), assignee_id=operator.pk)
    rules_actions.create_rule(
        definition=RuleDefinition(name="Stock OK", action="accept", conditions=[{"type": "stock"}]),
        created_by=admin_user,
    )
    webhooks_actions.create_endpoint(
        definition=EndpointDefinition(url="http://127.0.0.1:9/hooks", events=("order.created", "stock.low")),
        created_by=admin_user,
    )
    return {"orders": orders, "accounts": (mirakl, amazon), "warehouse": warehouse}


def token_of(user) -> str:
    return Token.objects.get_or_create(user=user)[0].key
