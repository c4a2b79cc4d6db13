"""CSV stock counts: each line applied whole or refused with its reason, a broken file applies nothing."""

import io

import pytest
from django.db.models import Sum

from inventory import actions
from inventory.imports import read_stock_counts
from inventory.models import StockLevel, StockMovement
from oms.errors import DomainError
from orders.actions import Actor
from shipping import actions as shipping_actions
from tests.factories import MarketplaceAccountFactory
from tests.inventory.conftest import level, order_of, product, put_stock

pytestmark = pytest.mark.django_db
ACTOR = Actor.system("test")


def run_import(text: str, *, strict=False, default_warehouse=None):
    rows, refused = read_stock_counts(io.BytesIO(text.encode()), default_warehouse=default_warehouse)
    return actions.import_stock_counts(rows=rows, refused=refused, actor=ACTOR, note="count", strict=strict)


def test_good_lines_are_applied_and_bad_lines_refused_each_with_its_reason(lyon, paris):
    put_stock("KETTLE", 5, lyon)
    put_stock("TOASTER", 2, lyon)
    product("MIXER")
    order_of(MarketplaceAccountFactory(), ("TOASTER", 2))  # reserves both toasters

    report = run_import(
        "sku,warehouse,quantity\n"
        "KETTLE,lyon,9\n"  # 2 applied
        "NOPE,lyon,1\n"  # 3 unknown SKU
        "MIXER,nowhere,1\n"  # 4 unknown warehouse
        "MIXER,paris,-3\n"  # 5 negative
        "MIXER,lyon,many\n"  # 6 not a number
        "TOASTER,lyon,1\n"  # 7 below what is reserved
        "MIXER,lyon,4\n"  # 8 duplicate of 9
        "MIXER,lyon,6\n"  # 9 duplicate of 8
        "KETTLE,paris,3\n"  # 10 applied (a new level)
    )

    assert [(line, sku, count) for line, sku, _, count, _ in report.applied] == [(2, "KETTLE", 9), (10, "KETTLE", 3)]
    reasons = {line: reason for line, _, reason in report.refused}
    assert sorted(reasons) == [3, 4, 5, 6, 7, 8, 9]
    assert "Unknown SKU NOPE" in reasons[3]
    assert "Unknown warehouse nowhere" in reasons[4]
    assert "negative" in reasons[5]
    assert "not a whole number" in reasons[6]
    assert "reserved" in reasons[7]
    assert "more than once" in reasons[8] and "more than once" in reasons[9]
    assert (level("KETTLE", lyon).on_hand, level("KETTLE", paris).on_hand) == (9, 3)
    assert level("TOASTER", lyon).on_hand == 2
    assert not StockLevel.objects.filter(product__sku="MIXER").exclude(on_hand=0).exists()
    assert StockMovement.objects.filter(reason="imported").count() == 2


def test_strict_imports_apply_nothing_when_a_line_is_refused(lyon):
    put_stock("KETTLE", 5, lyon)
    report = run_import("sku;warehouse;quantity\nKETTLE;lyon;9\nNOPE;lyon;1\n", strict=True)
    assert report.applied == [] and len(report.refused) == 1
    assert level("KETTLE", lyon).on_hand == 5
    assert not StockMovement.objects.filter(reason="imported").exists()


@pytest.mark.parametrize(
    "text",
    [
        "",
        "product,count\nKETTLE,3\n",
        'sku,warehouse,quantity\nKETTLE,lyon,"3\n',
    ],
)
def test_a_file_that_is_not_a_stock_count_applies_nothing(lyon, text):
    put_stock("KETTLE", 5, lyon)
    with pytest.raises(DomainError):
        run_import(text)
    assert level("KETTLE", lyon).on_hand == 5


def test_binary_garbage_is_refused(lyon):
    with pytest.raises(DomainError, match="UTF-8"):
        read_stock_counts(io.BytesIO(b"\xff\xfe\x00garbage\x00\xff"))


def test_without_a_warehouse_column_rows_go_to_the_only_warehouse(lyon):
    product("KETTLE")
    report = run_import("sku,quantity\nKETTLE,7\n", default_warehouse="lyon")
    assert len(report.applied) == 1
    assert level("KETTLE", lyon).on_hand == 7


def test_movements_add_up_to_every_level(lyon, paris):
    account = MarketplaceAccountFactory()
    put_stock("KETTLE", 10, lyon)
    run_import("sku,warehouse,quantity\nKETTLE,lyon,12\nKETTLE,paris,4\n")
    kettle = product("KETTLE")
    actions.adjust_stock(product_id=kettle.pk, warehouse_id=paris.pk, change=-1, note="broken", actor=ACTOR)
    shipped = order_of(account, ("KETTLE", 3))
    order_of(account, ("KETTLE", 2))

    shipping_actions.ship_order(order_id=shipped.pk, actor=ACTOR, carrier="ups", tracking_number="1Z999AA10123456784")
    actions.return_to_stock(product_id=kettle.pk, warehouse_id=lyon.pk, quantity=1, actor=ACTOR)

    for stock in StockLevel.objects.all():
        totals = stock.movements.aggregate(on_hand=Sum("on_hand_change"), reserved=Sum("reserved_change"))
        assert (totals["on_hand"] or 0, totals["reserved"] or 0) == (stock.on_hand, stock.reserved)
        last = stock.movements.order_by("-id").first()
        assert (last.on_hand_after, last.reserved_after) == (stock.on_hand, stock.reserved)
    assert level("KETTLE", lyon).on_hand == 12 - 3 + 1
