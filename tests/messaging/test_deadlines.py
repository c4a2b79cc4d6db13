"""Reply deadlines: data per platform, per Mirakl operator and per account, counted across weekends."""

import datetime as dt
import zoneinfo

import pytest

from marketplaces.models import MarketplaceAccount
from messaging import deadlines, policies
from messaging.models import AccountMessaging

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def paris(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=PARIS)


def test_amazon_counts_the_weekend():
    policy = deadlines.policy_for(platform="amazon")
    assert (policy.hours, policy.counts_weekends, policy.unverified) == (24, True, False)
    friday_evening = paris(2026, 11, 27, 18, 0)
    assert deadlines.reply_by(friday_evening, policy) == paris(2026, 11, 28, 18, 0)  # Saturday


def test_fnac_gives_48_working_hours_so_a_friday_message_is_due_on_tuesday():
    policy = deadlines.policy_for(platform="mirakl", api_base_url="https://fnac.mirakl.net")
    assert (policy.hours, policy.counts_weekends, policy.unverified, policy.source) == (48, False, True, "operator")
    friday_evening = paris(2026, 11, 27, 18, 0)
    # Friday 18:00 → midnight: 6 h; the weekend does not count; Monday: 24 h; Tuesday 18:00: 48 h.
    assert deadlines.reply_by(friday_evening, policy) == paris(2026, 12, 1, 18, 0)


def test_a_message_received_on_saturday_starts_its_clock_on_monday():
    policy = deadlines.ReplyPolicy(hours=24, counts_weekends=False, unverified=False, source="account")
    saturday = paris(2026, 11, 28, 10, 30)
    assert deadlines.reply_by(saturday, policy) == paris(2026, 12, 1, 0, 0)
    assert deadlines.reply_by(saturday, policy).tzinfo == dt.UTC


def test_cdiscount_48_hours_is_unverified_and_other_mirakl_operators_get_the_mirakl_rule():
    assert deadlines.policy_for(platform="cdiscount").hours == 48
    assert deadlines.policy_for(platform="cdiscount").unverified
    conforama = deadlines.policy_for(platform="mirakl", api_base_url="http://127.0.0.1:1/mirakl/conforama")
    assert (conforama.hours, conforama.source) == (24, "platform")
    assert deadlines.operator_of("http://127.0.0.1:8765/mirakl/fnac") == "fnac"


def test_a_naive_datetime_is_refused():
    with pytest.raises(ValueError):
        deadlines.reply_by(dt.datetime(2026, 11, 27, 18), deadlines.policy_for(platform="amazon"))


@pytest.mark.django_db
def test_an_account_overrides_its_platforms_rule():
    account = MarketplaceAccount.objects.create(platform="amazon", name="Amazon FR")
    assert policies.reply_policy(account).counts_weekends
    AccountMessaging.objects.create(account=account, reply_deadline_hours=12, reply_deadline_counts_weekends=False)
    account = MarketplaceAccount.objects.get(pk=account.pk)
    policy = policies.reply_policy(account)
    assert (policy.hours, policy.counts_weekends, policy.source) == (12, False, "account")
    friday = paris(2026, 11, 27, 20, 0)
    assert policies.reply_by(account, friday) == paris(2026, 11, 30, 8, 0)
