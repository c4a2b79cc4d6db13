"""The lock order (orders/locks.py) under real concurrency: an operator's cancel, ship and
accept race polls of the same account (real HTTP against the sandbox), stock pushes and
bulk jobs, each on its own PostgreSQL connection. No deadlock, no failed action, and the
orders and the stock end exactly where they should."""

import random
import threading
import time

import pytest
from django.db import close_old_connections, connection
from django.db.models import Sum

from inventory import actions as stock_actions
from inventory.models import Reservation, StockLevel
from marketplaces import polling
from marketplaces.sandbox.catalogue import CATALOGUE
from oms import outbox
from order_queue import bulk
from orders import actions
from orders.models import BulkJob, BulkJobItem, Order
from shipping import actions as shipping_actions
from tests.inventory.conftest import lyon, put_stock  # noqa: F401
from tests.marketplaces.conftest import sandbox, sandbox_account, sandbox_server  # noqa: F401

ROUNDS = 15
NEW_ORDERS_PER_ROUND = 50
STOCK = 2000


def run_together(jobs: dict):
    """Run each job in its own thread (and database connection), released together with a
    little jitter so that their transactions overlap in a different way every round.
    Returns name → exception for the jobs that raised."""
    barrier = threading.Barrier(len(jobs))
    errors = {}

    def target(name, job):
        try:
            barrier.wait(timeout=30)
            if name != "poll":  # the others land anywhere in the poll's page
                time.sleep(random.uniform(0, 0.5))
            job()
        except Exception as error:  # reported by the caller: a thread must not fail silently
            errors[name] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=item) for item in jobs.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    close_old_connections()
    return errors


def _summary(error) -> str:
    lines = str(error).splitlines()
    return " / ".join(
        [f"{error.__class__.__name__}: {lines[0] if lines else ''}", *(l for l in lines if "CONTEXT" in l)]
    )


@pytest.fixture
def push_at_every_run(settings):
    settings.INVENTORY_PUSH_INTERVALS = {}
    settings.INVENTORY_PUSH_INTERVAL_SECONDS = 0


def poll(account):
    report = polling.poll_account(account_id=account.pk)
    assert report.claimed and report.error == "" and report.quarantined == 0, report


def push_stock():
    stock_actions.queue_stock_pushes()
    outbox.drain()


def bulk_job(operator, action, orders, round_number, **params):
    return bulk.start_job(
        user=operator,
        key=f"race-{action}-{round_number}",
        action=action,
        order_ids=[o.pk for o in orders],
        params=params,
    )


@pytest.mark.django_db(transaction=True)
def test_operator_actions_race_polls_stock_pushes_and_bulk_jobs_without_deadlock(
    sandbox,  # noqa: F811  (fixtures imported from other conftests)
    sandbox_account,  # noqa: F811
    lyon,  # noqa: F811
    operator,
    push_at_every_run,
):
    sku = CATALOGUE[3].sku
    put_stock(sku, STOCK, lyon)
    actor = actions.Actor.of_user(operator)
    failures = {}
    for round_number in range(ROUNDS):
        # An account per round keeps each poll to this round's orders; the stock is shared by all.
        account, key = sandbox_account("mirakl", settings={"page_size": 100})
        remote = sandbox.admin.generate_orders(key, 7, skus=[sku], quantity=1, lines=1, status="WAITING_ACCEPTANCE")
        poll(account)
        known = list(
            Order.objects.filter(account=account, marketplace_order_id__in=[r["id"] for r in remote]).order_by("pk")
        )
        to_accept, to_cancel, to_ship, *in_bulk = known
        # Mirakl cancels only accepted orders (a waiting one is refused instead): accept them first.
        for order in (to_ship, to_cancel, *in_bulk[2:]):
            actions.accept_order(order_id=order.pk, actor=actor)
        bulk_accept = bulk_job(operator, BulkJob.Action.ACCEPT, in_bulk[:2], round_number)
        bulk_cancel = bulk_job(operator, BulkJob.Action.CANCEL, in_bulk[2:], round_number, reason="Out of stock")
        # New orders for the very unit the cancel releases: the poll reserves them while the operator acts.
        sandbox.admin.generate_orders(
            key, NEW_ORDERS_PER_ROUND, skus=[sku], quantity=1, lines=1, status="WAITING_ACCEPTANCE"
        )

        errors = run_together(
            {
                "poll": lambda: poll(account),
                "cancel": lambda: actions.cancel_order(order_id=to_cancel.pk, actor=actor, reason="Buyer asked"),
                "ship": lambda: shipping_actions.ship_order(
                    order_id=to_ship.pk, actor=actor, carrier="colissimo", tracking_number=f"6A{round_number:011d}"
                ),
                "accept": lambda: actions.accept_order(order_id=to_accept.pk, actor=actor),
                "stock push": push_stock,
                "bulk accept": lambda: bulk.run_job(job_id=bulk_accept.pk),
                "bulk cancel": lambda: bulk.run_job(job_id=bulk_cancel.pk),
            }
        )
        failures.update({f"round {round_number}: {name}": _summary(error) for name, error in errors.items()})
        failed_items = BulkJobItem.objects.filter(job__in=[bulk_accept, bulk_cancel]).exclude(outcome="succeeded")
        failures.update({f"round {round_number}: bulk item {i.order_id}": i.text for i in failed_items})

        expected = {to_accept: "accepted", to_cancel: "cancelled", to_ship: "shipped"}
        expected.update(dict.fromkeys(in_bulk[:2], "accepted"))
        expected.update(dict.fromkeys(in_bulk[2:], "cancelled"))
        states = dict(Order.objects.filter(pk__in=[o.pk for o in expected]).values_list("pk", "status"))
        assert {o.pk: s for o, s in expected.items()} == states or failures, f"round {round_number}: {states}"
    rounds_failed = len({where.split(":")[0] for where in failures})
    assert failures == {}, f"{rounds_failed} of {ROUNDS} rounds failed:\n" + "\n".join(
        f"{where}: {what}" for where, what in failures.items()
    )

    # Every round's orders are in, and the level says exactly what the reservations and shipments say.
    assert Order.objects.count() == ROUNDS * (7 + NEW_ORDERS_PER_ROUND)
    level = StockLevel.objects.get(product__sku=sku, warehouse=lyon)
    held = Reservation.objects.filter(level=level).aggregate(held=Sum("quantity"), consumed=Sum("consumed"))
    assert (level.on_hand, level.reserved) == (STOCK - ROUNDS, held["held"])
    assert held["consumed"] == ROUNDS
    holding = Order.objects.filter(status__in=["pending_acceptance", "accepted"]).count()
    assert level.reserved == holding
