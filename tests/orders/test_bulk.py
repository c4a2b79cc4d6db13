"""Bulk actions: a background job per click, per-order outcome, partial failure, double click, export."""

import csv
import io
import threading
import time
import uuid

import pytest
from django.db import connection
from django.urls import reverse

from oms.errors import DomainError
from order_queue import bulk
from orders.models import BulkJob, BulkJobItem, Order, OrderEvent
from orders.status import OrderStatus
from tests.factories import make_order
from tests.workers import kill, start_worker


def start(user, action="accept", orders=(), key=None, **params):
    return bulk.start_job(
        user=user, key=key or uuid.uuid4().hex, action=action, order_ids=[o.pk for o in orders], params=params
    )


@pytest.mark.django_db
def test_bulk_accept_reports_each_order_and_goes_on_after_a_failure(operator):
    waiting = [make_order(status=OrderStatus.PENDING_ACCEPTANCE) for _ in range(3)]
    shipped = make_order(status=OrderStatus.SHIPPED)
    job = start(operator, orders=[*waiting, shipped])

    job = bulk.run_job(job_id=job.pk)

    assert (job.status, job.total, job.succeeded, job.failed) == ("done", 4, 3, 1)
    assert set(Order.objects.filter(pk__in=[o.pk for o in waiting]).values_list("status", flat=True)) == {"accepted"}
    failure = BulkJobItem.objects.get(job=job, outcome="failed")
    assert failure.order_id == shipped.pk
    assert failure.code == "illegal_transition"
    assert "Shipped" in failure.text and "cannot become" in failure.text
    shipped.refresh_from_db()
    assert shipped.status == OrderStatus.SHIPPED
    event = OrderEvent.objects.filter(order=waiting[0], kind="accepted").get()
    assert event.actor_user == operator


@pytest.mark.django_db
def test_the_same_key_twice_is_one_job_acting_once(client, operator):
    order = make_order(status=OrderStatus.PENDING_ACCEPTANCE)
    client.force_login(operator)
    form = {"action": "accept", "key": "click-1", "order": [order.pk]}
    first = client.post(reverse("orders:bulk_start"), form, HTTP_HX_REQUEST="true")
    second = client.post(reverse("orders:bulk_start"), form, HTTP_HX_REQUEST="true")
    assert first.status_code == second.status_code == 200
    job = BulkJob.objects.get()
    assert f'data-job="{job.pk}"' in first.content.decode() and f'data-job="{job.pk}"' in second.content.decode()
    assert BulkJobItem.objects.count() == 1

    bulk.run_job(job_id=job.pk)
    bulk.run_job(job_id=job.pk)  # a redelivered task finds nothing pending
    job.refresh_from_db()
    assert (job.succeeded, job.failed) == (1, 0)
    assert OrderEvent.objects.filter(order=order, kind="accepted").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_clicks_with_one_key_make_one_job(operator):
    orders = [make_order(status=OrderStatus.PENDING_ACCEPTANCE) for _ in range(5)]
    barrier = threading.Barrier(2)
    jobs, errors = [], []

    def click():
        try:
            barrier.wait()
            jobs.append(start(operator, orders=orders, key="same-key").pk)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(set(jobs)) == 1
    assert BulkJob.objects.count() == 1 and BulkJobItem.objects.count() == 5


@pytest.mark.django_db
def test_refuse_and_cancel_need_a_reason_tag_a_valid_tag_and_assign_a_real_user(operator):
    order = make_order(status=OrderStatus.PENDING_ACCEPTANCE)
    for action, params in (
        ("refuse", {}),
        ("cancel", {"reason": "  "}),
        ("tag", {"tag": "bad/tag"}),
        ("assign", {"assignee": "nobody-here"}),
    ):
        with pytest.raises(DomainError):
            start(operator, action=action, orders=[order], **params)
    assert not BulkJob.objects.exists()


@pytest.mark.django_db
def test_bulk_refuse_cancel_tag_and_assign(operator, admin_user):
    a, b = make_order(status=OrderStatus.PENDING_ACCEPTANCE), make_order(status=OrderStatus.ACCEPTED)
    bulk.run_job(job_id=start(operator, action="refuse", orders=[a], reason="Out of stock").pk)
    bulk.run_job(job_id=start(operator, action="cancel", orders=[b], reason="Buyer asked").pk)
    c = make_order()
    bulk.run_job(job_id=start(operator, action="tag", orders=[a, c], tag="vip").pk)
    bulk.run_job(job_id=start(operator, action="assign", orders=[c], assignee=admin_user.username).pk)
    a.refresh_from_db(), b.refresh_from_db(), c.refresh_from_db()
    assert a.status == OrderStatus.REFUSED and b.status == OrderStatus.CANCELLED
    assert a.tags == ["vip"] and c.tags == ["vip"] and c.assignee == admin_user
    assert OrderEvent.objects.filter(order=a, kind="refused", params__reason="Out of stock").exists()


@pytest.mark.django_db
def test_all_matching_the_filters_covers_exactly_those_orders(client, operator):
    waiting = [make_order(status=OrderStatus.PENDING_ACCEPTANCE) for _ in range(4)]
    other = make_order(status=OrderStatus.ACCEPTED)
    client.force_login(operator)
    client.post(
        reverse("orders:bulk_start"),
        {
            "action": "accept",
            "key": "all-1",
            "all_matching": "on",
            "query": "status=pending_acceptance",
            "order": [other.pk],
        },
    )
    job = BulkJob.objects.get()
    assert set(job.items.values_list("order_id", flat=True)) == {o.pk for o in waiting}


@pytest.mark.django_db
def test_export_writes_a_csv_the_operator_downloads(client, operator):
    orders = [make_order(buyer_name=name) for name in ("Hélène Côté", "Jean Dupont")]
    job = bulk.run_job(job_id=start(operator, action="export", orders=orders).pk)
    assert (job.status, job.succeeded) == ("done", 2)
    client.force_login(operator)
    response = client.get(reverse("orders:bulk_export", args=[job.pk]))
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert response["Content-Type"].startswith("text/csv")
    assert sorted(row["buyer_name"] for row in rows) == ["Hélène Côté", "Jean Dupont"]
    assert rows[0]["number"].startswith("OMS-")


@pytest.mark.django_db
def test_progress_partial_polls_until_done_then_reloads_the_table(client, operator):
    order = make_order(status=OrderStatus.SHIPPED)
    job = start(operator, orders=[order])
    client.force_login(operator)
    running = client.get(reverse("orders:bulk_job", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 1s"' in running.content.decode() and "HX-Trigger" not in running
    bulk.run_job(job_id=job.pk)
    done = client.get(reverse("orders:bulk_job", args=[job.pk]), HTTP_HX_REQUEST="true")
    html = done.content.decode()
    assert "every 1s" not in html and done["HX-Trigger"] == "orders-changed"
    assert "cannot become" in html  # the exact reason of the failure


@pytest.mark.django_db
def test_viewers_cannot_start_jobs_and_nobody_sees_anothers_job(client, viewer, operator, admin_user):
    order = make_order(status=OrderStatus.PENDING_ACCEPTANCE)
    client.force_login(viewer)
    response = client.post(reverse("orders:bulk_start"), {"action": "accept", "key": "v", "order": [order.pk]})
    assert response.status_code == 403 and not BulkJob.objects.exists()
    job = start(operator, orders=[order])
    client.force_login(admin_user)
    assert client.get(reverse("orders:bulk_job", args=[job.pk])).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_job_queued_after_commit(operator):
    orders = [make_order(status=OrderStatus.PENDING_ACCEPTANCE) for _ in range(20)]
    worker = start_worker()
    try:
        job = start(operator, orders=orders)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            job.refresh_from_db()
            if job.status == BulkJob.Status.DONE:
                break
            time.sleep(0.1)
    finally:
        kill(worker)
    assert (job.status, job.succeeded, job.failed) == ("done", 20, 0)
    assert Order.objects.filter(status=OrderStatus.ACCEPTED).count() == 20


@pytest.mark.django_db(transaction=True)
def test_a_job_whose_task_was_lost_is_queued_again_and_finished_by_a_worker(operator):
    from django.utils import timezone

    from order_queue.tasks import resume_bulk_jobs

    orders = [make_order(status=OrderStatus.PENDING_ACCEPTANCE) for _ in range(3)]
    # As if the broker lost the task: the job and its items exist, nothing runs them.
    lost = BulkJob.objects.create(created_by=operator, key="lost", action="accept", total=3)
    BulkJobItem.objects.bulk_create(BulkJobItem(job=lost, order=order) for order in orders)
    BulkJob.objects.filter(pk=lost.pk).update(created_at=timezone.now() - bulk.RESUME_AFTER * 2)
    fresh = start(operator, orders=[make_order(status=OrderStatus.SHIPPED)])  # just queued: left alone
    assert bulk.stalled_job_ids() == [lost.pk]

    worker = start_worker()
    try:
        assert resume_bulk_jobs() == 1
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and BulkJob.objects.get(pk=lost.pk).status != "done":
            time.sleep(0.1)
    finally:
        kill(worker)
    lost.refresh_from_db()
    assert (lost.status, lost.succeeded) == ("done", 3)
    assert fresh.pk not in bulk.stalled_job_ids()


@pytest.mark.django_db
def test_the_job_page_lists_every_order_with_its_outcome(client, operator):
    done, refused = make_order(status=OrderStatus.PENDING_ACCEPTANCE), make_order(status=OrderStatus.REFUSED)
    job = bulk.run_job(job_id=start(operator, orders=[done, refused]).pk)
    client.force_login(operator)
    html = client.get(reverse("orders:bulk_job", args=[job.pk])).content.decode()
    assert html.count('class="outcome-succeeded"') == 1 and html.count('class="outcome-failed"') == 1
    assert done.reference in html and refused.reference in html and "Refused: it cannot become" in html


@pytest.mark.django_db
def test_an_empty_selection_or_a_missing_reason_is_explained_in_place(client, operator):
    order = make_order(status=OrderStatus.PENDING_ACCEPTANCE)
    client.force_login(operator)
    nothing = client.post(reverse("orders:bulk_start"), {"action": "accept", "key": "k1"}, HTTP_HX_REQUEST="true")
    no_reason = client.post(
        reverse("orders:bulk_start"), {"action": "refuse", "key": "k2", "order": [order.pk]}, HTTP_HX_REQUEST="true"
    )
    assert "No order selected." in nothing.content.decode()
    assert "A reason is required." in no_reason.content.decode()
    assert not BulkJob.objects.exists()
