"""An admin's stock path in a real browser: find a product, read each channel's freshness, adjust with a reason."""

import pytest
from playwright.sync_api import expect

from inventory import actions
from inventory.models import ChannelRule, Warehouse
from tests.factories import MarketplaceAccountFactory
from tests.inventory.conftest import level, put_stock

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_finds_a_product_reads_its_channels_and_adjusts_it(live_server, log_in, admin_user, settings):
    lyon = Warehouse.objects.create(code="lyon", name="Lyon", priority=1)
    settings.INVENTORY_PUSH_INTERVAL_SECONDS = 0
    amazon = MarketplaceAccountFactory(platform="amazon", name="Amazon.fr")
    ChannelRule.objects.create(account=amazon, buffer=2)
    put_stock("BOUILL-INOX-17", 9, lyon)
    put_stock("GRILLE-PAIN-2F", 3, lyon)
    actions.queue_stock_pushes()

    page = log_in(admin_user)
    page.get_by_role("link", name="Stock").click()
    expect(page.locator("table.orders")).to_contain_text("GRILLE-PAIN-2F")
    page.locator("#id_q").press_sequentially("BOUILL")  # the table is swapped through HTMX
    expect(page.locator("table.orders")).not_to_contain_text("GRILLE-PAIN-2F")

    page.get_by_role("link", name="BOUILL-INOX-17").click()
    channels = page.locator("#channels")
    expect(channels).to_contain_text("Amazon.fr")
    expect(channels.locator("tbody tr").first.locator("td").nth(1)).to_have_text("7")  # 9 minus the buffer of 2
    expect(channels).to_contain_text("Queued")

    page.fill("#id_change", "-2")
    page.fill("#id_note", "Dented boxes")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator(".messages")).to_contain_text("7 on hand now")
    expect(page.locator("#movements")).to_contain_text("Dented boxes")
    expect(page.locator("#channels tbody tr").first.locator("td").nth(1)).to_have_text("5")
    expect(page.locator("#channels")).to_contain_text("Next push")
    page.screenshot(path="/tmp/inventory-product-page.png", full_page=True)
    assert level("BOUILL-INOX-17", lyon).on_hand == 7
