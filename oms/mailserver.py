"""The embedded SMTP server of `make run`: a real server (aiosmtpd) with its mail under `var/mail/`.

Mail to one of our own domains (`--local-domain`, the seller's address that Amazon relays buyer
mail to) is delivered into a Maildir (`var/mail/inbox`), where the messaging worker imports it.
Mail to anyone else (our replies, to Amazon's relay addresses) is relayed to `--relay HOST:PORT`
(the marketplace sandbox in `make run`), or kept in the `var/mail/sent` Maildir when there is none.
Production sets real mail settings (EMAIL_HOST…, see oms/settings.py) and runs none of this.

    python -m oms.mailserver --port 8025 [--maildir var/mail] [--local-domain seller.localhost] [--relay 127.0.0.1:8826]
"""

from __future__ import annotations

import argparse
import logging
import mailbox
import signal
import smtplib
import socket
import threading
from email import message_from_bytes, policy
from pathlib import Path

from aiosmtpd.controller import Controller

from oms import embedded

logger = logging.getLogger(__name__)

DEFAULT_PORT = 8025
DEFAULT_LOCAL_DOMAIN = "seller.localhost"


def _domain(address: str) -> str:
    return address.rsplit("@", 1)[-1].strip(" >").lower()


class MailHandler:
    """Delivers each accepted message: local recipients into the inbox Maildir, others relayed."""

    def __init__(self, maildir: Path, *, local_domains: tuple[str, ...], relay: tuple[str, int] | None):
        maildir.mkdir(parents=True, exist_ok=True)
        self.inbox = mailbox.Maildir(maildir / "inbox", create=True)
        self.sent = mailbox.Maildir(maildir / "sent", create=True)
        self.local_domains = tuple(d.lower() for d in local_domains)
        self.relay = relay
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's hook name
        local = [r for r in envelope.rcpt_tos if _domain(r) in self.local_domains]
        remote = [r for r in envelope.rcpt_tos if r not in local]
        content = envelope.original_content or envelope.content
        message = message_from_bytes(content, policy=policy.SMTP)
        with self.lock:
            if local:
                self.inbox.add(message)
            if remote and self.relay is None:
                self.sent.add(message)
        if remote and self.relay is not None:
            try:
                with smtplib.SMTP(*self.relay, timeout=10) as client:
                    client.sendmail(envelope.mail_from, remote, content)
            except (OSError, smtplib.SMTPException) as error:
                logger.warning("relaying to %s failed: %s", self.relay, error)
                return "451 Requested action aborted: relay unavailable"
        return "250 Message accepted for delivery"


def start(
    *,
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    maildir: Path | None = None,
    local_domains: tuple[str, ...] = (DEFAULT_LOCAL_DOMAIN,),
    relay: tuple[str, int] | None = None,
) -> Controller:
    """Start the server in a background thread (port 0: a free one; `controller.port` says which)."""
    handler = MailHandler(maildir or embedded.VAR_DIR / "mail", local_domains=local_domains, relay=relay)
    controller = Controller(handler, hostname=host, port=port or free_port(host))
    controller.start()
    return controller


def free_port(host: str = "127.0.0.1") -> int:
    """A port nobody listens on now (aiosmtpd's controller cannot bind port 0 itself)."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def _host_port(value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    return host or "127.0.0.1", int(port)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--maildir", type=Path, default=embedded.VAR_DIR / "mail")
    parser.add_argument("--local-domain", action="append", dest="local_domains")
    parser.add_argument("--relay", type=_host_port, default=None)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    controller = start(
        host=args.host,
        port=args.port,
        maildir=args.maildir,
        local_domains=tuple(args.local_domains or (DEFAULT_LOCAL_DOMAIN,)),
        relay=args.relay,
    )
    print(f"SMTP server on {args.host}:{controller.port}, mail under {args.maildir}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
