"""`manage.py generate_orders N`: N orders and their lines, fast (COPY), for benchmarks and demos at scale."""

from django.core.management.base import BaseCommand

from demo.order_history import generate_orders


class Command(BaseCommand):
    help = (
        "Insert N generated orders (1 to 3 lines and a received event each) with COPY: a million in about two minutes."
    )

    def add_arguments(self, parser):
        parser.add_argument("count", type=int)
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args, count: int, seed: int, **options):
        seconds = generate_orders(count, seed=seed)
        self.stdout.write(f"{count} orders in {seconds:.1f} s ({count / seconds:.0f} orders/s)")
