"""Model factories for the tests; canonical order data comes from demo.factories."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from demo.factories import AddressDataFactory, OrderDataFactory, OrderLineDataFactory  # noqa: F401
from marketplaces.models import MarketplaceAccount
from marketplaces.sandbox_accounts import MIRAKL_REASON_CODES
from orders.actions import ingest_order

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@oms.invalid")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            self.groups.add(Group.objects.get(name=extracted))
        self.save()


class MarketplaceAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MarketplaceAccount

    platform = "mirakl"
    name = factory.Sequence(lambda n: f"Account {n}")
    # A Mirakl account takes refunds only with its reasons mapped (returns.actions.platform_reason_code).
    settings = factory.LazyAttribute(
        lambda account: {"reason_codes": dict(MIRAKL_REASON_CODES)} if account.platform == "mirakl" else {}
    )


def make_order(*, account=None, **data_fields):
    """Ingest one order built by OrderDataFactory (the way connectors create them)."""
    account = account or MarketplaceAccountFactory()
    data = OrderDataFactory(platform=account.platform, **data_fields)
    return ingest_order(account=account, data=data).order
