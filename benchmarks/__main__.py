"""`make bench`: `python -m benchmarks [--quick] [--only NAME]`, on a throw-away database; prints BENCH lines."""

import argparse
import importlib
import sys
import time

import django
from django.conf import settings
from django.db import connections
from django.test.utils import setup_databases, teardown_databases

from marketplaces.ratelimit import redis_client
from oms.celery import app as celery_app  # also points DJANGO_SETTINGS_MODULE at oms.settings

# Each module has run(quick=...) and prints its figures with benchmarks.support.report.
BENCHMARKS = ["marketplaces", "inventory", "orders", "rules", "webhooks", "shipping", "messaging", "returns", "kpis"]


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Run the benchmarks on their own database and print `BENCH <name> <value> <unit>` lines.",
    )
    parser.add_argument("--quick", action="store_true", help="Smaller volumes: a smoke run, not figures to quote.")
    parser.add_argument(
        "--only", action="append", default=[], choices=BENCHMARKS, help="Benchmark to run (repeatable)."
    )
    arguments = parser.parse_args()

    django.setup()
    # Its own database, task queue and Redis keys: a running `make run` is not disturbed.
    database = settings.DATABASES["default"]
    database["TEST"] = {
        **database.get("TEST", {}),
        "NAME": f"{database['NAME']}_bench",
    }  # oms_bench on the embedded one
    settings.CACHES["default"]["KEY_PREFIX"] = "oms-bench"
    settings.CELERY_TASK_DEFAULT_QUEUE = "oms-bench"
    celery_app.conf.task_default_queue = "oms-bench"
    _forget_earlier_runs()
    databases = setup_databases(verbosity=0, interactive=False, keepdb=False)
    started = time.perf_counter()
    try:
        for name in arguments.only or BENCHMARKS:
            importlib.import_module(f"benchmarks.{name}").run(quick=arguments.quick)
    finally:
        connections.close_all()
        teardown_databases(databases, verbosity=0)
        _forget_earlier_runs()
    print(f"benchmarks done in {time.perf_counter() - started:.0f} s", flush=True)
    return 0


def _forget_earlier_runs() -> None:
    """A run starts and ends with no bench tasks queued and no bench rate-limit buckets or tokens in Redis."""
    client = redis_client()
    client.delete(settings.CELERY_TASK_DEFAULT_QUEUE)
    for key in client.scan_iter(match=f"{settings.CACHES['default']['KEY_PREFIX']}:*", count=1000):
        client.delete(key)


if __name__ == "__main__":
    sys.exit(main())
