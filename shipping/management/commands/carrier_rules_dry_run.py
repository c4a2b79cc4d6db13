"""What the carrier rules would choose for the orders to ship, and why, changing nothing."""

from django.core.management.base import BaseCommand

from orders.models import Order
from orders.status import OrderStatus
from shipping import carrier_choice


class Command(BaseCommand):
    help = "Show the carrier service the rules would choose for the orders to ship (a dry run: nothing changes)."

    def add_arguments(self, parser):
        parser.add_argument("--orders", type=int, default=20, help="How many orders to ship, oldest deadline first")

    def handle(self, *args, orders: int, **options):
        to_ship = (
            Order.objects.filter(status__in=[OrderStatus.ACCEPTED, OrderStatus.PARTIALLY_SHIPPED])
            .select_related("account")
            .prefetch_related("lines")
            .order_by("ship_by", "pk")[:orders]
        )
        for choice in carrier_choice.dry_run(to_ship):
            chosen = f"{choice.service} ({choice.rule.name})" if choice.rule else "no rule matches"
            self.stdout.write(f"{choice.order.number}: {chosen}")
            for reason in choice.reasons:
                self.stdout.write(f"    {reason.text}")
