"""`make bench`: every app's benchmarks on a throw-away database; prints BENCH lines."""

import importlib
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.test.utils import setup_databases, teardown_databases

from oms.celery import app as celery_app

# Each module has run(quick=...) and prints its figures with oms.benchmarking.report.
BENCHMARKS = ["marketplaces.bench", "inventory.bench", "orders.bench", "orders.rules.bench"]


class Command(BaseCommand):
    help = "Run the benchmarks on their own database and print `BENCH <name> <value> <unit>` lines."

    def add_arguments(self, parser):
        parser.add_argument("--quick", action="store_true", help="Smaller volumes: a smoke run, not figures to quote.")
        parser.add_argument("--only", action="append", default=[], help="Module to run (repeatable).")

    def handle(self, *args, quick: bool, only: list[str], **options):
        # Its own database, task queue and Redis keys: a running `make run` is not disturbed.
        # Named after the configured database (oms → oms_bench): two checkouts sharing a server never drop each other's.
        name = f"{settings.DATABASES['default']['NAME']}_bench"
        settings.DATABASES["default"]["TEST"] = {**settings.DATABASES["default"].get("TEST", {}), "NAME": name}
        settings.CACHES["default"]["KEY_PREFIX"] = "oms-bench"
        settings.CELERY_TASK_DEFAULT_QUEUE = "oms-bench"
        celery_app.conf.task_default_queue = "oms-bench"
        databases = setup_databases(verbosity=0, interactive=False, keepdb=False)
        started = time.perf_counter()
        try:
            for module in only or BENCHMARKS:
                importlib.import_module(module).run(quick=quick)
        finally:
            teardown_databases(databases, verbosity=0)
        self.stdout.write(f"benchmarks done in {time.perf_counter() - started:.0f} s")
