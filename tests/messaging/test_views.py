"""The inbox and thread pages: one list across platforms by urgency, filters, templates, reply, assignment."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from messaging import outbox_names, templating, views
from messaging.models import Message, Template, Thread
from oms import outbox
from oms.pagination import CappedPaginator
from orders.models import Order
from orders.status import OrderStatus
from tests.factories import MarketplaceAccountFactory, make_order
from tests.messaging.conftest import make_thread
from tests.oms.test_french_pages import catalogue, english_on

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_inbox_lists_every_platform_most_urgent_first_and_filters(operator):
    amazon, ebay = MarketplaceAccountFactory(platform="amazon"), MarketplaceAccountFactory(platform="ebay")
    later = make_thread(account=amazon, hours_left=20, subject="Plus tard")
    sooner = make_thread(account=ebay, hours_left=2, subject="Bientôt")
    overdue = make_thread(account=amazon, hours_left=-1, subject="En retard")
    closed = make_thread(
        account=ebay, status=Thread.Status.CLOSED, needs_reply_since=None, reply_by=None, subject="Fermé"
    )
    client = logged_in(operator)

    page = client.get(reverse("messaging:inbox")).content.decode()
    positions = [page.index(f'data-thread="{t.pk}"') for t in (overdue, sooner, later)]
    assert positions == sorted(positions)
    assert f'data-thread="{closed.pk}"' not in page  # open threads by default

    table = client.get(reverse("messaging:inbox"), {"platform": "ebay"}, HTTP_HX_REQUEST="true").content.decode()
    assert f'data-thread="{sooner.pk}"' in table and f'data-thread="{later.pk}"' not in table
    assert "<html" not in table  # HTMX gets the table only
    late = client.get(reverse("messaging:inbox"), {"overdue": "true"}).content.decode()
    assert f'data-thread="{overdue.pk}"' in late and f'data-thread="{sooner.pk}"' not in late
    assert f'data-thread="{closed.pk}"' in client.get(reverse("messaging:inbox"), {"status": "closed"}).content.decode()


def test_the_inbox_counts_no_further_than_its_cap_and_still_pages_past_it(operator, monkeypatch):
    """100k open threads are not counted to print a number: beyond the cap the inbox says "N+"."""
    monkeypatch.setattr(CappedPaginator, "CAP", 2)
    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    account = MarketplaceAccountFactory(platform="mirakl")
    threads = [make_thread(account=account, hours_left=hours) for hours in (1, 2, 3, 4)]
    client = logged_in(operator)

    first = client.get(reverse("messaging:inbox")).content.decode()
    assert "2+ conversations" in first and "Page 1 of" not in first and "Page 1" in first
    third = client.get(reverse("messaging:inbox"), {"page": 3}).content.decode()
    assert f'data-thread="{threads[2].pk}"' in third  # a full page beyond the counted ones
    few = client.get(reverse("messaging:inbox"), {"overdue": "true"}).content.decode()
    assert "0 conversations" in few and "+ conversations" not in few


def test_a_viewer_reads_but_cannot_reply_and_an_outsider_sees_nothing(viewer, outsider, thread):
    assert logged_in(viewer).get(reverse("messaging:thread", args=[thread.pk])).status_code == 200
    refused = logged_in(viewer).post(reverse("messaging:reply", args=[thread.pk]), {"body": "Bonjour !"})
    assert refused.status_code == 403 and not thread.messages.filter(direction="out").exists()
    assert logged_in(outsider).get(reverse("messaging:inbox")).status_code == 403


def test_the_thread_page_shows_the_order_and_a_template_is_filled_in(operator):
    order = make_order(status=OrderStatus.SHIPPED)
    Order.objects.filter(pk=order.pk).update(carrier="colissimo", tracking_number="6A12345678901")
    order.refresh_from_db()
    thread = make_thread(order=order, buyer_name="Margot Charpentier")
    client = logged_in(operator)
    page = client.get(reverse("messaging:thread", args=[thread.pk])).content.decode()
    assert order.get_status_display() in page and "6A12345678901" in page
    assert all(line.sku in page for line in order.lines.all())

    template = Template.objects.get(name="Où est mon colis", language="fr")
    filled = client.get(reverse("messaging:template", args=[thread.pk]), {"template": template.pk}).content.decode()
    assert "Bonjour Margot Charpentier" in filled
    assert (order.reference or order.marketplace_order_id) in filled
    assert "6A12345678901" in filled and "{tracking_link}" not in filled


def test_replying_queues_the_message_and_a_colleague_who_answered_meanwhile_is_shown(operator, admin_user, thread):
    seen = thread.messages.get().pk
    client = logged_in(operator)
    response = client.post(
        reverse("messaging:reply", args=[thread.pk]),
        {"body": "Bonjour,\r\n\r\nc'est en route.", "seen_message_id": seen},  # a textarea's CRLF
    )
    assert response.status_code == 302
    assert Message.objects.get(thread=thread, direction="out").body == "Bonjour,\n\nc'est en route."
    thread.refresh_from_db()
    assert thread.status == Thread.Status.WAITING and thread.assignee == operator
    assert outbox.messages_about(outbox_names.thread_subject(thread.pk)).get().kind == outbox_names.REPLY

    other = logged_in(admin_user).post(
        reverse("messaging:reply", args=[thread.pk]), {"body": "Je réponds aussi.", "seen_message_id": seen}
    )
    assert other.status_code == 409
    assert "oscar-operator" in other.content.decode() and 'data-warning="answered-meanwhile"' in other.content.decode()
    assert Message.objects.filter(thread=thread, direction="out").count() == 1
    forced = logged_in(admin_user).post(
        reverse("messaging:reply", args=[thread.pk]),
        {"body": "Je réponds aussi.", "seen_message_id": seen, "force": "on"},
    )
    assert forced.status_code == 302
    assert Message.objects.filter(thread=thread, direction="out").count() == 2


def test_a_too_short_reply_is_refused_and_nothing_changes(operator, thread):
    response = logged_in(operator).post(reverse("messaging:reply", args=[thread.pk]), {"body": "ok"})
    assert response.status_code == 400
    thread.refresh_from_db()
    assert thread.status == Thread.Status.NEEDS_REPLY and not thread.messages.filter(direction="out").exists()


def test_assign_and_no_reply_needed_where_the_platform_allows_it(operator, admin_user):
    thread = make_thread(account=MarketplaceAccountFactory(platform="amazon"))
    client = logged_in(operator)
    client.post(reverse("messaging:assign", args=[thread.pk]), {"assignee": admin_user.pk})
    thread.refresh_from_db()
    assert thread.assignee == admin_user
    client.post(reverse("messaging:close", args=[thread.pk]))
    thread.refresh_from_db()
    assert (thread.status, thread.reply_by) == (Thread.Status.CLOSED, None)

    cdiscount = make_thread(account=MarketplaceAccountFactory(platform="cdiscount"))
    client.post(reverse("messaging:close", args=[cdiscount.pk]))
    cdiscount.refresh_from_db()
    assert cdiscount.status == Thread.Status.NEEDS_REPLY


def test_no_english_on_the_french_inbox_and_thread_pages(client, admin_user):
    order = make_order(status=OrderStatus.SHIPPED)
    thread = make_thread(order=order)
    client.force_login(admin_user)
    pieces = catalogue()
    for url in (reverse("messaging:inbox"), reverse("messaging:thread", args=[thread.pk])):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="fr")
        assert page.status_code == 200
        html = page.content.decode()
        assert english_on(html, pieces) == [], url
    assert "Répondre avant" in client.get(reverse("messaging:inbox"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()


def test_the_order_queue_filters_and_badges_orders_whose_buyer_waits_and_the_order_page_lists_its_threads(operator):
    waiting_order, quiet_order = make_order(), make_order()
    thread = make_thread(order=waiting_order, subject="Où est mon colis ?")
    make_thread(order=quiet_order, status=Thread.Status.WAITING, needs_reply_since=None, reply_by=None)
    client = logged_in(operator)

    filtered = client.get(reverse("orders:list"), {"buyer_waiting": "true"}).content.decode()
    assert f'data-order="{waiting_order.pk}"' in filtered and f'data-order="{quiet_order.pk}"' not in filtered
    assert f"?order={waiting_order.pk}" in filtered  # the badge opens the order's threads in the inbox
    api = client.get("/api/v1/orders/", {"buyer_waiting": "false"}).json()
    assert [row["id"] for row in api["results"]] == [quiet_order.pk]

    page = client.get(reverse("orders:detail", args=[waiting_order.pk])).content.decode()
    assert f'data-thread="{thread.pk}"' in page and reverse("messaging:thread", args=[thread.pk]) in page
    inbox = client.get(reverse("messaging:inbox"), {"order": waiting_order.pk}).content.decode()
    assert f'data-thread="{thread.pk}"' in inbox


def test_a_template_names_the_delivery_estimate_and_leaves_unknown_variables_visible():
    order = make_order(status=OrderStatus.ACCEPTED)
    Order.objects.filter(pk=order.pk).update(deliver_by=dt.datetime(2026, 12, 3, 23, 30, tzinfo=dt.UTC))
    thread = make_thread(order=Order.objects.get(pk=order.pk))
    text = templating.render("Livraison prévue le {delivery_estimate} {unknown}", thread)
    assert text == "Livraison prévue le 04/12/2026 {unknown}"  # Paris is an hour ahead
