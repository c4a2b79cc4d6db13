from django.core.management.base import BaseCommand

from kpis import actions, metrics


class Command(BaseCommand):
    help = "Recount the KPIs' daily buckets of the last N days from the orders, then the standings and alerts."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=metrics.HISTORY_DAYS)

    def handle(self, *args, days: int, **options):
        done = actions.recompute_history(days=days)
        self.stdout.write(self.style.SUCCESS(f"Recounted {done['days']} days: {done['buckets']} buckets written."))
