"""The platform's own figures (Mirakl A21, from the sandbox over HTTP) beside ours, with the gap."""

from decimal import Decimal

import pytest

from kpis import actions, tasks
from kpis.models import ReportedFigure
from marketplaces.connectors.errors import MarketplaceError
from tests.marketplaces.conftest import sandbox, sandbox_account, sandbox_server  # noqa: F401 (fixtures)


@pytest.mark.django_db
def test_mirakl_a21_figures_are_read_and_shown_beside_ours(sandbox_account, client, viewer, viewer_api):  # noqa: F811
    account, _ = sandbox_account("mirakl", name="Fnac-Darty")
    assert actions.read_platform_figures(account_id=account.pk) == 4
    figures = {figure.metric: figure.value for figure in ReportedFigure.objects.filter(account=account)}
    assert figures == {
        "late_shipment_rate": Decimal("2.10"),
        "valid_tracking_rate": Decimal("97.40"),
        "cancellation_rate": Decimal("0.40"),
        "refusal_rate": Decimal("1.20"),  # 1 − approval rate
    }
    assert actions.read_platform_figures(account_id=account.pk) == 4  # read again: replaced, not added
    assert ReportedFigure.objects.count() == 4
    actions.refresh_kpis()
    rows = {row["target"]: row for row in viewer_api.get("/api/v1/kpis/", {"account": account.pk}).json()}
    assert rows["late_shipment_rate_30d"]["platform_reported_value"] == "2.10"
    assert rows["on_time_delivery_rate_30d"]["platform_reported_value"] is None
    client.force_login(viewer)
    page = client.get("/").content.decode()
    assert "2.10 %" in page and "gap" in page


@pytest.mark.django_db
def test_a_platform_that_does_not_answer_changes_nothing(sandbox_account):  # noqa: F811
    account, _ = sandbox_account("mirakl", name="Boulanger")
    account.api_base_url = "http://127.0.0.1:9/mirakl"
    account.settings = {**account.settings, "http_retries": 0}
    account.save()
    assert tasks.read_platform_figures() == 0
    assert not ReportedFigure.objects.exists()


@pytest.mark.django_db
def test_cdiscount_indicators_are_read_as_our_figures(sandbox_account):  # noqa: F811
    account, _ = sandbox_account("cdiscount", name="Cdiscount")
    assert actions.read_platform_figures(account_id=account.pk) == 3
    figures = {
        figure.metric: (figure.window_days, figure.value) for figure in ReportedFigure.objects.filter(account=account)
    }
    assert figures == {
        "refusal_rate": (30, Decimal("1.50")),  # 100 − order_acceptation
        "late_shipment_rate": (30, Decimal("3.60")),  # 100 − deadline_compliance
        "order_defect_rate": (30, Decimal("0.90")),  # order_claims
    }


@pytest.mark.django_db
def test_ebay_seller_standards_are_read_and_shown_beside_ours(sandbox_account, client, viewer, viewer_api):  # noqa: F811
    account, _ = sandbox_account("ebay", name="eBay DE")
    assert actions.read_platform_figures(account_id=account.pk) == 3
    figures = {
        figure.metric: (figure.window_days, figure.period, figure.value)
        for figure in ReportedFigure.objects.filter(account=account)
    }
    assert figures == {
        "late_shipment_rate": (90, "CURRENT", Decimal("1.52")),
        "order_defect_rate": (90, "CURRENT", Decimal("0.61")),
        "valid_tracking_rate": (90, "CURRENT", Decimal("96.80")),
    }
    actions.refresh_kpis()
    rows = {row["target"]: row for row in viewer_api.get("/api/v1/kpis/", {"account": account.pk}).json()}
    assert rows["order_defect_rate_90d"]["platform_reported_value"] == "0.61"
    assert rows["reply_within_deadline_90d"]["platform_reported_value"] is None
    client.force_login(viewer)
    page = client.get("/").content.decode()
    assert "96.80 %" in page


@pytest.mark.django_db
def test_an_unknown_ebay_program_is_refused_and_changes_nothing(sandbox_account):  # noqa: F811
    account, _ = sandbox_account("ebay", name="eBay XX")
    account.settings = {**account.settings, "standards_program": "PROGRAM_XX", "http_retries": 0}
    account.save()
    with pytest.raises(MarketplaceError):
        actions.read_platform_figures(account_id=account.pk)
    assert not ReportedFigure.objects.exists()


@pytest.mark.django_db
def test_amazon_seller_performance_report_is_read_through_the_reports_api(sandbox_account, viewer_api):  # noqa: F811
    account, _ = sandbox_account("amazon", name="Amazon FR")
    assert actions.read_platform_figures(account_id=account.pk) == 4
    figures = {
        figure.metric: (figure.window_days, figure.value) for figure in ReportedFigure.objects.filter(account=account)
    }
    assert figures == {
        "late_shipment_rate": (30, Decimal("1.50")),
        "cancellation_rate": (7, Decimal("0.67")),
        "valid_tracking_rate": (30, Decimal("98.09")),
        "order_defect_rate": (60, Decimal("0.29")),
    }
    actions.refresh_kpis()
    rows = {row["target"]: row for row in viewer_api.get("/api/v1/kpis/", {"account": account.pk}).json()}
    assert rows["order_defect_rate_60d"]["platform_reported_value"] == "0.29"
    assert rows["late_shipment_rate_30d"]["platform_reported_value"] == "1.50"
    assert rows["late_shipment_rate_10d"]["platform_reported_value"] is None  # the report has the 30 days only
