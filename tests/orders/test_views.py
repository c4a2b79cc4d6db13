"""The order list and order page in the browser's terms: what is shown, what may be done."""

import pytest
from django.urls import reverse

from orders.models import OrderEvent
from orders.status import OrderStatus
from tests.factories import make_order


@pytest.mark.django_db
def test_htmx_filtering_returns_only_the_table(client, operator):
    make_order(status=OrderStatus.SHIPPED, buyer_name="Élodie Marchand")
    make_order(status=OrderStatus.ACCEPTED, buyer_name="Jean Dupont")
    client.force_login(operator)
    response = client.get(reverse("orders:list"), {"status": "shipped"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html
    assert "Élodie Marchand" in html and "Jean Dupont" not in html


@pytest.mark.django_db
def test_operator_accepts_from_the_order_page(client, operator):
    order = make_order(status=OrderStatus.PENDING_ACCEPTANCE)
    client.force_login(operator)
    page = client.get(reverse("orders:detail", args=[order.pk])).content.decode()
    assert reverse("orders:accept", args=[order.pk]) in page

    response = client.post(reverse("orders:accept", args=[order.pk]), follow=True)

    assert "Order accepted." in response.content.decode()
    order.refresh_from_db()
    assert order.status == OrderStatus.ACCEPTED


@pytest.mark.django_db
def test_illegal_actions_are_not_offered_and_refused_if_sent(client, operator):
    order = make_order(status=OrderStatus.SHIPPED)
    client.force_login(operator)
    page = client.get(reverse("orders:detail", args=[order.pk])).content.decode()
    assert reverse("orders:accept", args=[order.pk]) not in page
    assert reverse("orders:cancel", args=[order.pk]) not in page

    response = client.post(reverse("orders:accept", args=[order.pk]), follow=True)

    assert "cannot become" in response.content.decode()
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    assert not OrderEvent.objects.filter(order=order, to_status=OrderStatus.ACCEPTED).exists()


@pytest.mark.django_db
def test_viewer_sees_no_action_and_no_payload(client, viewer):
    order = make_order(status=OrderStatus.PENDING_ACCEPTANCE)
    client.force_login(viewer)
    page = client.get(reverse("orders:detail", args=[order.pk])).content.decode()
    assert "Timeline" in page
    assert reverse("orders:accept", args=[order.pk]) not in page
    assert "Marketplace payload" not in page


@pytest.mark.django_db
def test_admin_sees_the_raw_payload(client, admin_user):
    order = make_order()
    client.force_login(admin_user)
    page = client.get(reverse("orders:detail", args=[order.pk])).content.decode()
    assert "Marketplace payload" in page and order.marketplace_order_id in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    "status", [OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.CANCELLED, OrderStatus.REFUSED]
)
def test_a_closed_order_counts_down_to_nothing_and_shows_no_empty_action_box(client, operator, status):
    order = make_order(status=status)
    client.force_login(operator)
    page = client.get(reverse("orders:detail", args=[order.pk])).content.decode()
    assert "data-deadline" not in page
    assert '<section class="actions card">' not in page
    assert reverse("orders:hold", args=[order.pk]) not in page
    assert reverse("orders:tag", args=[order.pk]) in page  # tagging stays open


@pytest.mark.django_db
def test_an_open_order_counts_down_its_next_deadline_and_confirms_refusing_and_cancelling(client, operator):
    order = make_order(status=OrderStatus.PENDING_ACCEPTANCE)
    client.force_login(operator)
    page = client.get(reverse("orders:detail", args=[order.pk])).content.decode()
    assert page.count("data-deadline=") == 1  # accept-by; ship-by and deliver-by show their date
    assert 'data-confirm-title="Refuse this order?"' in page
    assert 'data-confirm-title="Cancel this order?"' in page


@pytest.mark.django_db
def test_the_viewer_is_offered_no_selection_shortcut(client, viewer, operator):
    make_order(status=OrderStatus.PENDING_ACCEPTANCE)
    client.force_login(viewer)
    page = client.get(reverse("orders:list")).content.decode()
    assert "<kbd>?</kbd>" in page and "<kbd>x</kbd>" not in page and "<kbd>a</kbd>" not in page
    client.force_login(operator)
    page = client.get(reverse("orders:list")).content.decode()
    assert "<kbd>x</kbd>" in page and "<kbd>a</kbd>" in page
