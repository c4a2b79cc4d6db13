"""The demo world's dashboard shows real values for every account on first start."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from demo.management.commands import seed_demo
from kpis.models import ReportedFigure, Standing, Status
from marketplaces.models import MarketplaceAccount
from tests.marketplaces.conftest import sandbox, sandbox_server  # noqa: F401 (fixtures)


@pytest.mark.django_db
def test_the_demo_dashboard_has_figures_for_every_account(sandbox, settings, tmp_path, monkeypatch, client):  # noqa: F811
    sandbox.server.load_demo_accounts()
    settings.SANDBOX_URL = sandbox.url
    monkeypatch.setattr(seed_demo, "LOGINS_FILE", tmp_path / "demo-logins.txt")

    call_command("seed_demo", orders=300)

    for account in MarketplaceAccount.objects.all():
        lsr = Standing.objects.get(account=account, metric="late_shipment_rate", window_days__gte=30)
        assert lsr.denominator > 0, account.name
        tracking = Standing.objects.filter(account=account, metric="valid_tracking_rate").get()
        assert tracking.value is not None and tracking.value > 90, account.name
    # The orders due today put some target at risk before any threshold is crossed.
    assert Standing.objects.filter(at_stake__gt=0).exists()
    assert Standing.objects.exclude(status=Status.OK).exists()
    # The Mirakl shops' own figures (A21, from the sandbox) are read beside ours.
    shops = MarketplaceAccount.objects.filter(platform="mirakl").count()
    assert shops and ReportedFigure.objects.filter(account__platform="mirakl").count() == 4 * shops
    client.force_login(get_user_model().objects.get(username="viewer"))
    page = client.get("/").content.decode()
    assert page.count('class="card kpi-account"') == MarketplaceAccount.objects.count()
