"""Files on messages: the order's packing slip sent with a reply where the platform takes files (Mirakl M12
multipart `files`, Amazon's relay by mail), the buyer's files kept (Mirakl M13, relayed mail parts) and
downloadable by users who may see the account only. Over HTTP against the sandbox and the SMTP server."""

import base64
import mailbox
import time

import pytest
from django.test import Client
from django.urls import reverse

from marketplaces import polling as order_polling
from marketplaces.clients import connector_for_account
from marketplaces.connectors import mirakl_inbox
from messaging import actions, attachments, mail, polling
from messaging.models import Attachment, Message, Thread
from oms import outbox, roles
from oms.access.actions import set_account_scope
from oms.errors import InvalidInput
from orders.models import Order
from tests.factories import MarketplaceAccountFactory, UserFactory

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+hHgAHggJ/PchI7wAAAABJRU5ErkJggg=="
)
PHOTO = {"name": "colis-abime.png", "content_type": "image/png", "content_base64": base64.b64encode(PNG).decode()}


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def wait_until(condition, *, seconds=30, step=0.05):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    raise AssertionError("condition not met in time")


def thread_on_an_order(sandbox, sandbox_account, platform, status):
    account, key = sandbox_account(platform)
    [remote_order] = sandbox.admin.generate_orders(key, 1, status=status)
    order_polling.poll_account(account_id=account.pk)
    [remote] = sandbox.admin.start_threads(key, 1, order_id=remote_order["id"], topic="damaged")
    return account, key, remote, Order.objects.get(account=account)


@pytest.mark.django_db
def test_a_mirakl_reply_carries_the_printed_packing_slip_and_the_buyers_photo_is_kept(
    sandbox, sandbox_account, operator
):
    account, key, remote, order = thread_on_an_order(sandbox, sandbox_account, "mirakl", "SHIPPING")
    polling.poll_threads(account_id=account.pk)
    thread = Thread.objects.get(account=account)
    client = logged_in(operator)
    page = client.get(reverse("messaging:thread", args=[thread.pk])).content.decode()
    assert 'name="attach_packing_slip"' not in page  # no slip printed yet: nothing to attach
    refused = client.post(
        reverse("messaging:reply", args=[thread.pk]),
        {"body": "Voici votre bon de livraison.", "attach_packing_slip": "on"},
    )
    assert refused.status_code == 400 and not thread.messages.filter(direction="out").exists()
    assert "print it first" in refused.content.decode() and "Voici votre bon de livraison." in refused.content.decode()

    assert client.get(reverse("shipping:packing_slip_pdf", args=[order.pk])).status_code == 200  # printed
    page = client.get(reverse("messaging:thread", args=[thread.pk])).content.decode()
    assert 'name="attach_packing_slip"' in page
    sent = client.post(
        reverse("messaging:reply", args=[thread.pk]),
        {"body": "Voici votre bon de livraison.", "attach_packing_slip": "on", "seen_message_id": ""},
    )
    assert sent.status_code == 302
    assert outbox.drain() == {"sent": 1}
    reply = thread.messages.get(direction="out")
    [ours] = reply.files.all()
    assert ours.content_type == "application/pdf" and bytes(ours.content).startswith(b"%PDF")
    recorded = sandbox.admin.account_actions(key)[f"thread/{remote['id']}"]
    [m12] = [a for a in recorded if a["action"] == "M12"]
    assert m12["body"]["files"] == [ours.name]
    [remote_thread] = sandbox.admin.threads(key)
    [on_platform] = remote_thread["messages"][-1]["attachments"]
    served = mirakl_inbox.download_attachment(connector_for_account(account), attachment_id=on_platform["id"])
    assert served == bytes(ours.content)  # the very file, through M13

    # The buyer answers with a photo: listed by M10/M11, downloaded with M13, kept, downloadable.
    sandbox.admin.buyer_writes(key, remote["id"], "Voici la photo du colis.", files=[PHOTO])
    polling.poll_threads(account_id=account.pk)
    photo = Attachment.objects.get(message__thread=thread, message__direction="in", name="colis-abime.png")
    assert bytes(photo.content) == PNG and photo.platform_id
    page = client.get(reverse("messaging:thread", args=[thread.pk])).content.decode()
    assert reverse("messaging:attachment", args=[photo.pk]) in page
    download = client.get(reverse("messaging:attachment", args=[photo.pk]))
    assert download.status_code == 200 and download.content == PNG
    assert download["Content-Disposition"].startswith("attachment;")

    # A file Mirakl will not serve (M13 404) is marked and not asked again; the poll itself succeeds.
    gone = Attachment.objects.create(message=photo.message, name="perdu.jpg", platform_id="no-such-attachment")
    report = polling.poll_threads(account_id=account.pk)
    assert report.claimed and report.error == ""
    gone.refresh_from_db()
    assert gone.unavailable and gone.content is None


@pytest.mark.django_db
def test_a_file_is_served_only_to_users_who_may_see_its_account(operator, outsider):
    account, other = MarketplaceAccountFactory(platform="mirakl"), MarketplaceAccountFactory(platform="mirakl")
    thread = Thread.objects.create(account=account, platform_thread_id="T-files", status="waiting_for_buyer")
    message = Message.objects.create(thread=thread, direction="in", body="Photo", delivery="received")
    photo = Attachment.objects.create(message=message, name="a.png", content_type="image/png", content=PNG, size=3)
    listed = Attachment.objects.create(message=message, name="b.png", platform_id="X1")  # not downloaded yet
    url = reverse("messaging:attachment", args=[photo.pk])
    assert logged_in(operator).get(url).status_code == 200
    assert logged_in(outsider).get(url).status_code == 403
    assert Client().get(url).status_code == 302  # to the login page
    elsewhere = UserFactory(username="scoped-operator", role=roles.OPERATOR)
    set_account_scope(user=elsewhere, account_ids=[other.pk])
    assert logged_in(elsewhere).get(url).status_code == 404
    assert logged_in(operator).get(reverse("messaging:attachment", args=[listed.pk])).status_code == 404


@pytest.mark.django_db
def test_ebay_and_cdiscount_say_they_take_no_attachment(sandbox, sandbox_account, operator):
    account = MarketplaceAccountFactory(platform="ebay")
    thread = Thread.objects.create(account=account, platform_thread_id="C-1", status="needs_reply",
                                   needs_reply_since="2026-11-01T10:00:00Z")  # fmt: skip
    page = logged_in(operator).get(reverse("messaging:thread", args=[thread.pk])).content.decode()
    assert 'data-attachments="unsupported"' in page and 'name="attach_packing_slip"' not in page
    with pytest.raises(InvalidInput):
        actions.reply(thread_id=thread.pk, user=operator, body="Bonjour !", attach=(attachments.PACKING_SLIP,))
    assert not thread.messages.exists()


@pytest.mark.django_db
def test_amazon_relayed_mail_keeps_the_buyers_file_and_our_reply_carries_the_slip(
    sandbox, sandbox_account, smtp, operator
):
    account, key, remote, order = thread_on_an_order(sandbox, sandbox_account, "amazon", "Unshipped")
    inbox = mailbox.Maildir(smtp, create=False)
    wait_until(lambda: len(inbox) == 1)
    mail.import_maildir(smtp)
    sandbox.admin.buyer_writes(key, remote["id"], "La photo du colis.", files=[PHOTO])
    wait_until(lambda: len(inbox) == 1)
    assert mail.import_maildir(smtp) == 1
    thread = Thread.objects.get(account=account)
    photo = Attachment.objects.get(message__thread=thread)
    assert (photo.name, bytes(photo.content), photo.content_type) == ("colis-abime.png", PNG, "image/png")

    client = logged_in(operator)
    client.get(reverse("shipping:packing_slip_pdf", args=[order.pk]))
    client.post(
        reverse("messaging:reply", args=[thread.pk]),
        {"body": "Voici votre bon de livraison.", "attach_packing_slip": "on"},
    )
    assert outbox.drain() == {"sent": 1}
    [remote_thread] = sandbox.admin.threads(key)
    [slip] = remote_thread["messages"][-1]["attachments"]
    assert (
        slip["name"].startswith("bon-de-livraison-")
        and slip["size"] == thread.messages.get(direction="out").files.get().size
    )
