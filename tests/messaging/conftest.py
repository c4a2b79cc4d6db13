"""The marketplace sandbox on a loopback port (as for the marketplaces tests), and threads made directly."""

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from messaging.models import Message, Thread
from oms import mailserver
from tests.factories import MarketplaceAccountFactory
from tests.marketplaces.conftest import sandbox, sandbox_account, sandbox_server  # noqa: F401

_numbers = itertools.count(1)


def make_thread(*, account=None, order=None, hours_left: float = 5, body="Où est mon colis ?", **fields) -> Thread:
    """A thread needing a reply, its reply due in `hours_left` hours, with the buyer's one message."""
    account = account or (order.account if order else MarketplaceAccountFactory(platform="mirakl"))
    now = timezone.now()
    thread = Thread.objects.create(
        account=account,
        platform_thread_id=f"T-{next(_numbers)}",
        order=order,
        marketplace_order_id=order.marketplace_order_id if order else "",
        buyer_name=fields.pop("buyer_name", "Margot Charpentier"),
        buyer_address="CUST-1",
        subject=fields.pop("subject", "Où est mon colis ?"),
        status=fields.pop("status", Thread.Status.NEEDS_REPLY),
        needs_reply_since=fields.pop("needs_reply_since", now - dt.timedelta(hours=1)),
        reply_by=fields.pop("reply_by", now + dt.timedelta(hours=hours_left)),
        last_message_at=now - dt.timedelta(hours=1),
        **fields,
    )
    Message.objects.create(
        thread=thread,
        platform_message_id=f"M-{thread.platform_thread_id}",
        direction=Message.Direction.INBOUND,
        author_name=thread.buyer_name,
        body=body,
        sent_at=now - dt.timedelta(hours=1),
        received_at=now,
        delivery=Message.Delivery.RECEIVED,
    )
    return thread


@pytest.fixture
def thread(db):
    return make_thread()


@pytest.fixture
def smtp(sandbox, tmp_path, settings):  # noqa: F811  (the sandbox fixture imported above)
    """Our SMTP server relaying to the sandbox's, and Django sending through it."""
    sandbox_port = sandbox.admin.configure_mail(smtp=None, seller_address="")["listen_port"]
    server = mailserver.start(port=0, maildir=tmp_path, relay=("127.0.0.1", sandbox_port))
    sandbox.admin.configure_mail(smtp=f"127.0.0.1:{server.port}", seller_address="ventes@seller.localhost")
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.DEFAULT_FROM_EMAIL = "ventes@seller.localhost"
    yield tmp_path / "inbox"
    sandbox.admin.configure_mail(smtp=None, seller_address="")
    server.stop()
