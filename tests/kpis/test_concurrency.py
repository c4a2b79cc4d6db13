"""Refreshes that run at the same time (beat ticking while a worker still counts, or the history
command) wait for each other: every bucket once, one alert per crossing."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from kpis import actions
from kpis.models import Alert, DailyBucket
from tests.factories import MarketplaceAccountFactory
from tests.inventory.test_concurrency import run_together
from tests.kpis.world import Spec, build

H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)


@pytest.mark.django_db(transaction=True)
def test_concurrent_refreshes_count_each_bucket_once_and_alert_once():
    account = MarketplaceAccountFactory(platform="amazon")
    now = timezone.now()
    build(
        account,
        [
            Spec("shipped", now - 4 * D, ship_by=now - 2 * D, events=[("shipped", "shipped", now - 2 * D + H)]),
            Spec("accepted", now - D, ship_by=now + H, events=[("received", "accepted", now - D)]),
        ],
    )
    work = [lambda: actions.refresh_kpis(), lambda: actions.recompute_history(days=30)] * 3
    run_together(lambda job: job(), work)
    keys = list(DailyBucket.objects.values_list("account", "metric", "source", "day"))
    assert len(keys) == len(set(keys)) > 0
    assert Alert.objects.filter(target="late_shipment_rate_30d").count() == 1


@pytest.mark.django_db
def test_the_history_command_recounts_and_refuses_no_days():
    account = MarketplaceAccountFactory(platform="amazon")
    now = timezone.now()
    build(account, [Spec("shipped", now - 4 * D, ship_by=now - 2 * D, events=[("shipped", "shipped", now - 3 * D)])])
    call_command("recompute_kpis", days=10)
    assert DailyBucket.objects.get(account=account, metric="late_shipment_rate").numerator == 0
    with pytest.raises(Exception, match="at least one day"):
        call_command("recompute_kpis", days=0)
