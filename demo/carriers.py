"""The demo's carrier contracts: one account per carrier the carrier sandbox speaks, pointing at it
(`CARRIER_SANDBOX_URL`), so that labels can be printed and parcels tracked to delivery in `make run`."""

from shipping.models import Carrier, CarrierAccount
from shipping.sandbox.accounts import CREDENTIALS, PREFIXES

SENDER = {
    "name": "Service expédition",
    "company": "Maison Dupré",
    "line1": "12 rue de la Soie",
    "postal_code": "69001",
    "city": "Lyon",
    "country": "FR",
    "phone": "0472000000",
    "email": "expedition@example.com",
}


def seed(base_url: str) -> list[CarrierAccount]:
    """A sandbox account per carrier, unless the carrier has one already."""
    accounts = []
    for code, prefix in PREFIXES.items():
        carrier = Carrier.objects.get(code=code)
        if carrier.accounts.exists():
            continue
        account = CarrierAccount(
            carrier=carrier, name=f"{carrier.name} (sandbox)", base_url=base_url.rstrip("/") + prefix, sender=SENDER
        )
        account.credentials = CREDENTIALS[code]
        account.save()
        accounts.append(account)
    return accounts
