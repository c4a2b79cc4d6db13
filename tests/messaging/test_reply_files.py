"""Files an operator or an ERP sends with a reply: the API's `files` (base64 JSON) and the reply page's upload, one
check (`attachments.check_uploads`) for both, over real HTTP to the Mirakl sandbox (M12 multipart) and by SMTP
through Amazon's relay; every refusal a 400 naming the field, with no message saved and nothing queued."""

import base64
import mailbox

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from marketplaces.sandbox import conversations
from messaging import attachments, mail, polling
from messaging.api import parsers
from messaging.models import Attachment, Message, Thread
from oms import outbox
from oms.outbox import OutboxMessage
from tests.factories import MarketplaceAccountFactory
from tests.messaging.conftest import make_thread
from tests.messaging.test_attachments import PNG, thread_on_an_order, wait_until

# A small but real PDF (what an ERP's invoice starts and ends with).
INVOICE = b"%PDF-1.4\n1 0 obj <</Type/Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,"


def b64(content: bytes) -> str:
    return base64.b64encode(content).decode()


def invoice_file(name="facture-FA-2026-0412.pdf", content=INVOICE, content_type="application/pdf") -> dict:
    return {"name": name, "content_type": content_type, "content_base64": b64(content)}


def stored_in_sandbox(sandbox, key: str) -> list[dict]:
    """The files of the shop's last message as the sandbox keeps them: name, content type, bytes."""
    [remote_thread] = sandbox.admin.threads(key)
    return [
        conversations.stored_file(sandbox.server.world, a["id"]) for a in remote_thread["messages"][-1]["attachments"]
    ]


def nothing_written(thread: Thread) -> bool:
    return (
        not thread.messages.filter(direction="out").exists()
        and not Attachment.objects.filter(message__thread=thread).exists()
        and not OutboxMessage.objects.exists()
    )


@pytest.mark.django_db
def test_an_api_reply_sends_the_erps_invoice_to_mirakl_once(sandbox, sandbox_account, operator_api):
    account, key, remote, _order = thread_on_an_order(sandbox, sandbox_account, "mirakl", "SHIPPING")
    polling.poll_threads(account_id=account.pk)
    thread = Thread.objects.get(account=account)
    request = {
        "body": "Bonjour, voici votre facture.",
        "files": [invoice_file(name="C:\\exports\\../factures/facture-FA-2026-0412.pdf")],
    }
    headers = {"HTTP_IDEMPOTENCY_KEY": "erp-invoice-4211"}
    url = f"/api/v1/threads/{thread.pk}/reply/"
    first = operator_api.post(url, request, format="json", **headers)
    assert first.status_code == 201, first.json()
    [ours] = first.json()["messages"][-1]["files"]
    assert ours["name"] == "facture-FA-2026-0412.pdf" and ours["content_type"] == "application/pdf"
    assert ours["size"] == len(INVOICE) and ours["downloaded"] is True

    again = operator_api.post(url, request, format="json", **headers)  # the ERP retries after a timeout
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert thread.messages.filter(direction="out").count() == 1 and OutboxMessage.objects.count() == 1

    assert outbox.drain() == {"sent": 1}
    assert outbox.drain() == {}
    [m12] = [a for a in sandbox.admin.account_actions(key)[f"thread/{remote['id']}"] if a["action"] == "M12"]
    assert m12["body"]["files"] == ["facture-FA-2026-0412.pdf"]  # one M12, the file's clean name
    [kept] = stored_in_sandbox(sandbox, key)
    assert (kept["name"], kept["content_type"], kept["content"]) == (
        "facture-FA-2026-0412.pdf",
        "application/pdf",
        INVOICE,
    )
    assert thread.messages.get(direction="out").delivery == Message.Delivery.SENT


@pytest.mark.django_db
def test_an_api_reply_carries_the_packing_slip_and_a_photo_together(sandbox, sandbox_account, operator, operator_api):
    account, key, _remote, order = thread_on_an_order(sandbox, sandbox_account, "mirakl", "SHIPPING")
    polling.poll_threads(account_id=account.pk)
    thread = Thread.objects.get(account=account)
    client = Client()
    client.force_login(operator)
    assert client.get(reverse("shipping:packing_slip_pdf", args=[order.pk])).status_code == 200  # printed
    sent = operator_api.post(
        f"/api/v1/threads/{thread.pk}/reply/",
        {
            "body": "Voici le bon de livraison et la photo.",
            "attach": ["packing_slip"],
            "files": [invoice_file("photo.png", PNG, "image/png")],
        },
        format="json",
    )
    assert sent.status_code == 201, sent.json()
    assert outbox.drain() == {"sent": 1}
    kept = stored_in_sandbox(sandbox, key)
    assert [k["content_type"] for k in kept] == ["application/pdf", "image/png"]
    assert kept[0]["name"].startswith("bon-de-livraison-") and kept[0]["content"].startswith(b"%PDF-")
    assert kept[1]["content"] == PNG


@pytest.mark.django_db
def test_an_amazon_reply_mails_the_uploaded_file_through_the_relay(sandbox, sandbox_account, smtp, operator_api):
    account, key, _remote, _order = thread_on_an_order(sandbox, sandbox_account, "amazon", "Unshipped")
    inbox = mailbox.Maildir(smtp, create=False)
    wait_until(lambda: len(inbox) == 1)
    assert mail.import_maildir(smtp) == 1
    thread = Thread.objects.get(account=account)
    sent = operator_api.post(
        f"/api/v1/threads/{thread.pk}/reply/",
        {"body": "Bonjour, voici votre facture.", "files": [invoice_file()]},
        format="json",
    )
    assert sent.status_code == 201, sent.json()
    assert outbox.drain() == {"sent": 1}
    [kept] = stored_in_sandbox(sandbox, key)  # the relay took the mail's attachment part
    assert (kept["name"], kept["content_type"], kept["content"]) == (
        "facture-FA-2026-0412.pdf",
        "application/pdf",
        INVOICE,
    )


BIG = b"%PDF-" + b"0" * attachments.MAX_TOTAL_BYTES


@pytest.mark.parametrize(
    ("platform", "request_extra", "field", "words"),
    [
        ("ebay", {"files": [invoice_file()]}, "files", "takes no attachment"),
        ("cdiscount", {"files": [invoice_file()]}, "files", "takes no attachment"),
        ("ebay", {"attach": ["packing_slip"]}, "attach", "takes no attachment"),
        ("mirakl", {"files": [{**invoice_file(), "content_base64": "JVBERi0x!!"}]}, "files", "base64"),
        ("mirakl", {"files": [invoice_file(content=b"")]}, "files", "is empty"),
        ("mirakl", {"files": [invoice_file("notes.txt", b"hello", "text/plain")]}, "files", "type"),
        (
            "mirakl",
            {"files": [invoice_file("facture.pdf", PNG)]},
            "files",
            "is declared application/pdf, but its content is not one",
        ),
        (
            "mirakl",
            {"files": [invoice_file("photo.gif", INVOICE, "image/gif")]},
            "files",
            "is declared image/gif, but its content is not one",
        ),
        ("mirakl", {"files": [invoice_file(content=BIG)]}, "files", "10 MB"),
        ("mirakl", {"files": [invoice_file()] * 6}, "files", "5"),
        ("mirakl", {"attach": ["invoice"]}, "attach", "valid choice"),
    ],
)
@pytest.mark.django_db
def test_a_refused_file_is_a_400_naming_the_field_and_changes_nothing(
    platform, request_extra, field, words, operator_api
):
    thread = make_thread(account=MarketplaceAccountFactory(platform=platform))
    refused = operator_api.post(
        f"/api/v1/threads/{thread.pk}/reply/", {"body": "Voici votre facture.", **request_extra}, format="json"
    )
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert field in error["details"] and words in str(error), error
    assert nothing_written(thread)
    thread.refresh_from_db()
    assert thread.status == Thread.Status.NEEDS_REPLY


@pytest.mark.django_db
def test_the_error_names_the_refused_file_among_several(operator_api):
    thread = make_thread()
    refused = operator_api.post(
        f"/api/v1/threads/{thread.pk}/reply/",
        {"body": "Deux fichiers.", "files": [invoice_file(), invoice_file("x.png", INVOICE, "image/png")]},
        format="json",
    )
    assert refused.status_code == 400
    assert refused.json()["error"]["details"]["files"][0] == {}
    assert "x.png" in refused.json()["error"]["details"]["files"][1]["content"][0]
    assert nothing_written(thread)


@pytest.mark.django_db
def test_mirakl_refuses_a_51st_file_on_an_order_so_we_do(operator_api):
    thread = make_thread()
    buyer_message = thread.messages.get()
    Attachment.objects.bulk_create(
        Attachment(message=buyer_message, name=f"p{i}.png", content_type="image/png", size=1) for i in range(49)
    )
    refused = operator_api.post(
        f"/api/v1/threads/{thread.pk}/reply/",
        {"body": "Deux de plus.", "files": [invoice_file(), invoice_file("b.pdf")]},
        format="json",
    )
    assert refused.status_code == 400 and "50" in refused.json()["error"]["message"]
    assert not thread.messages.filter(direction="out").exists() and not OutboxMessage.objects.exists()
    one = operator_api.post(
        f"/api/v1/threads/{thread.pk}/reply/", {"body": "Un de plus.", "files": [invoice_file()]}, format="json"
    )
    assert one.status_code == 201


@pytest.mark.parametrize(
    ("given", "clean"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\compta\\facture.pdf", "facture.pdf"),
        (".htaccess", "htaccess"),
        ('fac\x00ture\r\n"x";.pdf', "fac_ture_x_.pdf"),
        ("", "piece-jointe.pdf"),
        ("../", "piece-jointe.pdf"),
        ("a" * 300 + ".pdf", "a" * 96 + ".pdf"),
    ],
)
def test_file_names_are_plain_and_short(given, clean):
    assert attachments.clean_name(given, "application/pdf") == clean


@pytest.mark.django_db
def test_the_reply_page_uploads_a_file_and_refuses_a_wrong_one_keeping_the_text(sandbox, sandbox_account, operator):
    account, key, _remote, _order = thread_on_an_order(sandbox, sandbox_account, "mirakl", "SHIPPING")
    polling.poll_threads(account_id=account.pk)
    thread = Thread.objects.get(account=account)
    client = Client()
    client.force_login(operator)
    url = reverse("messaging:reply", args=[thread.pk])
    page = client.get(reverse("messaging:thread", args=[thread.pk])).content.decode()
    assert 'enctype="multipart/form-data"' in page and 'type="file" name="file"' in page

    wrong = client.post(url, {"body": "Voici la photo.", "file": SimpleUploadedFile("photo.gif", PNG, "image/gif")})
    assert wrong.status_code == 400
    assert (
        "is declared image/gif, but its content is not one" in wrong.content.decode()
        and "Voici la photo." in wrong.content.decode()
    )
    assert nothing_written(thread)

    sent = client.post(url, {"body": "Voici la photo.", "file": SimpleUploadedFile("../photo.gif", GIF, "image/gif")})
    assert sent.status_code == 302
    [ours] = Attachment.objects.filter(message__thread=thread, message__direction="out")
    assert (ours.name, ours.content_type, bytes(ours.content)) == ("photo.gif", "image/gif", GIF)
    assert outbox.drain() == {"sent": 1}
    [kept] = stored_in_sandbox(sandbox, key)
    assert (kept["name"], kept["content_type"], kept["content"]) == ("photo.gif", "image/gif", GIF)
    page = client.get(reverse("messaging:thread", args=[thread.pk])).content.decode()
    assert reverse("messaging:attachment", args=[ours.pk]) in page  # our sent file, downloadable
    assert client.get(reverse("messaging:attachment", args=[ours.pk])).content == GIF


@pytest.mark.django_db
def test_the_reply_page_offers_no_upload_where_the_platform_takes_no_file(operator):
    thread = make_thread(account=MarketplaceAccountFactory(platform="cdiscount"))
    client = Client()
    client.force_login(operator)
    page = client.get(reverse("messaging:thread", args=[thread.pk])).content.decode()
    assert 'name="file"' not in page and 'data-attachments="unsupported"' in page
    refused = client.post(
        reverse("messaging:reply", args=[thread.pk]),
        {"body": "Voici la facture.", "file": SimpleUploadedFile("f.pdf", INVOICE, "application/pdf")},
    )
    assert refused.status_code == 400 and "takes no attachment" in refused.content.decode()
    assert nothing_written(thread)


@pytest.mark.django_db
def test_a_reply_body_beyond_its_limit_is_a_413_and_bad_json_a_400(operator_api):
    thread = make_thread()
    url = f"/api/v1/threads/{thread.pk}/reply/"
    huge = b'{"body": "Bonjour", "files": [{"name": "a.pdf", "content_type": "application/pdf", "content_base64": "'
    huge += b"A" * parsers.MAX_BODY_BYTES + b'"}]}'
    too_large = operator_api.generic("POST", url, huge, content_type="application/json")
    assert too_large.status_code == 413 and too_large.json()["error"]["code"] == "too_large"
    broken = operator_api.generic("POST", url, b'{"body": "Bonjour', content_type="application/json")
    assert broken.status_code == 400 and broken.json()["error"]["code"] == "parse_error"
    assert nothing_written(thread)
