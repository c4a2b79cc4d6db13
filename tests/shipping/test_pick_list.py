"""Pick lists for a selection of the queue: per warehouse, sorted by bin, one row per SKU with its
orders, barcodes with their values printed under them; on each order's timeline; roles and scopes."""

import re

import pytest
from django.urls import reverse

from inventory.models import Warehouse
from oms.access.models import AccountScope
from orders.models import OrderEvent
from shipping.models import PickList
from tests.factories import MarketplaceAccountFactory
from tests.shipping.paperwork import order_of, pdf_text, stock_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def floor(account):
    """Lyon ships first; mugs are only in Paris."""
    lyon = Warehouse.objects.create(code="lyon", name="Lyon", priority=1)
    paris = Warehouse.objects.create(code="paris", name="Paris", priority=2)
    stock_in(lyon, "KETTLE", 10, bin_location="A-10", ean="3760000000017")
    stock_in(lyon, "TEAPOT", 10, bin_location="A-2", ean="3760000000024")
    stock_in(lyon, "CUP", 10)  # no bin yet
    stock_in(paris, "MUG", 10, bin_location="C-1", ean="3760000000031")
    return lyon, paris


def test_a_pick_list_groups_by_warehouse_sorts_by_bin_and_lists_each_skus_orders(client, operator, account, floor):
    first = order_of(account, ("KETTLE", 2), ("TEAPOT", 1), ("CUP", 1))
    second = order_of(account, ("KETTLE", 1))
    mugs = order_of(account, ("MUG", 3))
    shipped = order_of(account, ("KETTLE", 1), status="shipped")
    client.force_login(operator)

    response = client.post(
        reverse("orders:paperwork"), {"document": "pick_list", "order": [first.pk, second.pk, mugs.pk, shipped.pk]}
    )

    record = PickList.objects.get()
    assert response.status_code == 302 and response.url == reverse("shipping:pick_list_pdf", args=[record.pk])
    pdf = client.get(response.url)
    assert pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert f"Pick list {record.code}" in text
    assert "3 order(s), 8 unit(s)" in text
    # Lyon before Paris; in Lyon A-2 before A-10, the row without a bin last.
    assert text.index("Lyon") < text.index("Paris")
    assert text.index("TEAPOT") < text.index("KETTLE") < text.index("CUP") < text.index("MUG")
    kettle_row = text[text.index("KETTLE") - 40 : text.index("CUP")]
    assert f"{first.number} ×2" in kettle_row and f"{second.number} ×1" in kettle_row
    assert re.search(r"\b3\b", kettle_row)  # 2 + 1 kettles in one row
    # The barcodes' values are printed under them: the pick list's, the EANs, the SKU of a product without EAN.
    for value in (record.code, "3760000000017", "3760000000024", "3760000000031"):
        assert value in text
    assert f"Not on this list (nothing left to pick): {shipped.number}" in text
    assert set(
        OrderEvent.objects.filter(kind="pick_list_printed", params__pick_list=record.code).values_list(
            "order_id", flat=True
        )
    ) == {first.pk, second.pk, mugs.pk, shipped.pk}


def test_all_orders_matching_the_filters_make_the_pick_list(client, operator, account, floor):
    kettles = order_of(account, ("KETTLE", 1))
    order_of(account, ("TEAPOT", 1))
    client.force_login(operator)

    client.post(reverse("orders:paperwork"), {"document": "pick_list", "query": "sku=KETTLE"})

    assert PickList.objects.get().order_ids == [kettles.pk]


def test_a_pick_list_in_french_and_a_viewer_downloads_it(client, operator, viewer, account, floor):
    order = order_of(account, ("KETTLE", 1))
    client.force_login(operator)
    client.post(reverse("orders:paperwork"), {"order": [order.pk]})
    client.force_login(viewer)

    text = pdf_text(
        client.get(
            reverse("shipping:pick_list_pdf", args=[PickList.objects.get().pk]), HTTP_ACCEPT_LANGUAGE="fr"
        ).content
    )

    assert "Liste de préparation" in text and "Emplacement" in text


def test_only_operators_print_and_no_order_of_another_account(client, outsider, viewer, operator, account, floor):
    order = order_of(account, ("KETTLE", 1))
    other = order_of(MarketplaceAccountFactory(platform="ebay", name="eBay"), ("TEAPOT", 1))
    AccountScope.objects.create(user=operator).accounts.add(account)
    for person in (outsider, viewer):
        client.force_login(person)
        assert client.post(reverse("orders:paperwork"), {"order": [order.pk]}).status_code == 403
    client.logout()
    assert client.post(reverse("orders:paperwork"), {"order": [order.pk]}).status_code == 302  # to the login page
    assert not PickList.objects.exists()
    client.force_login(operator)

    client.post(reverse("orders:paperwork"), {"order": [order.pk, other.pk]})

    assert PickList.objects.get().order_ids == [order.pk]


def test_an_empty_selection_is_refused(client, operator, account, floor):
    client.force_login(operator)

    response = client.post(reverse("orders:paperwork"), {"document": "pick_list", "query": "sku=NOTHING"}, follow=True)

    assert "No order selected." in response.content.decode()
    assert not PickList.objects.exists()
