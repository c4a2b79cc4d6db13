"""Amazon's buyer messages by e-mail: relayed mail imported from the Maildir into threads, and our
replies sent by SMTP to the buyer's relay address (Django's mail settings).

A relayed mail comes from `<token>@marketplace.amazon.fr` and names its order in the subject, e.g.
"(Commande : 171-1234567-1234567)" (the body is searched too). One thread per relay address and
order. A mail is removed from the Maildir once its thread is stored; a crash in between imports it
again, and its Message-ID makes that a no-op.
"""

from __future__ import annotations

import email.utils
import logging
import mailbox
import re
import smtplib
from email import policy
from email.parser import BytesParser
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone

from marketplaces.connectors.errors import RejectedByMarketplace, TransientError
from marketplaces.connectors.messages import INBOUND, MessageData, SentMessage, ThreadData
from marketplaces.models import MarketplaceAccount
from messaging import actions, attachments, policies
from messaging.models import Message, Thread
from orders import platforms
from orders.models import Order

logger = logging.getLogger(__name__)

AMAZON_ORDER_ID = re.compile(r"\b\d{3}-\d{7}-\d{7}\b")
ORDER_IN_SUBJECT = re.compile(r"\s*\(Commande\s*:\s*[\d-]+\)\s*")
RELAY_SUFFIX = " - Marketplace Amazon"


def _plain_text(mail) -> str:
    part = mail.get_body(preferencelist=("plain", "html"))
    return part.get_content().strip() if part is not None else ""


def _files_of(mail) -> list[dict]:
    """The buyer's files (the mail's attachment parts), content included: kept with the message."""
    files = []
    for part in mail.iter_attachments():
        content = part.get_payload(decode=True) or b""
        if not content or len(content) > policies.MAX_ATTACHMENT_BYTES:
            continue
        files.append(
            {"name": part.get_filename() or "piece-jointe", "size": len(content), "content_type": part.get_content_type(),
             "content": content}
        )  # fmt: skip
    return files


def _account_for(order: Order | None, recipients: list[str]) -> MarketplaceAccount | None:
    if order is not None:
        return order.account
    amazon = MarketplaceAccount.objects.filter(platform=platforms.AMAZON, enabled=True)
    for account in amazon:
        if (account.settings or {}).get("relay_mailbox", "").lower() in recipients:
            return account
    return amazon.first() if amazon.count() == 1 else None


def thread_of(mail) -> tuple[MarketplaceAccount | None, ThreadData]:
    """The account and thread a relayed mail belongs to."""
    name, address = email.utils.parseaddr(str(mail.get("From", "")))
    subject = str(mail.get("Subject", ""))
    body = _plain_text(mail)
    found = AMAZON_ORDER_ID.search(subject) or AMAZON_ORDER_ID.search(body)
    order_id = found.group(0) if found else ""
    order = (
        Order.objects.select_related("account")
        .filter(account__platform=platforms.AMAZON, marketplace_order_id=order_id)
        .first()
        if order_id
        else None
    )
    recipients = [a.lower() for _, a in email.utils.getaddresses(mail.get_all("To", []))]
    sent_at = email.utils.parsedate_to_datetime(mail["Date"]) if mail.get("Date") else timezone.now()
    buyer = name.removesuffix(RELAY_SUFFIX).strip()
    message = MessageData(
        platform_message_id=str(mail.get("Message-ID", "")).strip(),
        direction=INBOUND,
        author_name=buyer,
        body=body,
        sent_at=sent_at,
        attachments=tuple(_files_of(mail)),
    )
    data = ThreadData(
        platform_thread_id=f"{address.lower()}|{order_id}",
        updated_at=sent_at,
        marketplace_order_id=order_id,
        buyer_name=buyer,
        buyer_address=address.lower(),
        subject=ORDER_IN_SUBJECT.sub(" ", subject).strip(),
        messages=(message,),
    )
    return _account_for(order, recipients), data


def import_maildir(path: str | Path | None = None) -> int:
    """Store every relayed mail of the Maildir in its thread; returns how many were imported."""
    path = Path(path or settings.OMS_MAILDIR)
    if not path.is_dir():
        return 0  # no mail server delivers here (yet): nothing to import
    box = mailbox.Maildir(path, factory=None, create=False)
    imported = 0
    for key in list(box.keys()):
        try:
            with box.get_file(key) as handle:
                mail = BytesParser(policy=policy.default).parse(handle)
        except (KeyError, FileNotFoundError):
            continue  # another worker took it
        account, data = thread_of(mail)
        if account is None:
            logger.warning("relayed mail %s names no known Amazon order or account: left in the Maildir", key)
            continue
        actions.ingest_threads(account=account, threads=[data])
        box.discard(key)
        imported += 1
    return imported


def message_id_for(key: str) -> str:
    """Our reply's Message-ID, the same at every attempt: the relay can tell a resend."""
    return f"<{key}@{settings.DEFAULT_FROM_EMAIL.rpartition('@')[2] or 'localhost'}>"


def send_reply(thread: Thread, message: Message, *, message_id: str) -> SentMessage:
    """Our reply to the buyer's relay address, by SMTP, threaded on the buyer's last mail."""
    last = thread.messages.filter(direction=INBOUND).exclude(platform_message_id="").order_by("-pk").first()
    subject = thread.subject or "Votre message"
    if thread.marketplace_order_id:
        subject = f"{subject} (Commande : {thread.marketplace_order_id})"
    headers = {"Message-ID": message_id}
    if last is not None:
        headers.update({"In-Reply-To": last.platform_message_id, "References": last.platform_message_id})
    mail = EmailMessage(
        subject=f"Re: {subject}",
        body=message.body,
        from_email=(thread.account.settings or {}).get("relay_mailbox") or settings.DEFAULT_FROM_EMAIL,
        to=[thread.buyer_address],
        headers=headers,
    )
    for name, content, content_type in attachments.files_to_send(message):
        mail.attach(name, content, content_type)
    try:
        mail.send()
    except smtplib.SMTPRecipientsRefused as error:
        raise RejectedByMarketplace(f"the relay refused {thread.buyer_address}: {error}", platform="amazon") from error
    except (OSError, smtplib.SMTPException) as error:
        raise TransientError(f"mail not sent: {error}", platform="amazon") from error
    return SentMessage(thread.platform_thread_id, message_id)
