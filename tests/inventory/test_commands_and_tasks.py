"""The recurring jobs and shell commands call the same actions as the screens."""

import pytest
from django.core.management import call_command

from inventory import tasks
from inventory.actions import STOCK_PUSH
from inventory.models import OrderAllocation
from oms.outbox import OutboxMessage
from orders import pushes
from tests.factories import MarketplaceAccountFactory
from tests.inventory.conftest import level, order_of, put_stock

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def push_at_every_run(settings):
    settings.INVENTORY_PUSH_INTERVAL_SECONDS = 0


def test_the_push_task_queues_and_a_second_run_has_nothing_to_do(lyon):
    account = MarketplaceAccountFactory(platform="ebay")
    put_stock("KETTLE", 4, lyon)
    assert tasks.push_stock.apply().get() == {account.name: 1}
    assert tasks.push_stock.apply().get() == {}
    assert (
        OutboxMessage.objects.filter(destination=pushes.marketplace_destination(account.pk), kind=STOCK_PUSH).count()
        == 1
    )


def test_push_stock_all_republishes_everything(lyon, capsys):
    account = MarketplaceAccountFactory(platform="ebay")
    put_stock("KETTLE", 4, lyon)
    put_stock("TOASTER", 2, lyon)
    call_command("push_stock")
    OutboxMessage.objects.all().delete()
    call_command("push_stock")
    assert not OutboxMessage.objects.exists()  # nothing changed
    call_command("push_stock", "--all")
    assert OutboxMessage.objects.get(destination=pushes.marketplace_destination(account.pk)).payload == {
        "quantities": {"KETTLE": 4, "TOASTER": 2}
    }


def test_the_backorder_task_reserves_once_stock_arrived(lyon):
    put_stock("KETTLE", 0, lyon)
    order = order_of(MarketplaceAccountFactory(), ("KETTLE", 1))
    put_stock("KETTLE", 1, lyon)
    assert tasks.retry_backorders.apply().get() == 1
    assert OrderAllocation.objects.get(order=order).status == "reserved"


def test_import_stock_command(lyon, tmp_path, capsys):
    put_stock("KETTLE", 1, lyon)
    path = tmp_path / "counts.csv"
    path.write_text("sku,warehouse,quantity\nKETTLE,lyon,6\nNOPE,lyon,1\n")
    call_command("import_stock", str(path))
    out = capsys.readouterr()
    assert "1 lines applied" in out.out and "Unknown SKU NOPE" in out.err
    assert level("KETTLE", lyon).on_hand == 6
