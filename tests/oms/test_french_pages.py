"""No English on a French page: the main pages, rendered in French, scanned against the catalogue's source strings.

Every msgid of the French catalogues (locale/fr/LC_MESSAGES/django.po and each app's own
<app>/locale/fr/LC_MESSAGES/django.po: the English source strings) that
shows as visible text (text nodes, and the placeholder, title and aria-label a
person reads) of a French page is English that escaped translation. Strings the
French keeps as they are (the same msgstr), placeholders' fragments shorter than
MIN_FRAGMENT, and the few words below are not looked for.
"""

import re
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from inventory.models import Product
from kpis import actions as kpi_actions
from marketplaces.models import Platform
from order_queue import bulk
from orders import actions, triage
from orders.actions import Actor
from orders.models import BulkJob
from orders.status import OrderStatus
from returns import actions as return_actions
from rules.actions import RuleDefinition, apply_rules_to_order, create_rule
from shipping import actions as shipping_actions
from tests.factories import MarketplaceAccountFactory, make_order
from tests.rules.conftest import order_with, put_in_stock

MIN_FRAGMENT = 12
# Words that read the same in French or name a thing (brands, codes), and one-word
# msgids that also occur inside data (SKUs, names): not evidence of an untranslated string.
NOT_LOOKED_FOR = {
    "Amazon",
    "eBay",
    "Cdiscount",
    "Mirakl",
    "SKU",
    "EAN",
    "Prime",
    "Business",
    "Total",
    "Express",
    "Standard",
    "Stock",
    "Tags",
    "Tag",
    "Page",
    "Pages",
    "Actions",
    "Action",
    "Date",
    "Message",
    "Messages",
    "Note",
    "Notes",
    "Minimum",
    "Maximum",
    "Options",
    "Description",
    "Transport",
    "Orders",
    "Order",
    "Statut",
    "Import",
    "Export",
    "Source",
    "Code",
    "Menu",
    "Total up to",
    "Email",
    "E-mail",
    "Go",
    "OK",
    "Late",
    "Done",
    "Account",
    "Accounts",
    "source",  # the returns' field; the same word in French ("aucune source officielle")
}


def catalogue_files() -> list[Path]:
    """The project's catalogue and the apps' own (an app may keep its strings beside its code)."""
    base = Path(settings.BASE_DIR)
    return [base / "locale/fr/LC_MESSAGES/django.po", *sorted(base.glob("*/locale/fr/LC_MESSAGES/django.po"))]


def catalogue() -> list[str]:
    """The msgids whose French differs, as literal pieces to look for."""
    text = "\n\n".join(path.read_text() for path in catalogue_files())
    pieces = []
    for block in text.split("\n\n"):
        msgid = _field(block, "msgid")
        msgstr = _field(block, "msgstr") or _field(block, "msgstr[0]")
        if not msgid or msgid == msgstr or "msgid_plural" in block:
            continue
        if "%(" in msgid or "%s" in msgid or "{" in msgid:
            pieces += [
                piece.strip()
                for piece in re.split(r"%\(\w+\)[sd]|%[sd]|\{[^}]*\}", msgid)
                if len(piece.strip()) >= MIN_FRAGMENT
            ]
        elif msgid not in NOT_LOOKED_FOR and len(msgid) >= 4:
            pieces.append(msgid)
    return pieces


def _field(block: str, name: str) -> str:
    match = re.search(rf'^{re.escape(name)} ((?:".*"\n?)+)', block + "\n", re.M)
    if not match:
        return ""
    return (
        "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', match.group(1)))
        .encode()
        .decode("unicode_escape")
        .encode("latin-1")
        .decode("utf-8")
    )


class VisibleText(HTMLParser):
    SHOWN_ATTRIBUTES = ("placeholder", "title", "aria-label", "alt")

    def __init__(self):
        super().__init__()
        self.texts, self._hidden = [], 0

    # Raw platform values and payloads are shown as the platform sent them.
    HIDDEN = ("script", "style", "template", "pre", "code")

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self._hidden += 1
        self.texts += [value for name, value in attrs if name in self.SHOWN_ATTRIBUTES and value]

    def handle_endtag(self, tag):
        if tag in self.HIDDEN:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.texts.append(" ".join(data.split()))


def english_on(html: str, pieces: list[str]) -> list[tuple[str, str]]:
    parser = VisibleText()
    parser.feed(html)
    found = []
    for text in parser.texts:
        for piece in pieces:
            if re.search(rf"(?<!\w){re.escape(piece)}(?!\w)", text):
                found.append((piece, text))
    return found


@pytest.fixture
def world(admin_user, mirakl_account):
    """An order with a rich timeline, a rule with decisions, stock, a bulk job."""
    put_in_stock("CHAIR-01", 5)
    rule = create_rule(
        definition=RuleDefinition(
            name="Acceptation auto", action="accept", conditions=[{"type": "stock"}, {"type": "total", "max": "500"}]
        ),
        created_by=admin_user,
        enabled=True,
    )
    order = order_with(account=mirakl_account, lines=[("CHAIR-01", 1, "1234.56")])
    apply_rules_to_order(order_id=order.pk)  # no match: the total is over 500
    actor = Actor.of_user(admin_user)
    actions.accept_order(order_id=order.pk, actor=actor)
    triage.tag_order(order_id=order.pk, actor=actor, tag="fragile")
    triage.assign_order(order_id=order.pk, actor=actor, assignee_id=admin_user.pk)
    triage.hold_order(order_id=order.pk, actor=actor, reason="Adresse à vérifier")
    triage.release_hold(order_id=order.pk, actor=actor)
    shipping_actions.ship_order(order_id=order.pk, actor=actor, carrier="colissimo", tracking_number="6A12345678901")
    returned = return_actions.request_return(
        order_id=order.pk, lines=[return_actions.LineReturn(order.lines.get().pk, 1, reason="damaged")], actor=actor
    )
    return_actions.authorise_return(return_id=returned.pk, actor=actor)
    return_actions.receive_return(return_id=returned.pk, scanned=["CHAIR-01"], actor=actor)
    return_actions.refund_order(
        order_id=order.pk,
        actor=actor,
        reason="Geste",
        lines=[return_actions.LineRefund(order.lines.get().pk, amount=Decimal("10.00"))],
    )
    accepted = order_with(account=mirakl_account, lines=[("CHAIR-01", 1, "42.90")])
    apply_rules_to_order(order_id=accepted.pk)
    waiting = order_with(account=mirakl_account)
    shipped = make_order(account=mirakl_account, status=OrderStatus.SHIPPED)
    job = bulk.start_job(user=admin_user, key="k1", action=BulkJob.Action.ACCEPT, order_ids=[waiting.pk, shipped.pk])
    bulk.run_job(job_id=job.pk)
    return {
        "order": order,
        "rule": rule,
        "job": job,
        "product": Product.objects.get(sku="CHAIR-01"),
        "return": returned,
    }


@pytest.fixture
def mirakl_account():
    return MarketplaceAccountFactory(platform=Platform.MIRAKL)


@pytest.mark.django_db
def test_no_english_on_the_main_french_pages(client, admin_user, world):
    client.force_login(admin_user)
    pages = [
        reverse("orders:list"),
        reverse("orders:list") + "?deadline=overdue",
        reverse("orders:detail", args=[world["order"].pk]),
        reverse("orders:bulk_job", args=[world["job"].pk]),
        reverse("rules:list"),
        reverse("rules:dry_run", args=[world["rule"].pk]) + "?days=7",
        reverse("rules:decisions"),
        reverse("inventory:products"),
        reverse("inventory:product", args=[world["product"].pk]),
        reverse("marketplaces:accounts"),
        reverse("shipping:pack"),
        reverse("shipping:carrier_rules"),
        reverse("shipping:carrier_rules_dry_run"),
        reverse("shipping:carrier_rule_create"),
        reverse("returns:list"),
        reverse("returns:detail", args=[world["return"].pk]),
        reverse("returns:refund", args=[world["order"].pk]),
        reverse("returns:create", args=[world["order"].pk]),
        reverse("home"),
        reverse("kpis:settings"),
    ]
    kpi_actions.refresh_kpis()  # the dashboard's figures, standings and alerts
    pieces = catalogue()
    assert len(pieces) > 300  # the catalogue was read
    leaks = {}
    for url in pages:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="fr")
        assert response.status_code == 200, url
        found = english_on(response.content.decode(), pieces)
        if found:
            leaks[url] = found
    assert leaks == {}


def test_the_scan_finds_an_english_string():
    pieces = catalogue()
    assert english_on("<p>Order accepted.</p>", pieces) == [("Order accepted.", "Order accepted.")]
    assert ("Ship by before", "Ship by before") in english_on('<input placeholder="Ship by before">', pieces)
    assert (
        english_on("<script>Order accepted.</script><code>Order accepted.</code><p>Commande acceptée.</p>", pieces)
        == []
    )
