"""How each platform's threads are read and answered: the account's connector (Mirakl, eBay) or
e-mail through Amazon's relay. Translation and HTTP are in the connectors; this module picks one."""

from __future__ import annotations

import datetime as dt

from marketplaces.clients import connector_for_account
from marketplaces.connectors import amazon_messaging, cdiscount_inbox, ebay_inbox, mirakl_inbox
from marketplaces.connectors.errors import InvalidRequest, MarketplaceError, RejectedByMarketplace
from marketplaces.connectors.messages import SentMessage, ThreadPage
from marketplaces.models import MarketplaceAccount
from messaging import actions, attachments, mail, policies
from messaging.models import Attachment, Message, Thread
from oms.errors import NotSupportedByPlatform
from orders import platforms


def list_threads(account: MarketplaceAccount, *, since: dt.datetime, page_token: str | None) -> ThreadPage:
    connector = connector_for_account(account)
    if account.platform == platforms.MIRAKL:
        return mirakl_inbox.list_threads(connector, since=since, page_token=page_token)
    if account.platform == platforms.EBAY:
        return ebay_inbox.list_threads(connector, since=since, page_token=page_token)
    if account.platform == platforms.CDISCOUNT:
        return cdiscount_inbox.list_threads(connector, since=since, page_token=page_token)
    raise NotSupportedByPlatform(f"no thread source for {account.platform}")


FILES_PER_POLL = 20  # buyer files downloaded per poll (M13), oldest first; the rest at the next poll


def fetch_attachments(account: MarketplaceAccount) -> int:
    """Keep the content of the buyer files a platform only listed (Mirakl: M13 downloads them)."""
    if account.platform != platforms.MIRAKL:
        return 0
    missing = Attachment.objects.filter(
        message__thread__account=account,
        content__isnull=True,
        unavailable=False,
        size__lte=policies.MAX_ATTACHMENT_BYTES,
    ).exclude(platform_id="")
    connector = connector_for_account(account)
    fetched = 0
    for attachment in missing.defer("content").order_by("pk")[:FILES_PER_POLL]:
        try:
            content = mirakl_inbox.download_attachment(connector, attachment_id=attachment.platform_id)
        except (RejectedByMarketplace, InvalidRequest):
            Attachment.objects.filter(pk=attachment.pk).update(unavailable=True)
            continue
        Attachment.objects.filter(pk=attachment.pk).update(content=content, size=len(content))
        fetched += 1
    return fetched


def send_reply(thread: Thread, message: Message, *, decided_at: dt.datetime, retry: bool, key: str) -> SentMessage:
    """`key`: the outbox message's idempotency key (the same at every attempt)."""
    account = thread.account
    if account.platform == platforms.AMAZON:
        return mail.send_reply(thread, message, message_id=mail.message_id_for(key))
    if account.platform == platforms.MIRAKL:
        return mirakl_inbox.reply(
            connector_for_account(account),
            thread_id=thread.platform_thread_id,
            body=message.body,
            customer_id=thread.buyer_address,
            decided_at=decided_at,
            retry=retry,
            files=attachments.files_to_send(message),
        )
    if account.platform == platforms.EBAY:
        return ebay_inbox.reply(
            connector_for_account(account),
            conversation_id=thread.platform_thread_id,
            body=message.body,
            decided_at=decided_at,
            retry=retry,
        )
    if account.platform == platforms.CDISCOUNT:
        return cdiscount_inbox.reply(
            connector_for_account(account),
            discussion_id=thread.platform_thread_id,
            body=message.body,
            decided_at=decided_at,
            retry=retry,
        )
    raise NotSupportedByPlatform(f"no reply channel for {account.platform}")


def open_thread_on_order(
    thread: Thread,
    message: Message,
    *,
    marketplace_order_id: str,
    decided_at: dt.datetime,
    retry: bool,
    amazon_type: str = "",
    key: str = "",
) -> SentMessage:
    """A notice to the buyer of an order, in a new thread (Mirakl OR43, eBay sendMessage), or on Amazon
    the Messaging API's `amazon_type` where Amazon offers it for the order, else an e-mail to the buyer's
    relay address (`key`: the outbox message's idempotency key, the mail's Message-ID)."""
    account = thread.account
    if account.platform == platforms.AMAZON:
        connector = connector_for_account(account)
        if amazon_type and amazon_type in amazon_messaging.offered_types(connector, order_id=marketplace_order_id):
            return _send_once_on_amazon(
                connector, message, marketplace_order_id=marketplace_order_id, amazon_type=amazon_type
            )
        if not thread.buyer_address:
            raise NotSupportedByPlatform("Amazon: no message type fits and the order gives no relay e-mail address")
        return mail.send_reply(thread, message, message_id=mail.message_id_for(key or f"notice-{message.pk}"))
    if account.platform == platforms.MIRAKL:
        return mirakl_inbox.open_thread(
            connector_for_account(account),
            order_id=marketplace_order_id,
            body=message.body,
            topic=thread.subject,
            decided_at=decided_at,
            retry=retry,
        )
    if account.platform == platforms.EBAY:
        order = thread.order
        buyer = ((order.raw_payload or {}).get("buyer") or {}).get("username", "") if order else ""
        if not buyer:
            raise NotSupportedByPlatform("eBay: the order names no buyer user name to write to")
        first_line = order.lines.order_by("pk").first()
        return ebay_inbox.start_conversation(
            connector_for_account(account),
            username=buyer,
            body=message.body,
            item_id=(first_line.marketplace_product_id if first_line else ""),
            decided_at=decided_at,
            retry=retry,
        )
    raise NotSupportedByPlatform(f"no notice channel for {account.platform}")


class MaybeSent(Exception):
    """An earlier attempt began sending this message through an API that cannot be read back and stored no
    outcome: Amazon may have it, nothing is sent again (actions.MAYBE_SENT)."""


def _send_once_on_amazon(connector, message: Message, *, marketplace_order_id: str, amazon_type: str) -> SentMessage:
    """At most once: the message is marked as being sent (committed) before the call; a failure that surely
    left Amazon without it clears the mark, an unknown outcome keeps it (the next attempt stops: MaybeSent)."""
    if not actions.begin_platform_send(message_id=message.pk):
        raise MaybeSent(actions.MAYBE_SENT)
    try:
        return amazon_messaging.send(
            connector, order_id=marketplace_order_id, message_type=amazon_type, text=message.body
        )
    except MarketplaceError as error:
        if amazon_messaging.not_processed(error):
            actions.platform_send_failed(message_id=message.pk)
        raise
