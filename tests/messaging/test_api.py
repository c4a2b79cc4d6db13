"""/api/v1/threads/: list, read, reply (Idempotency-Key), assign, close; roles and scopes."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from messaging import actions, selectors
from messaging.models import Message, Thread
from oms.access import actions as access_actions
from tests.factories import MarketplaceAccountFactory
from tests.messaging.conftest import make_thread

pytestmark = pytest.mark.django_db


def test_list_and_read_threads_most_urgent_first(viewer_api):
    later, sooner = make_thread(hours_left=10), make_thread(hours_left=1)
    listed = viewer_api.get("/api/v1/threads/")
    assert listed.status_code == 200
    assert [t["id"] for t in listed.json()["results"]] == [sooner.pk, later.pk]
    one = viewer_api.get(f"/api/v1/threads/{sooner.pk}/").json()
    assert one["status"] == "needs_reply" and one["messages"][0]["body"] == "Où est mon colis ?"
    assert viewer_api.get("/api/v1/threads/", {"platform": "amazon"}).json()["results"] == []


def test_reply_is_idempotent_and_a_viewer_may_not_reply(operator_api, viewer_api, thread):
    refused = viewer_api.post(f"/api/v1/threads/{thread.pk}/reply/", {"body": "Bonjour !"}, format="json")
    assert refused.status_code == 403
    headers = {"HTTP_IDEMPOTENCY_KEY": "reply-1"}
    first = operator_api.post(f"/api/v1/threads/{thread.pk}/reply/", {"body": "Bonjour !"}, format="json", **headers)
    again = operator_api.post(f"/api/v1/threads/{thread.pk}/reply/", {"body": "Bonjour !"}, format="json", **headers)
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert Message.objects.filter(thread=thread, direction="out").count() == 1
    assert first.json()["status"] == "waiting_for_buyer"


def test_bad_input_is_a_clear_error_and_changes_nothing(operator_api, thread):
    short = operator_api.post(f"/api/v1/threads/{thread.pk}/reply/", {"body": "ok"}, format="json")
    assert short.status_code == 400 and "body" in str(short.json())
    unknown = operator_api.post(f"/api/v1/threads/{thread.pk}/assign/", {"assignee": 999999}, format="json")
    assert unknown.status_code == 409
    thread.refresh_from_db()
    assert thread.status == Thread.Status.NEEDS_REPLY and thread.assignee is None


def test_answered_meanwhile_is_a_409(operator_api, admin_api, thread):
    seen = thread.messages.get().pk
    admin_api.post(f"/api/v1/threads/{thread.pk}/reply/", {"body": "Réponse A", "seen_message_id": seen}, format="json")
    late = operator_api.post(
        f"/api/v1/threads/{thread.pk}/reply/", {"body": "Réponse B", "seen_message_id": seen}, format="json"
    )
    assert late.status_code == 409 and late.json()["error"]["code"] == "answered_meanwhile"


def test_assign_and_close(operator_api, operator):
    thread = make_thread(account=MarketplaceAccountFactory(platform="ebay"))
    assigned = operator_api.post(f"/api/v1/threads/{thread.pk}/assign/", {"assignee": operator.pk}, format="json")
    assert assigned.json()["assignee"] == operator.get_username()
    closed = operator_api.post(f"/api/v1/threads/{thread.pk}/close/")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"


def test_an_api_client_needs_the_messages_scopes(admin_user, thread):
    _client, secret = access_actions.create_api_client(name="helpdesk", scopes=["messages:read"], created_by=admin_user)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api.get("/api/v1/threads/").status_code == 200
    assert api.post(f"/api/v1/threads/{thread.pk}/reply/", {"body": "Bonjour !"}, format="json").status_code == 403


def test_reply_times_give_the_kpi_app_a_median_and_the_share_within_the_deadline(operator):
    account = MarketplaceAccountFactory(platform="amazon")
    on_time, late = make_thread(account=account, hours_left=5), make_thread(account=account, hours_left=-2)
    start = timezone.now() - dt.timedelta(minutes=1)
    actions.reply(thread_id=on_time.pk, user=operator, body="Bonjour, c'est parti.")
    actions.reply(thread_id=late.pk, user=operator, body="Désolé pour le retard.")
    times = selectors.reply_times(account, start, timezone.now() + dt.timedelta(minutes=1))
    assert times.replies == 2 and times.within_deadline_share == 0.5
    assert 3590 <= times.median_seconds <= 3700  # both buyers waited an hour
    empty = selectors.reply_times(account.pk, start - dt.timedelta(days=2), start - dt.timedelta(days=1))
    assert (empty.replies, empty.median_seconds, empty.within_deadline_share) == (0, None, None)
