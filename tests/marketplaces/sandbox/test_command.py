"""`manage.py sandbox peak|status` against a real sandbox (the command's logic, without settings)."""

import io

from marketplaces.management.commands.sandbox import Command

from .support import new_account


def test_peak_spreads_orders_over_accounts_and_status_prints_counters(sandbox):
    first, _ = new_account(sandbox, "amazon")
    second, _ = new_account(sandbox, "cdiscount")
    out = io.StringIO()
    command = Command(stdout=out)
    command.peak(sandbox.admin, rate=120, minutes=0.03, only=None)  # 1.8 s: two ticks of 2 orders
    counts = [len(sandbox.admin.orders(first)), len(sandbox.admin.orders(second))]
    assert sum(counts) >= 4 and min(counts) >= 2
    assert "peak done" in out.getvalue()
    command.status(sandbox.admin)
    assert first in out.getvalue() and "throttled (429)" in out.getvalue()


def test_peak_on_one_account_only(sandbox):
    only, _ = new_account(sandbox, "ebay")
    other, _ = new_account(sandbox, "ebay")
    Command(stdout=io.StringIO()).peak(sandbox.admin, rate=60, minutes=0.025, only=only)
    assert len(sandbox.admin.orders(only)) >= 2 and sandbox.admin.orders(other) == []
