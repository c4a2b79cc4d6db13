"""Saved views: personal and shared, their counts in the queue's navigation, and who may do what."""

import datetime as dt
import re
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from order_queue import saved_views
from orders.models import SavedView
from orders.status import OrderStatus
from tests.factories import make_order

pytestmark = pytest.mark.django_db


def nav_counts(html: str) -> dict[str, int]:
    return {
        name.strip(): int(count)
        for name, count in re.findall(r'class="view-link[^"]*"[^>]*>([^<]+)<span class="view-count">(\d+)</span>', html)
    }


@pytest.fixture(autouse=True)
def fresh_counts(monkeypatch):
    """Counts are cached in Redis: each test gets keys of its own."""
    monkeypatch.setattr(saved_views, "COUNT_KEY_PREFIX", f"test-view-count:{uuid.uuid4().hex}")


def test_built_in_shared_views_show_their_counts_in_the_navigation(client, viewer):
    now = timezone.now()
    for _ in range(3):
        make_order(status=OrderStatus.PENDING_ACCEPTANCE, acceptance_deadline=now + dt.timedelta(days=1))
    make_order(status=OrderStatus.ACCEPTED, ship_by=now - dt.timedelta(hours=3))
    make_order(status=OrderStatus.SHIPPED)
    client.force_login(viewer)
    counts = nav_counts(client.get(reverse("orders:list")).content.decode())
    assert counts["To accept"] == 3
    assert counts["Late"] == 1
    assert "To ship today" in counts


def test_counts_take_one_query_for_all_views_and_follow_every_change(client, operator, django_assert_max_num_queries):
    make_order(status=OrderStatus.PENDING_ACCEPTANCE)
    client.force_login(operator)
    views = list(SavedView.objects.all())

    class Request:
        user = operator

    # the user's account scope (read once, then kept on the user), the latest change, then every view's count in one query
    with django_assert_max_num_queries(3):
        first = saved_views.view_counts(views, Request())
    with django_assert_max_num_queries(1):  # nothing changed: only the latest change is read
        cached = saved_views.view_counts(views, Request())
    assert cached == first
    make_order(status=OrderStatus.PENDING_ACCEPTANCE)  # a change: the counts are fresh at once
    to_accept = next(view for view in views if view.name == "To accept")
    assert saved_views.view_counts(views, Request())[to_accept.pk] == first[to_accept.pk] + 1


def test_an_operator_saves_a_personal_view_that_others_do_not_see(client, operator, admin_user):
    make_order(status=OrderStatus.SHIPPED)
    client.force_login(operator)
    response = client.post(
        reverse("orders:saved_view_create"),
        {"name": "Shipped FR", "query": "status=shipped&country=FR&page=3&sort=newest"},
    )
    assert response.status_code == 302
    view = SavedView.objects.get(name="Shipped FR")
    assert view.owner == operator and not view.shared
    assert view.query == "country=FR&status=shipped"  # paging and sorting are not filters
    assert nav_counts(client.get(reverse("orders:list")).content.decode())["Shipped FR"] == 1

    client.force_login(admin_user)
    assert "Shipped FR" not in nav_counts(client.get(reverse("orders:list")).content.decode())


def test_only_an_admin_publishes_a_shared_view(client, operator, admin_user, viewer):
    client.force_login(operator)
    client.post(reverse("orders:saved_view_create"), {"name": "Team", "query": "status=accepted", "shared": "on"})
    assert not SavedView.objects.filter(name="Team").exists()

    client.force_login(admin_user)
    client.post(reverse("orders:saved_view_create"), {"name": "Team", "query": "status=accepted", "shared": "on"})
    shared = SavedView.objects.get(name="Team")
    assert shared.shared and shared.owner is None

    client.force_login(viewer)
    assert "Team" in nav_counts(client.get(reverse("orders:list")).content.decode())
    assert client.post(reverse("orders:saved_view_create"), {"name": "Mine"}).status_code == 403
    assert client.post(reverse("orders:saved_view_delete", args=[shared.pk])).status_code == 403

    client.force_login(operator)
    client.post(reverse("orders:saved_view_delete", args=[shared.pk]))
    assert SavedView.objects.filter(pk=shared.pk).exists()  # not the operator's to delete
    client.force_login(admin_user)
    client.post(reverse("orders:saved_view_delete", args=[shared.pk]))
    assert not SavedView.objects.filter(pk=shared.pk).exists()


def test_a_user_cannot_delete_someone_elses_view(client, operator, admin_user):
    view = saved_views.save_view(user=admin_user, name="Admin's", query="status=shipped")
    client.force_login(operator)
    client.post(reverse("orders:saved_view_delete", args=[view.pk]))
    assert SavedView.objects.filter(pk=view.pk).exists()
