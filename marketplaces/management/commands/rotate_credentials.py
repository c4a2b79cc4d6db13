"""Re-encrypt every account's credentials with the newest key of OMS_CREDENTIALS_KEYS."""

from django.core.management.base import BaseCommand
from django.db import transaction

from marketplaces import credentials
from marketplaces.models import MarketplaceAccount


class Command(BaseCommand):
    help = "Re-encrypt marketplace credentials with the first key of OMS_CREDENTIALS_KEYS."

    def handle(self, *args, **options):
        with transaction.atomic():
            accounts = list(MarketplaceAccount.objects.select_for_update().order_by("pk"))
            for account in accounts:
                account.credentials_ciphertext = credentials.rotate(account.credentials_ciphertext)
                account.save(update_fields=["credentials_ciphertext"])
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted the credentials of {len(accounts)} account(s)."))
