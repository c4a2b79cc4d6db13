"""`message.received`: an ERP or helpdesk hears each buyer message, with its thread, once."""

import datetime as dt

import pytest
from django.utils import timezone

from marketplaces.connectors.messages import INBOUND, MessageData, ThreadData
from messaging import actions
from oms import outbox
from tests.factories import MarketplaceAccountFactory
from tests.webhooks.conftest import add_endpoint, receiver  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_new_buyer_message_is_told_once_with_its_thread(receiver):  # noqa: F811
    add_endpoint(url=receiver.url, events=["message.received"])
    account = MarketplaceAccountFactory(platform="mirakl")
    now = timezone.now()
    data = ThreadData(
        platform_thread_id="T-1",
        updated_at=now,
        buyer_name="Margot",
        subject="Où est mon colis ?",
        messages=(
            MessageData(
                "M-1",
                INBOUND,
                "Margot",
                "Où est mon colis ?",
                now - dt.timedelta(minutes=1),
                attachments=({"id": "A-1", "name": "colis.png", "size": 3, "content_type": "image/png"},),
            ),
        ),
    )
    actions.ingest_threads(account=account, threads=[data])
    actions.ingest_threads(account=account, threads=[data])  # seen again: nothing new
    outbox.drain()

    [event] = receiver.events_of("message.received")
    assert event["data"]["message"]["body"] == "Où est mon colis ?"
    assert event["data"]["thread"]["status"] == "needs_reply"
    assert event["data"]["thread"]["reply_by"]
    [photo] = event["data"]["message"]["files"]  # listed by Mirakl, its bytes fetched later (M13)
    assert (photo["name"], photo["content_type"], photo["size"], photo["downloaded"]) == (
        "colis.png",
        "image/png",
        3,
        False,
    )
