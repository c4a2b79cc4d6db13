"""The KPI dashboard in Chromium: figures, a trend chart drawn by Chart.js under the strict CSP,
30/90 days, a click from a figure to the orders it counts, on a desktop and a phone, in English and French."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kpis import actions
from tests.browser.conftest import check_page
from tests.factories import MarketplaceAccountFactory
from tests.kpis.world import Spec, build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)


@pytest.fixture
def world(db):
    now = timezone.now()
    account = MarketplaceAccountFactory(platform="amazon", name="Amazon FR")
    specs = [
        Spec(
            "shipped",
            now - (3 + index % 25) * D,
            ship_by=now - (1 + index % 25) * D,
            tracking_number="6A1",
            carrier="colissimo",
            events=[
                ("received", "accepted", now - (3 + index % 25) * D),
                ("shipped", "shipped", now - (1 + index % 25) * D + (H if index < 2 else -H)),
            ],
        )
        for index in range(60)
    ]
    specs.append(Spec("accepted", now - D, ship_by=now + 2 * H, events=[("received", "accepted", now - D)]))
    orders = build(account, specs)
    actions.refresh_kpis(now=now)
    return {"account": account, "late": orders[0], "on_time": orders[5]}


@pytest.mark.parametrize("viewport", ["desktop", "phone"], indirect=True)
def test_the_dashboard_draws_its_trend_and_opens_the_counted_orders(live_server, log_in, operator, world, viewport):
    page = log_in(operator)
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(live_server.url + "/")
    row = page.locator('tr[data-target="late_shipment_rate_30d"]')
    expect(row).to_contain_text("3.33 %")  # 2 late of 60
    expect(row.locator(".badge")).to_have_text("Projected breach")  # 1 order due in 2 h: (2 + 1) / 61 ≥ 4 %
    chart = page.locator("canvas[data-kpi-chart]")
    expect(chart).to_have_attribute("data-ready", "true")
    assert chart.bounding_box()["height"] > 100
    page.select_option("[data-kpi-target]", "late_shipment_rate_10d")
    page.locator("label", has_text="90 days").click()
    check_page(page)
    assert errors == []  # Chart.js ran under the Content-Security-Policy
    row.locator("td.num a").first.click()
    page.wait_for_url("**/orders/?*kpi=late_shipment_rate*")
    expect(page.locator("table.orders")).to_contain_text(world["late"].number)
    expect(page.locator("table.orders")).not_to_contain_text(world["on_time"].number)


def test_the_dashboard_in_french(live_server, log_in, operator, world):
    page = log_in(operator)
    page.context.add_cookies([{"name": "django_language", "value": "fr", "url": live_server.url}])
    page.goto(live_server.url + "/")
    expect(page.locator("h1")).to_have_text("Tableau de bord")
    expect(page.locator('tr[data-target="late_shipment_rate_30d"]')).to_contain_text("3,33 %")
    expect(page.locator(".kpi-banner, .kpi-alerts")).to_contain_text("à expédier d’ici 2 h")
