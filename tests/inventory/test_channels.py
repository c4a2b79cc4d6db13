"""What each marketplace is shown: the channel rules, coalesced pushes, and what the platforms confirmed."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from inventory import actions, selectors
from inventory.actions import STOCK_PUSH
from inventory.models import ChannelPublication, ChannelRule, Listing, PendingStockPush
from inventory.selectors import EffectiveRule
from marketplaces.sandbox.catalogue import CATALOGUE
from oms import outbox
from oms.outbox import OutboxMessage
from orders import pushes
from orders.actions import Actor
from tests.factories import MarketplaceAccountFactory
from tests.inventory.conftest import order_of, product, put_stock

ACTOR = Actor.system("test")
STOCK = STOCK_PUSH


@pytest.fixture(autouse=True)
def push_at_every_run(settings):
    settings.INVENTORY_PUSH_INTERVAL_SECONDS = 0


@pytest.mark.parametrize(
    ("rule", "available", "shown"),
    [
        (EffectiveRule(), 7, 7),
        (EffectiveRule(), -2, 0),
        (EffectiveRule(buffer=2), 7, 5),
        (EffectiveRule(buffer=2), 1, 0),
        (EffectiveRule(unpublish_below=3), 3, 0),
        (EffectiveRule(unpublish_below=3), 4, 4),
        (EffectiveRule(max_quantity=10), 50, 10),
        (EffectiveRule(percentage=50), 9, 4),
        (EffectiveRule(percentage=50, buffer=1, max_quantity=3), 20, 3),
        (EffectiveRule(percentage=50, unpublish_below=5), 5, 0),
    ],
)
def test_buffer_unpublish_max_and_percentage(rule, available, shown):
    assert rule.quantity(available) == shown


@pytest.mark.django_db
def test_each_account_sees_its_own_rules_and_warehouses(lyon, paris):
    amazon = MarketplaceAccountFactory(platform="amazon")
    fnac = MarketplaceAccountFactory(platform="mirakl")
    ebay = MarketplaceAccountFactory(platform="ebay")
    kettle = put_stock("KETTLE", 10, lyon)
    put_stock("KETTLE", 6, paris)
    toaster = put_stock("TOASTER", 4, lyon)
    ChannelRule.objects.create(account=amazon, buffer=2)
    fnac_rule = ChannelRule.objects.create(account=fnac, unpublish_below=5)
    fnac_rule.warehouses.set([lyon])
    ChannelRule.objects.create(account=ebay, product=kettle, max_quantity=3)
    ChannelRule.objects.create(account=ebay, product=toaster, publish=False)

    ids = [kettle.pk, toaster.pk]
    assert selectors.channel_quantities(account=amazon, product_ids=ids) == {"KETTLE": 14, "TOASTER": 2}
    assert selectors.channel_quantities(account=fnac, product_ids=ids) == {"KETTLE": 10, "TOASTER": 0}
    assert selectors.channel_quantities(account=ebay, product_ids=ids) == {"KETTLE": 3}


@pytest.mark.django_db
def test_a_bundle_is_published_as_whole_bundles(lyon):
    account = MarketplaceAccountFactory(platform="cdiscount")
    put_stock("POT-16", 5, lyon)
    put_stock("POT-20", 7, lyon)
    Listing.objects.create(listing_sku="POT-SET", product=product("POT-16"), units=1)
    Listing.objects.create(listing_sku="POT-SET", product=product("POT-20"), units=2)
    quantities = selectors.channel_quantities(account=account, product_ids=[product("POT-20").pk])
    assert quantities == {"POT-20": 7, "POT-SET": 3}


@pytest.mark.django_db
def test_a_hundred_changes_make_one_push_per_account(lyon):
    accounts = [MarketplaceAccountFactory(platform=p) for p in ("amazon", "ebay", "mirakl", "cdiscount")]
    disabled = MarketplaceAccountFactory(platform="ebay", enabled=False)
    kettle = put_stock("KETTLE", 0, lyon)
    put_stock("TOASTER", 0, lyon)
    actions.queue_stock_pushes()
    OutboxMessage.objects.all().delete()

    for i in range(100):
        actions.adjust_stock(product_id=kettle.pk, warehouse_id=lyon.pk, change=1, note=f"count {i}", actor=ACTOR)
    assert PendingStockPush.objects.count() == 100

    queued = actions.queue_stock_pushes()

    messages = OutboxMessage.objects.filter(kind=STOCK)
    assert messages.count() == len(accounts)
    assert {m.destination for m in messages} == {pushes.marketplace_destination(a.pk) for a in accounts}
    assert all(m.payload == {"quantities": {"KETTLE": 100}} for m in messages)
    assert set(queued.values()) == {1}
    assert not OutboxMessage.objects.filter(destination=pushes.marketplace_destination(disabled.pk)).exists()
    assert PendingStockPush.objects.count() == 0
    assert actions.queue_stock_pushes() == {}  # nothing changed since


@pytest.mark.django_db
def test_no_push_when_the_quantity_came_back_to_what_was_sent(lyon):
    MarketplaceAccountFactory(platform="ebay")
    kettle = put_stock("KETTLE", 5, lyon)
    actions.queue_stock_pushes()
    order = order_of(MarketplaceAccountFactory(platform="mirakl", enabled=False), ("KETTLE", 2))
    from orders import actions as order_actions

    order_actions.cancel_order(order_id=order.pk, actor=ACTOR, reason="buyer")
    before = OutboxMessage.objects.count()
    assert actions.queue_stock_pushes() == {}
    assert OutboxMessage.objects.count() == before
    assert kettle.levels.get().reserved == 0


@pytest.mark.django_db
def test_mirakl_gets_one_stock_import_a_minute_whatever_the_project_interval(settings):
    settings.INVENTORY_PUSH_INTERVAL_SECONDS = 0  # as in this module: push at every run
    mirakl = MarketplaceAccountFactory(platform="mirakl")
    assert actions.push_interval(MarketplaceAccountFactory(platform="ebay")) == 0
    assert actions.push_interval(mirakl) == 61  # STO01's minute and a second for the clocks
    settings.INVENTORY_PUSH_INTERVAL_SECONDS = 90
    assert actions.push_interval(mirakl) == 90
    mirakl.settings = {"stock_push_interval_seconds": 5}  # the account's own setting wins
    assert actions.push_interval(mirakl) == 5


@pytest.mark.django_db
def test_one_push_per_interval_and_one_in_flight_per_account(lyon, settings):
    settings.INVENTORY_PUSH_INTERVAL_SECONDS = 60
    account = MarketplaceAccountFactory(platform="ebay")
    kettle = put_stock("KETTLE", 5, lyon)
    start = timezone.now()
    assert actions.queue_stock_pushes(now=start) == {account.name: 1}

    actions.adjust_stock(product_id=kettle.pk, warehouse_id=lyon.pk, change=-1, note="broken", actor=ACTOR)
    assert actions.queue_stock_pushes(now=start + dt.timedelta(seconds=30)) == {}
    assert ChannelPublication.objects.get(account=account, sku="KETTLE").needs_push is True
    assert actions.queue_stock_pushes(now=start + dt.timedelta(seconds=61)) == {}  # the first is still unsent

    OutboxMessage.objects.update(status=OutboxMessage.Status.SENT)
    assert actions.queue_stock_pushes(now=start + dt.timedelta(seconds=62)) == {account.name: 1}
    assert OutboxMessage.objects.filter(kind=STOCK).last().payload == {"quantities": {"KETTLE": 4}}


@pytest.mark.django_db
@pytest.mark.parametrize("platform", ["amazon", "ebay", "mirakl", "cdiscount"])
def test_pushes_reach_the_sandbox_marketplaces_over_http(sandbox, sandbox_account, lyon, platform):
    account, key = sandbox_account(platform)
    ChannelRule.objects.create(account=account, buffer=1)
    first, second = CATALOGUE[0], CATALOGUE[1]
    put_stock(first.sku, 12, lyon)
    put_stock(second.sku, 1, lyon)

    actions.queue_stock_pushes()
    # Mirakl's STO01 and Cdiscount's offer packages are asynchronous: a second message reads their report.
    assert outbox.drain() == {"sent": 2 if platform in ("mirakl", "cdiscount") else 1}

    published = sandbox.admin.stock(key)["stock"]
    assert {sku: published[sku]["quantity"] for sku in (first.sku, second.sku)} == {first.sku: 11, second.sku: 0}
    rows = ChannelPublication.objects.filter(account=account).order_by("sku")
    assert {(r.sku, r.outcome, r.published_quantity) for r in rows} == {
        (first.sku, "accepted", 11),
        (second.sku, "accepted", 0),
    }
    assert all(r.published_at is not None for r in rows)


@pytest.mark.django_db
def test_a_sku_the_marketplace_refuses_is_recorded_as_rejected(sandbox, sandbox_account, lyon):
    account, key = sandbox_account("ebay")
    put_stock("NOT-ON-EBAY", 3, lyon)
    put_stock(CATALOGUE[0].sku, 3, lyon)
    actions.queue_stock_pushes()
    outbox.drain()
    rejected = ChannelPublication.objects.get(account=account, sku="NOT-ON-EBAY")
    assert rejected.outcome == "rejected" and rejected.error
    assert ChannelPublication.objects.get(account=account, sku=CATALOGUE[0].sku).outcome == "accepted"


@pytest.mark.django_db
@pytest.mark.parametrize("platform", ["mirakl", "cdiscount"])
def test_an_import_report_decides_published_or_rejected_per_sku(sandbox, sandbox_account, lyon, platform):
    account, key = sandbox_account(platform)
    refused, taken = CATALOGUE[4].sku, CATALOGUE[5].sku
    sandbox.admin.set_stock_rejections(key, {refused: "Offer is inactive on the operator's catalogue"})
    put_stock(refused, 3, lyon)
    put_stock(taken, 8, lyon)
    actions.queue_stock_pushes()

    assert outbox.drain(rounds=1) == {"sent": 1}  # the import went in: accepted for processing, not yet published
    assert set(ChannelPublication.objects.filter(account=account).values_list("outcome", flat=True)) == {"submitted"}
    report = OutboxMessage.objects.get(
        destination=pushes.marketplace_destination(account.pk), kind=actions.STOCK_REPORT
    )
    assert report.payload["submission_id"] == ChannelPublication.objects.get(account=account, sku=taken).report_id

    assert outbox.drain() == {"sent": 1}  # the report read back
    rejected = ChannelPublication.objects.get(account=account, sku=refused)
    published = ChannelPublication.objects.get(account=account, sku=taken)
    assert (rejected.outcome, rejected.error, rejected.published_quantity) == (
        "rejected",
        "Offer is inactive on the operator's catalogue",
        None,
    )
    assert (published.outcome, published.error, published.published_quantity) == ("accepted", "", 8)
    assert refused not in sandbox.admin.stock(key)["stock"]


@pytest.mark.django_db
def test_an_import_still_running_is_read_again_later(sandbox, sandbox_account, lyon):
    account, key = sandbox_account("cdiscount")
    sku = CATALOGUE[6].sku
    put_stock(sku, 2, lyon)
    actions.queue_stock_pushes()
    assert outbox.drain(rounds=1) == {"sent": 1}
    report = OutboxMessage.objects.get(
        kind=actions.STOCK_REPORT, destination=pushes.marketplace_destination(account.pk)
    )
    sandbox.admin.set_stock_import_status(report.payload["submission_id"], "Pending")

    assert outbox.drain() == {"retry": 1}
    assert ChannelPublication.objects.get(account=account, sku=sku).outcome == "submitted"

    sandbox.admin.set_stock_import_status(report.payload["submission_id"], "Integrated")
    OutboxMessage.objects.filter(pk=report.pk).update(next_attempt_at=timezone.now())
    assert outbox.drain() == {"sent": 1}
    publication = ChannelPublication.objects.get(account=account, sku=sku)
    assert (publication.outcome, publication.published_quantity) == ("accepted", 2)


@pytest.mark.django_db
def test_an_older_push_sent_again_does_not_overwrite_a_newer_one(sandbox, sandbox_account, lyon):
    account, key = sandbox_account("cdiscount")
    sku = CATALOGUE[2].sku
    item = put_stock(sku, 9, lyon)
    actions.queue_stock_pushes()
    older = OutboxMessage.objects.get(destination=pushes.marketplace_destination(account.pk), kind=STOCK)
    older.status = OutboxMessage.Status.DEAD  # it failed for good
    older.save()
    actions.adjust_stock(product_id=item.pk, warehouse_id=lyon.pk, change=-4, note="damaged", actor=ACTOR)
    actions.queue_stock_pushes()
    newer = OutboxMessage.objects.filter(destination=pushes.marketplace_destination(account.pk), kind=STOCK).last()
    outbox.retry_dead(message_id=older.pk)  # an admin sends the dead letter again, later
    assert actions.quantities_to_send(older) == {}
    assert actions.quantities_to_send(newer) == {sku: 5}

    outbox.drain()
    assert sandbox.admin.stock(key)["stock"][sku]["quantity"] == 5
    assert [entry["quantity"] for entry in sandbox.admin.stock(key)["history"] if entry["sku"] == sku] == [5]


@pytest.mark.django_db
def test_a_throttled_push_is_deferred_and_sent_again(sandbox, sandbox_account, lyon):
    account, key = sandbox_account("mirakl", settings={"stock_push_interval_seconds": 0})
    sku = CATALOGUE[3].sku
    item = put_stock(sku, 6, lyon)
    sandbox.admin.set_rate_scale(1, account=key)
    sandbox.admin.set_rate_limit(key, "STO01", 0.0001, 1)  # one import, then the next one hours away
    actions.queue_stock_pushes()
    assert outbox.drain() == {"sent": 2}  # the import and its report
    actions.adjust_stock(product_id=item.pk, warehouse_id=lyon.pk, change=-2, note="broken", actor=ACTOR)
    actions.queue_stock_pushes()

    assert outbox.drain() == {"retry": 1}
    publication = ChannelPublication.objects.get(account=account, sku=sku)
    assert (publication.outcome, publication.published_quantity, publication.queued_quantity) == ("deferred", 6, 4)

    sandbox.admin.set_rate_limit(key, "STO01", None)
    OutboxMessage.objects.filter(status="pending").update(next_attempt_at=timezone.now())
    assert outbox.drain() == {"sent": 2}
    publication.refresh_from_db()
    assert (publication.outcome, publication.published_quantity) == ("accepted", 4)
    assert sandbox.admin.stock(key)["stock"][sku]["quantity"] == 4


@pytest.mark.django_db
def test_a_sku_the_report_rejected_shows_as_not_published_with_the_reason(
    sandbox, sandbox_account, lyon, client, viewer, viewer_api
):
    account, key = sandbox_account("mirakl", name="Fnac shop")
    refused, taken = CATALOGUE[9].sku, CATALOGUE[10].sku
    sandbox.admin.set_stock_rejections(key, {refused: "Offer price out of the allowed range"})
    put_stock(refused, 4, lyon)
    put_stock(taken, 6, lyon)
    actions.queue_stock_pushes()
    assert outbox.drain() == {"sent": 2}  # STO01, then STO02 + STO03

    rows = {row["sku"]: row for row in viewer_api.get("/api/v1/stock/").json()["results"]}
    ((rejected,), (published,)) = rows[refused]["channels"], rows[taken]["channels"]
    assert (rejected["account"], rejected["state"], rejected["reason"]) == (
        account.pk,
        "rejected",
        "Offer price out of the allowed range",
    )
    assert (published["state"], published["reason"], published["published_quantity"]) == ("published", "", 6)
    # Written like the API's other instants (the same zone), though it comes from a JSON aggregate.
    assert published["published_at"][-6:] == rows[taken]["levels"][0]["updated_at"][-6:]

    client.force_login(viewer)
    listing = client.get(reverse("inventory:products")).content.decode()
    assert "Not published on Fnac shop" in listing and "Offer price out of the allowed range" in listing
    assert listing.count("Not published on") == 1
    page = client.get(reverse("inventory:product", args=[product(refused).pk])).content.decode()
    assert "Not published" in page and "Offer price out of the allowed range" in page
    assert "Not published" not in client.get(reverse("inventory:product", args=[product(taken).pk])).content.decode()
