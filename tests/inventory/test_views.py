"""The stock screens: list, product page with channel freshness, adjustments, imports, receipts, roles."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from inventory import actions
from inventory.models import ChannelPublication, ChannelRule, Product, PurchaseOrder, PurchaseOrderLine, StockMovement
from tests.factories import MarketplaceAccountFactory
from tests.inventory.conftest import level, order_of, product, put_stock

pytestmark = pytest.mark.django_db


def test_stock_list_with_totals_and_low_stock_filter(client, viewer, lyon, paris):
    put_stock("KETTLE", 5, lyon)
    put_stock("KETTLE", 2, paris)
    put_stock("TOASTER", 1, lyon)
    Product.objects.filter(sku="TOASTER").update(low_stock_threshold=2)
    client.force_login(viewer)

    response = client.get(reverse("inventory:products"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "KETTLE" in page and "TOASTER" in page
    assert "1 product at or under its low-stock alert" in page

    low = client.get(reverse("inventory:products"), {"low_stock": "true"}, HTTP_HX_REQUEST="true")
    assert "TOASTER" in low.content.decode() and "KETTLE" not in low.content.decode()
    assert "<html" not in low.content.decode()  # the HTMX partial only


def test_product_page_shows_each_channels_freshness(client, viewer, lyon, settings):
    settings.INVENTORY_PUSH_INTERVAL_SECONDS = 0
    fresh = MarketplaceAccountFactory(platform="ebay", name="eBay fresh")
    high = MarketplaceAccountFactory(platform="amazon", name="Amazon too high")
    ChannelRule.objects.create(account=high, buffer=1)
    kettle = put_stock("KETTLE", 5, lyon)
    actions.queue_stock_pushes()
    ChannelPublication.objects.filter(sku="KETTLE").update(
        outcome="accepted", published_quantity=5, published_at=timezone.now()
    )
    ChannelPublication.objects.filter(account=high).update(queued_at=timezone.now() - dt.timedelta(hours=1))
    client.force_login(viewer)

    response = client.get(reverse("inventory:product", args=[kettle.pk]))

    rows = {row.account.name: row for row in response.context["channels"]}
    assert (rows["eBay fresh"].should_show, rows["eBay fresh"].too_high, rows["eBay fresh"].stale) == (5, False, False)
    assert (rows["Amazon too high"].should_show, rows["Amazon too high"].too_high, rows["Amazon too high"].stale) == (
        4,
        True,
        True,
    )
    page = response.content.decode()
    assert "Shows more than we have" in page and "Up to date" in page
    assert fresh.name in page


def test_an_admin_adjusts_stock_with_a_reason(client, admin_user, lyon):
    kettle = put_stock("KETTLE", 5, lyon)
    client.force_login(admin_user)
    response = client.post(
        reverse("inventory:adjust", args=[kettle.pk]), {"warehouse": lyon.pk, "change": -2, "note": "Broken in transit"}
    )
    assert response.status_code == 302
    assert level("KETTLE", lyon).on_hand == 3
    movement = StockMovement.objects.filter(reason="adjusted").latest("id")
    assert (movement.note, movement.actor_user) == ("Broken in transit", admin_user)

    refused = client.post(
        reverse("inventory:adjust", args=[kettle.pk]), {"warehouse": lyon.pk, "change": -9, "note": "x"}, follow=True
    )
    assert "would leave less than is reserved" in refused.content.decode()
    assert level("KETTLE", lyon).on_hand == 3


def test_operators_and_viewers_cannot_adjust_or_import(client, operator, viewer, lyon):
    kettle = put_stock("KETTLE", 5, lyon)
    for user in (operator, viewer):
        client.force_login(user)
        assert (
            client.post(
                reverse("inventory:adjust", args=[kettle.pk]), {"warehouse": lyon.pk, "change": 1, "note": "x"}
            ).status_code
            == 403
        )
        assert client.post(reverse("inventory:threshold", args=[kettle.pk]), {"threshold": 3}).status_code == 403
        assert client.get(reverse("inventory:import")).status_code == 403
        assert client.get(reverse("inventory:product", args=[kettle.pk])).status_code == 200
    assert level("KETTLE", lyon).on_hand == 5


def test_someone_in_no_role_sees_no_stock(client, outsider, lyon):
    put_stock("KETTLE", 5, lyon)
    client.force_login(outsider)
    assert client.get(reverse("inventory:products")).status_code == 403


def test_import_from_the_ui_reports_applied_and_refused_lines(client, admin_user, lyon):
    product("KETTLE")
    client.force_login(admin_user)
    upload = SimpleUploadedFile(
        "count.csv", b"sku,warehouse,quantity\nKETTLE,lyon,8\nNOPE,lyon,2\n", content_type="text/csv"
    )
    response = client.post(reverse("inventory:import"), {"file": upload, "note": "Inventory day"})
    assert response.status_code == 200
    report = response.context["report"]
    assert len(report.applied) == 1 and report.refused[0][0] == 3
    assert "Unknown SKU NOPE" in response.content.decode()
    assert level("KETTLE", lyon).on_hand == 8


def test_an_operator_receives_a_purchase_order(client, operator, viewer, lyon):
    kettle = product("KETTLE")
    toaster = product("TOASTER")
    purchase_order = PurchaseOrder.objects.create(reference="PO-1", warehouse=lyon)
    first = PurchaseOrderLine.objects.create(purchase_order=purchase_order, product=kettle, quantity_ordered=10)
    second = PurchaseOrderLine.objects.create(purchase_order=purchase_order, product=toaster, quantity_ordered=4)
    url = reverse("inventory:receive", args=[purchase_order.pk])

    client.force_login(viewer)
    assert client.post(url, {f"line-{first.pk}": 10}).status_code == 403

    client.force_login(operator)
    assert client.get(reverse("inventory:purchase_order", args=[purchase_order.pk])).context["can_receive"] is True
    client.post(url, {f"line-{first.pk}": 6, f"line-{second.pk}": 0})
    assert level("KETTLE", lyon).on_hand == 6
    too_many = client.post(url, {f"line-{first.pk}": 5}, follow=True)
    assert "only 4 still expected" in too_many.content.decode()
    client.post(url, {f"line-{first.pk}": 4, f"line-{second.pk}": 4})

    purchase_order.refresh_from_db()
    assert purchase_order.status == "received"
    assert (level("KETTLE", lyon).on_hand, level("TOASTER", lyon).on_hand) == (10, 4)
    assert StockMovement.objects.filter(purchase_order=purchase_order).count() == 3


def test_the_order_page_still_renders_with_an_allocation(client, operator, lyon):
    put_stock("KETTLE", 5, lyon)
    order = order_of(MarketplaceAccountFactory(), ("KETTLE", 1))
    client.force_login(operator)
    assert client.get(reverse("orders:detail", args=[order.pk])).status_code == 200
    assert order.allocation.status == "reserved"
