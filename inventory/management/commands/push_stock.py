"""`manage.py push_stock [--all]`: queue the coalesced stock pushes now (beat runs it every few seconds)."""

from django.core.management.base import BaseCommand

from inventory import actions


class Command(BaseCommand):
    help = "Queue one stock push per due account for the SKUs whose stock changed (--all: every SKU)."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="Send every SKU to every account again, even unchanged.")

    def handle(self, *args, all: bool, **options):
        if all:
            self.stdout.write(f"{actions.schedule_full_push(resend=True)} products to publish again.")
        queued = actions.queue_stock_pushes()
        for account, count in sorted(queued.items()):
            self.stdout.write(f"{account}: {count} SKUs queued")
        if not queued:
            self.stdout.write("Nothing to push (or no account due yet).")
