"""The account page, the outbox page and the quarantine page, by role."""

import pytest
from django.urls import reverse

from marketplaces import usage
from marketplaces.models import QuarantinedOrder
from oms.outbox import OutboxMessage
from orders import pushes
from tests.factories import MarketplaceAccountFactory, make_order


def dead_letter(order, key, *, kind=pushes.ACCEPT, account=None):
    return OutboxMessage.objects.create(
        kind=kind,
        destination=pushes.marketplace_destination((account or order.account).pk),
        ordering_key=pushes.order_subject(order.pk),
        subject=pushes.order_subject(order.pk),
        idempotency_key=key,
        status="dead",
        attempts=8,
        last_error="RejectedByMarketplace: nope",
    )


@pytest.mark.django_db
def test_account_page_shows_poll_health_and_calls_against_limits(client, viewer):
    account = MarketplaceAccountFactory(
        platform="amazon", name="Amazon.fr", last_poll_error="TransientError: 503", consecutive_failures=2
    )
    usage.record_call(account.pk, "getOrders")
    usage.record_call(account.pk, "getOrders")
    client.force_login(viewer)

    html = client.get(reverse("marketplaces:accounts")).content.decode()

    assert "Amazon.fr" in html and "2 × TransientError: 503" in html
    # 0.0167/s × 3600 + burst 20 per hour, × 86400 + 20 per day; the operation by what it is for.
    assert "Orders read: 2 calls today (limit 1,462)" in html and "2 in the last hour (limit 80)" in html
    assert "<code>getOrders</code>" not in html
    french = client.get(reverse("marketplaces:accounts"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Commandes lues : 2 appels aujourd’hui (limite 1\xa0462)" in french
    assert "Poll now" not in html  # a viewer cannot poll


@pytest.mark.django_db
def test_failed_order_pushes_link_to_the_queue_filter_and_the_rest_to_the_outbox(client, operator, admin_user):
    order = make_order()
    dead_letter(order, "accept-1")
    OutboxMessage.objects.create(
        kind="marketplace.stock",
        destination=pushes.marketplace_destination(order.account.pk),
        idempotency_key="stock-1",
        status="dead",
        last_error="RejectedByMarketplace: unknown SKU",
    )
    queue_link = f'href="{reverse("orders:list")}?push_failed=true&amp;account={order.account.pk}"'

    client.force_login(operator)
    html = client.get(reverse("marketplaces:accounts")).content.decode()
    assert queue_link in html and "1 order push failed</a>" in html
    assert "1 other message failed" in html and reverse("marketplaces:outbox") not in html  # the outbox is an admin's

    client.force_login(admin_user)
    html = client.get(reverse("marketplaces:accounts")).content.decode()
    assert (
        f'?status=dead&amp;destination=marketplace:{order.account.pk}" class="error">1 other message failed</a>' in html
    )
    listed = client.get(reverse("orders:list"), {"push_failed": "true", "account": order.account.pk}).content.decode()
    assert order.reference in listed


@pytest.mark.django_db
def test_operator_polls_now(client, operator, django_capture_on_commit_callbacks):
    account = MarketplaceAccountFactory()
    client.force_login(operator)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("marketplaces:poll_now", args=[account.pk]), follow=True)
    assert "A poll of" in response.content.decode()
    account.refresh_from_db()
    assert account.next_poll_at is not None and len(callbacks) == 1


@pytest.mark.django_db
def test_admin_retries_and_discards_dead_letters(client, admin_user):
    order = make_order()
    dead = [dead_letter(order, f"k{i}") for i in range(2)]
    client.force_login(admin_user)
    page = client.get(reverse("marketplaces:outbox")).content.decode()
    assert "RejectedByMarketplace: nope" in page
    assert page.count(order.account.name) == 3  # the destination filter and both rows name the account

    client.post(reverse("marketplaces:outbox_retry", args=[dead[0].pk]))
    client.post(reverse("marketplaces:outbox_discard", args=[dead[1].pk]))

    assert list(OutboxMessage.objects.order_by("id").values_list("status", "attempts")) == [
        ("pending", 0),
        ("discarded", 8),
    ]


@pytest.mark.django_db
def test_the_outbox_page_filters_by_destination_kind_and_status(client, admin_user):
    order, other = make_order(), make_order()
    dead_letter(order, "accept-1")
    dead_letter(other, "ship-2", kind=pushes.SHIP)
    OutboxMessage.objects.create(
        kind="carrier.label", destination="carrier:colissimo", idempotency_key="label-3", status="dead"
    )
    client.force_login(admin_user)
    url = reverse("marketplaces:outbox")

    everything = client.get(url, {"status": "all"}).content.decode()
    assert "carrier:colissimo" in everything and "Ship" in everything and "Accept" in everything

    def link(order):
        return reverse("orders:detail", args=[order.pk]) + '"'

    to_one_account = client.get(url, {"destination": pushes.marketplace_destination(other.account_id)}).content.decode()
    assert link(other) in to_one_account and link(order) not in to_one_account

    ships = client.get(url, {"kind": pushes.SHIP, "status": "dead"}).content.decode()
    assert link(other) in ships and link(order) not in ships and "carrier:colissimo" not in ships.split("<tbody>")[1]

    assert "Nothing here." in client.get(url, {"status": "sent"}).content.decode()


@pytest.mark.django_db
def test_operators_cannot_touch_the_outbox_or_the_quarantine(client, operator):
    client.force_login(operator)
    assert client.get(reverse("marketplaces:outbox")).status_code == 403
    assert client.get(reverse("marketplaces:quarantine")).status_code == 403


@pytest.mark.django_db
def test_admin_reads_a_quarantined_payload_and_resolves_it(client, admin_user):
    item = QuarantinedOrder.objects.create(
        account=MarketplaceAccountFactory(),
        marketplace_order_id="FNAC-1",
        reason="unknown status WAITING_SOMETHING",
        raw={"order_state": "WAITING_SOMETHING"},
    )
    client.force_login(admin_user)
    page = client.get(reverse("marketplaces:quarantine")).content.decode()
    assert "unknown status WAITING_SOMETHING" in page and "FNAC-1" in page
    client.post(reverse("marketplaces:quarantine_resolve", args=[item.pk]))
    item.refresh_from_db()
    assert item.resolved
