"""Amazon's buyer–seller messaging relay, by e-mail: buyers' messages leave as mail to the seller's
address through an SMTP server (the OMS's), the seller's replies arrive on the sandbox's own SMTP
listener, addressed to the buyer's relay address.

Each buyer gets a relay address `<token>@marketplace.amazon.fr`; a message about an order names it in
the subject as Amazon does, "(Commande : 171-1234567-1234567)" (the exact subject wording is
(unverified)). The listener matches a reply to its thread by the recipient's relay address and
records it once per Message-ID. Mail to an order's buyer address (getOrder's `BuyerInfo.BuyerEmail`)
with no thread yet opens one on that order, the seller writing first.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
import socket
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from aiosmtpd.controller import Controller

from . import conversations
from .amazon_wire import render_order
from .wire import iso

logger = logging.getLogger(__name__)

RELAY_DOMAIN = "marketplace.amazon.fr"
PLATFORM = "amazon"


def relay_address(thread: dict) -> str:
    customer = thread["customer"]
    if not customer.get("relay"):
        customer["relay"] = f"{secrets.token_hex(8)}@{RELAY_DOMAIN}"
    return customer["relay"]


def subject_of(thread: dict) -> str:
    if thread["order_id"]:
        return f"{thread['subject']} (Commande : {thread['order_id']})"
    return f"{thread['subject']} - question d'un client Amazon"


def _free_port(host: str) -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def _plain_body(message) -> str:
    part = message.get_body(preferencelist=("plain",)) if message.is_multipart() else message
    return part.get_content().strip() if part is not None else ""


class AmazonRelay:
    """Sends the Amazon accounts' buyer messages by mail and takes the seller's replies by SMTP."""

    def __init__(self, world):
        self.world = world
        self.smtp: tuple[str, int] | None = None
        self.seller_address = ""
        self.controller: Controller | None = None
        self.seen_message_ids: set[str] = set()
        self.lock = threading.Lock()

    def configure(self, *, smtp: tuple[str, int] | None, seller_address: str) -> None:
        self.smtp, self.seller_address = smtp, seller_address

    def listen(self, host: str = "127.0.0.1", port: int = 0) -> int:
        """Start the SMTP listener for the seller's replies (once); returns its port."""
        if self.controller is None:
            self.controller = Controller(self, hostname=host, port=port or _free_port(host))
            self.controller.start()
        return self.controller.port

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    # ---- buyer → seller ----------------------------------------------------------------
    def send_due(self) -> int:
        """Mail every buyer message of an Amazon thread not mailed yet; returns how many left."""
        if self.smtp is None or not self.seller_address:
            return 0
        with self.world.lock:
            due = []
            for key, threads in self.world.threads.items():
                account = self.world.accounts.get(key)
                if account is None or account.platform != PLATFORM:
                    continue
                for thread in threads.values():
                    for message in thread["messages"]:
                        if message["from"] == "customer" and not message.get("mailed_at"):
                            due.append((message, self._mail(thread, message)))
        sent = 0
        for message, mail in due:
            try:
                with smtplib.SMTP(*self.smtp, timeout=10) as client:
                    client.send_message(mail)
            except (OSError, smtplib.SMTPException) as error:
                logger.warning("sandbox could not mail a buyer message: %s", error)
                break
            with self.world.lock:
                message["mailed_at"] = iso(self.world.now())
            sent += 1
        return sent

    def _mail(self, thread: dict, message: dict) -> EmailMessage:
        mail = EmailMessage()
        mail["From"] = formataddr((f"{thread['customer']['name']} - Marketplace Amazon", relay_address(thread)))
        mail["To"] = self.seller_address
        mail["Subject"] = subject_of(thread)
        mail["Message-ID"] = make_msgid(idstring=message["id"], domain=RELAY_DOMAIN)
        mail.set_content(message["body"])
        for attachment in message.get("attachments") or []:
            stored = conversations.stored_file(self.world, attachment["id"])
            if stored is not None:
                maintype, _, subtype = stored["content_type"].partition("/")
                mail.add_attachment(stored["content"], maintype=maintype, subtype=subtype, filename=stored["name"])
        return mail

    def _open_on_order(self, recipients: set[str], subject: str, body: str) -> dict | None:
        """The seller mails the buyer of an order first: a new thread on it (the world's lock is held)."""
        for key, orders in self.world.orders.items():
            account = self.world.accounts.get(key)
            if account is None or account.platform != PLATFORM:
                continue
            for order_id, order in orders.items():
                address = render_order(order)["BuyerInfo"]["BuyerEmail"].lower()
                if address in recipients:
                    thread, message = conversations.open_by_shop(
                        self.world, account, order_id=order_id, subject=subject.removeprefix("Re: "), body=body
                    )
                    thread["customer"]["relay"] = address
                    return message
        return None

    # ---- seller → buyer (aiosmtpd's hook) ---------------------------------------------
    async def handle_DATA(self, server, session, envelope):
        mail = message_from_bytes(envelope.original_content or envelope.content, policy=policy.SMTP)
        message_id = str(mail.get("Message-ID", "")).strip()
        body = _plain_body(mail)
        with self.world.lock:
            if message_id and message_id in self.seen_message_ids:
                return "250 Already delivered"
            threads = [
                thread
                for key, by_id in self.world.threads.items()
                for thread in by_id.values()
                if thread["customer"].get("relay") in {r.lower() for r in envelope.rcpt_tos}
            ]
            if len(body) < 1:
                return "554 Empty message"
            if not threads:
                opened = self._open_on_order({r.lower() for r in envelope.rcpt_tos}, str(mail.get("Subject", "")), body)
                if opened is None:
                    return "550 No such relay address"
                opened["message_id_header"] = message_id
                if message_id:
                    self.seen_message_ids.add(message_id)
                return "250 Message accepted for delivery"
            files = [
                {"name": part.get_filename() or "file", "content_type": part.get_content_type(),
                 "content": part.get_payload(decode=True) or b""}
                for part in mail.iter_attachments()
            ]  # fmt: skip
            for thread in threads:
                account = self.world.accounts[thread["account"]]
                try:
                    kept = conversations.keep_files(self.world, thread, files)
                except ValueError as error:
                    return f"552 {error}"
                reply = conversations.add_message(
                    self.world, thread, sender="shop", author=account.name, body=body, attachments=kept
                )
                reply["message_id_header"] = message_id
                conversations.shop_replied(self.world, thread, reply)
            if message_id:
                self.seen_message_ids.add(message_id)
        return "250 Message accepted for delivery"
