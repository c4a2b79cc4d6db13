"""The returns screens: queue, return page and its steps, scan to receive, refund form with preview."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from inventory.models import StockLevel
from oms import outbox
from orders import pushes
from orders.actions import Actor
from returns import actions
from returns.actions import LineReturn
from returns.models import Refund, ReturnRequest, ReturnStatus
from tests.factories import MarketplaceAccountFactory
from tests.inventory.conftest import put_stock
from tests.returns.conftest import shipped_order


def open_return(order, quantity=2, **fields):
    kettle = order.lines.order_by("pk").first()
    return actions.request_return(
        order_id=order.pk, lines=[LineReturn(kettle.pk, quantity, reason="damaged")], actor=Actor.system(), **fields
    )


@pytest.mark.django_db
def test_the_queue_lists_open_returns_most_urgent_first_with_filters(client, viewer, lyon):
    now = timezone.now()
    later = open_return(shipped_order(tag="A"), respond_by=now + dt.timedelta(days=2))
    urgent = open_return(shipped_order(tag="B"), respond_by=now + dt.timedelta(hours=3))
    ebay = open_return(
        shipped_order(account=MarketplaceAccountFactory(platform="ebay"), tag="C"),
        respond_by=now - dt.timedelta(hours=1),
    )
    closed = open_return(shipped_order(tag="D"), respond_by=now - dt.timedelta(days=5))
    actions.refuse_return(return_id=closed.pk, reason="no", actor=Actor.system())
    actions.close_return(return_id=closed.pk, actor=Actor.system())
    client.force_login(viewer)

    page = client.get("/returns/").content.decode()
    positions = [page.index(found.number) for found in (ebay, urgent, later)]
    assert positions == sorted(positions) and closed.number not in page
    assert 'aria-current="page"' in page  # the nav names the screen
    only_ebay = client.get("/returns/", {"platform": "ebay"}).content.decode()
    assert ebay.number in only_ebay and urgent.number not in only_ebay
    overdue = client.get("/returns/", {"deadline": "overdue"}).content.decode()
    assert ebay.number in overdue and later.number not in overdue
    assert closed.number in client.get("/returns/", {"status": "closed"}).content.decode()
    assert later.number in client.get("/returns/", {"warehouse": "lyon", "reason": "damaged"}).content.decode()
    assert later.number not in client.get("/returns/", {"warehouse": "nowhere"}).content.decode()
    searched = client.get("/returns/", {"q": urgent.number}).content.decode()
    assert f"/returns/{urgent.pk}/" in searched and f"/returns/{later.pk}/" not in searched
    french = client.get("/returns/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Retours" in french and "Abîmé à l’arrivée" in french


@pytest.mark.django_db
def test_roles_viewer_reads_outsider_sees_nothing(client, viewer, outsider, lyon):
    found = open_return(shipped_order())
    client.force_login(outsider)
    assert client.get("/returns/").status_code == 403
    assert client.get(f"/returns/{found.pk}/").status_code == 403
    client.force_login(viewer)
    assert client.get(f"/returns/{found.pk}/").status_code == 200
    assert client.post(f"/returns/{found.pk}/authorise/").status_code == 403
    found.refresh_from_db()
    assert found.status == ReturnStatus.REQUESTED


@pytest.mark.django_db
def test_an_operator_works_a_return_from_the_screens(client, operator, lyon):
    put_stock("KETTLE", 3, lyon)
    order = shipped_order()
    found = open_return(order)
    client.force_login(operator)
    base = f"/returns/{found.pk}/"
    assert "Authorise" in client.get(base).content.decode()
    client.post(base + "authorise/")
    client.post(base + "label/", {"carrier": "colissimo", "tracking_number": "8R00000000009"})
    response = client.get("/returns/scan/", {"code": "8R00000000009"})
    assert response.status_code == 302 and response["Location"] == base + "#receive"
    client.post(base + "receive/", {"scanned": "KETTLE\nKETTLE"})
    line = found.lines.get()
    page = client.get(base).content.decode()
    assert f'name="grade_{line.pk}_1"' in page
    on_hand = StockLevel.objects.get(product__sku="KETTLE").on_hand
    client.post(base + "inspect/", {f"grade_{line.pk}_0": "sellable", f"grade_{line.pk}_1": "damaged"})
    assert StockLevel.objects.get(product__sku="KETTLE").on_hand == on_hand + 1
    page = client.get(base).content.decode()
    assert "What the marketplace will receive" in page and "40.00" in page
    client.post(base + "refund/", {"reason": "Returned"})
    found.refresh_from_db()
    assert found.status == ReturnStatus.CLOSED
    assert Refund.objects.get(return_request=found).total_amount == Decimal("40.00")
    french = client.get(base, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Retour autorisé" in french and "Retour inspecté" in french

    # A bad step leaves everything as it was, with a clear message.
    response = client.post(base + "authorise/", follow=True)
    assert "cannot become" in response.content.decode()


@pytest.mark.django_db
def test_the_refund_form_previews_then_sends_after_confirmation(client, operator):
    order = shipped_order()
    kettle, toaster = order.lines.order_by("pk")
    client.force_login(operator)
    url = f"/returns/orders/{order.pk}/refund/"
    assert "Items left" in client.get(url).content.decode()
    assert "Refund…" in client.get(f"/orders/{order.pk}/").content.decode()

    form = {"reason": "Scratch", f"amount_{toaster.pk}": "5", f"quantity_{kettle.pk}": "1", f"amount_{kettle.pk}": "20"}
    preview = client.post(url, form).content.decode()
    assert "What the marketplace will receive" in preview and "Mirakl OR28" in preview
    assert not Refund.objects.exists()  # nothing before the confirmation
    too_much = client.post(url, {**form, f"amount_{kettle.pk}": "41"}, follow=True).content.decode()
    assert "left to refund on the items" in too_much and not Refund.objects.exists()

    response = client.post(url, {**form, "confirm": "yes"})
    assert response.status_code == 302
    refund = Refund.objects.get()
    assert refund.total_amount == Decimal("25.00")
    assert outbox.messages_about(pushes.order_subject(order.pk)).filter(kind=pushes.REFUND).count() == 1
    page = client.get(f"/orders/{order.pk}/").content.decode()
    assert "Returns and refunds" in page and "goodwill" in page


@pytest.mark.django_db
def test_an_operator_opens_a_return_from_the_order(client, operator, viewer):
    order = shipped_order()
    kettle = order.lines.order_by("pk").first()
    client.force_login(viewer)
    assert client.get(f"/returns/orders/{order.pk}/new/").status_code == 403
    client.force_login(operator)
    response = client.post(
        f"/returns/orders/{order.pk}/new/", {f"quantity_{kettle.pk}": "1", f"reason_{kettle.pk}": "defective"}
    )
    found = ReturnRequest.objects.get()
    assert response["Location"] == f"/returns/{found.pk}/"
    assert found.lines.get().reason == "defective"
    bad = client.post(f"/returns/orders/{order.pk}/new/", {f"quantity_{kettle.pk}": "9"}, follow=True)
    assert "may come back" in bad.content.decode() and ReturnRequest.objects.count() == 1


@pytest.mark.django_db
def test_the_queue_stops_counting_at_its_cap(client, viewer, lyon, monkeypatch):
    from oms.pagination import CappedPaginator

    monkeypatch.setattr(CappedPaginator, "CAP", 2)
    opened = [open_return(shipped_order(tag=tag)) for tag in "ABC"]
    client.force_login(viewer)
    page = client.get("/returns/").content.decode()
    assert "2+ returns" in page  # the count stops there; the page still lists every row
    assert all(found.number in page for found in opened)
    assert "2+ retours" in client.get("/returns/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    monkeypatch.setattr(CappedPaginator, "CAP", 10)
    assert "3 returns" in client.get("/returns/").content.decode()
