"""A real carrier sandbox on a loopback port, carrier accounts pointing at it, shippable orders."""

import pytest
from django.utils import translation

from inventory.models import Warehouse
from orders.actions import Actor
from shipping.models import Carrier, CarrierAccount, CarrierService
from shipping.sandbox.accounts import CREDENTIALS, PREFIXES
from shipping.sandbox.testing import running_carrier_sandbox
from tests.factories import OrderLineDataFactory, make_order

# The marketplace sandbox and its accounts, for shipments pushed to each platform.
from tests.marketplaces.conftest import sandbox, sandbox_account, sandbox_server  # noqa: F401
from tests.marketplaces.test_capabilities_first import stocked  # noqa: F401
from tests.webhooks.conftest import receiver  # noqa: F401

SENDER = {
    "name": "Entrepôt Lyon",
    "company": "Maison Dupré",
    "line1": "12 rue de la Soie",
    "postal_code": "69001",
    "city": "Lyon",
    "country": "FR",
    "phone": "0472000000",
    "email": "expedition@example.com",
}
# A service of each carrier the sandbox speaks, and the label format it prints.
SERVICES = {"colissimo": ("DOM", "PDF"), "ups": ("11", "ZPL"), "dhl_parcel": ("V01PAK", "PDF")}
SYSTEM = Actor.system("tests")


@pytest.fixture(autouse=True)
def in_english():
    """Messages and reasons are in the active language, which a French page read earlier may have left
    active: these tests read them in English (a request still speaks its own language)."""
    with translation.override("en"):
        yield


@pytest.fixture(scope="session")
def carrier_sandbox_server():
    with running_carrier_sandbox() as running:
        yield running


@pytest.fixture
def carrier_sandbox(carrier_sandbox_server):
    carrier_sandbox_server.admin.reset()
    # No parcel meets a problem unless the test says so (make_exception, make_return).
    carrier_sandbox_server.admin.set_incidents(False)
    yield carrier_sandbox_server
    carrier_sandbox_server.admin.reset()


@pytest.fixture
def carrier_account(carrier_sandbox, db):
    """`carrier_account("ups", **fields)` → a CarrierAccount on the sandbox with working credentials."""

    def create(code: str, **fields):
        account = CarrierAccount(
            carrier=Carrier.objects.get(code=code),
            name=f"{code} sandbox",
            base_url=carrier_sandbox.url + PREFIXES[code],
            sender=SENDER,
        )
        account.credentials = fields.pop("credentials", CREDENTIALS[code])
        for name, value in fields.items():
            setattr(account, name, value)
        account.save()
        return account

    return create


@pytest.fixture
def warehouse(db):
    return Warehouse.objects.create(code="lyon", name="Lyon", priority=1)


@pytest.fixture
def shippable_order(db):
    """An accepted order of two lines (2 + 1 units) to a Paris address."""
    return make_order(
        lines=[OrderLineDataFactory(quantity=2, sku="KETTLE"), OrderLineDataFactory(quantity=1, sku="TEAPOT")],
    )


def service_of(code: str) -> CarrierService:
    return CarrierService.objects.get(carrier__code=code, product_code=SERVICES[code][0])
