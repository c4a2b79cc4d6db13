"""`manage.py import_stock counts.csv [--strict] [--note ...]`: the CSV stock count import, from a shell."""

from django.core.management.base import BaseCommand, CommandError

from inventory import actions, selectors
from inventory.imports import read_stock_counts
from oms.errors import DomainError
from orders.actions import Actor


class Command(BaseCommand):
    help = "Import counted quantities (columns sku, warehouse, quantity); prints what was applied and refused."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--strict", action="store_true", help="Apply nothing unless every line is valid.")
        parser.add_argument("--note", default="Stock count import")

    def handle(self, *args, path: str, strict: bool, note: str, **options):
        codes = list(selectors.warehouses().values_list("code", flat=True))
        try:
            with open(path, "rb") as handle:
                rows, refused = read_stock_counts(handle, default_warehouse=codes[0] if len(codes) == 1 else None)
            report = actions.import_stock_counts(
                rows=rows, refused=refused, actor=Actor.system("import_stock"), note=note, strict=strict
            )
        except (OSError, DomainError) as error:
            raise CommandError(str(getattr(error, "message", error))) from error
        for line, text, reason in report.refused:
            self.stderr.write(f"line {line}: {reason} ({text})")
        applied = 0 if strict and report.refused else len(report.applied)
        self.stdout.write(
            f"{applied} lines applied, {report.changed} counts changed, {len(report.refused)} lines refused."
        )
