"""Bin locations on stock levels: set on the product page by those who edit stock, shown in the API."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from inventory.models import StockLevel
from tests.inventory.conftest import level, product, put_stock

pytestmark = pytest.mark.django_db


def test_an_admin_sets_the_bin_of_a_level_and_the_api_shows_it(client, admin_user, viewer_api, lyon):
    kettle = put_stock("KETTLE", 5, lyon)
    client.force_login(admin_user)

    response = client.post(
        reverse("inventory:bin", args=[kettle.pk]), {"bin-warehouse": lyon.pk, "bin-bin_location": " a-03-2 "}
    )

    assert response.status_code == 302
    assert level("KETTLE", lyon).bin_location == "A-03-2"
    assert level("KETTLE", lyon).on_hand == 5  # the count is untouched
    page = client.get(reverse("inventory:product", args=[kettle.pk])).content.decode()
    assert "A-03-2" in page
    api = viewer_api.get("/api/v1/stock/", {"sku": "KETTLE"}).json()
    assert api["results"][0]["levels"][0]["bin_location"] == "A-03-2"


def test_a_bin_for_a_product_never_counted_there_creates_its_level(client, admin_user, lyon):
    teapot = product("TEAPOT")
    client.force_login(admin_user)

    client.post(reverse("inventory:bin", args=[teapot.pk]), {"bin-warehouse": lyon.pk, "bin-bin_location": "B-1"})

    created = StockLevel.objects.get(product=teapot, warehouse=lyon)
    assert (created.bin_location, created.on_hand, created.reserved) == ("B-1", 0, 0)


def test_a_bad_bin_is_refused_and_nothing_changes(client, admin_user, lyon):
    kettle = put_stock("KETTLE", 5, lyon)
    StockLevel.objects.filter(product=kettle).update(bin_location="A-1")
    client.force_login(admin_user)

    response = client.post(
        reverse("inventory:bin", args=[kettle.pk]),
        {"bin-warehouse": lyon.pk, "bin-bin_location": "<script>"},
        follow=True,
    )

    assert "A bin is 1 to 30 letters" in response.content.decode()
    assert level("KETTLE", lyon).bin_location == "A-1"


@pytest.mark.parametrize("persona", ["operator", "viewer"])
def test_only_those_who_edit_stock_set_bins(client, persona, request, lyon):
    kettle = put_stock("KETTLE", 5, lyon)
    client.force_login(request.getfixturevalue(persona))

    response = client.post(
        reverse("inventory:bin", args=[kettle.pk]), {"bin-warehouse": lyon.pk, "bin-bin_location": "Z"}
    )

    assert response.status_code == 403
    assert level("KETTLE", lyon).bin_location == ""


def test_a_count_file_may_set_the_bins(client, admin_user, lyon):
    put_stock("KETTLE", 5, lyon)
    StockLevel.objects.filter(product__sku="KETTLE").update(bin_location="OLD-1")
    product("TEAPOT")
    product("MUG")
    client.force_login(admin_user)
    content = b"sku,warehouse,quantity,bin\nKETTLE,lyon,6,\nTEAPOT,lyon,3,b-07-1\nMUG,lyon,2,<bad>\n"

    response = client.post(
        reverse("inventory:import"),
        {"file": SimpleUploadedFile("count.csv", content, content_type="text/csv"), "note": "count"},
    )

    assert response.status_code == 200
    assert (level("KETTLE", lyon).on_hand, level("KETTLE", lyon).bin_location) == (6, "OLD-1")  # empty: kept
    assert (level("TEAPOT", lyon).on_hand, level("TEAPOT", lyon).bin_location) == (3, "B-07-1")
    assert not StockLevel.objects.filter(product__sku="MUG").exists()  # the bad bin refused its line
    assert "Bin &lt;BAD&gt; is not" in response.content.decode()
