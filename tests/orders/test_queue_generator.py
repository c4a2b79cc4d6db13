"""The bench's order generator (COPY): what it writes is what the queue, its search and its sort expect."""

import pytest
from django.core.management import call_command

from order_queue.filters import OrderFilter
from orders.models import Order, OrderEvent, OrderLine
from orders.status import OrderStatus

pytestmark = pytest.mark.django_db


def test_generated_orders_have_lines_and_the_columns_postgres_computes():
    call_command("generate_orders", "300", "--seed", "3")
    assert Order.objects.count() == 300
    assert OrderLine.objects.values("order").distinct().count() == 300
    assert OrderEvent.objects.filter(kind="received").count() == 300
    order = Order.objects.filter(status=OrderStatus.PENDING_ACCEPTANCE).first()
    assert order is not None and order.due_at == order.acceptance_deadline
    assert order.search_document == order.search_document.lower() and order.buyer_email in order.search_document
    done = Order.objects.filter(status=OrderStatus.DELIVERED).first()
    assert done.due_at is None and done.tracking_number
    assert set(OrderFilter({"q": done.tracking_number}, queryset=Order.objects.all()).qs) == {done}
    call_command("generate_orders", "10")  # appends after the existing ids
    assert Order.objects.count() == 310
