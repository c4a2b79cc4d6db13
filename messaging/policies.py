"""Per-platform messaging facts as data, and each account's reply deadline rule."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from marketplaces.models import MarketplaceAccount
from messaging import deadlines
from orders import platforms

# Where an operator may close a thread without answering (Amazon's "No response needed"; Mirakl
# and eBay let the seller archive a conversation). All (unverified): no spec names such a call, so
# closing is ours only and the platform is not told.
NO_REPLY_NEEDED_ALLOWED = {
    platforms.AMAZON: True,
    platforms.EBAY: True,
    platforms.MIRAKL: True,
    platforms.CDISCOUNT: False,
}
# Whether a reply can carry a file: Mirakl M12 `files` (multipart), Amazon's relay (a mail attachment). eBay's
# sendMessage takes only links to files we host over HTTPS (`messageMedia.mediaUrl`); Cdiscount's discussions
# are unverified: neither is offered.
ATTACHMENTS_ALLOWED = {
    platforms.AMAZON: True,
    platforms.EBAY: False,
    platforms.MIRAKL: True,
    platforms.CDISCOUNT: False,
}
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024  # what we keep of a buyer's file (Mirakl states no size, unverified)
# How often each platform's threads are read. M11, getConversations and Octopia state no quota (unverified):
# twice a minute keeps a buyer's message in the inbox within a minute.
THREAD_POLL_INTERVAL = {
    platforms.MIRAKL: dt.timedelta(seconds=30),
    platforms.EBAY: dt.timedelta(seconds=30),
    platforms.CDISCOUNT: dt.timedelta(seconds=30),  # Octopia discussions: the format itself is (unverified)
}
POLLED_PLATFORMS = tuple(THREAD_POLL_INTERVAL)
# Read again what changed this long before the cursor (clocks and late publication).
POLL_OVERLAP = dt.timedelta(minutes=2)
FIRST_POLL_LOOKBACK = dt.timedelta(days=30)


def reply_policy(account: MarketplaceAccount) -> deadlines.ReplyPolicy:
    """The platform's (or Mirakl operator's) rule, unless the account's messaging settings override it."""
    try:
        own = account.messaging
    except MarketplaceAccount.messaging.RelatedObjectDoesNotExist:
        own = None
    return deadlines.policy_for(
        platform=account.platform,
        api_base_url=account.api_base_url,
        override_hours=own.reply_deadline_hours if own else None,
        override_weekends=own.reply_deadline_counts_weekends if own else None,
    )


def reply_by(account: MarketplaceAccount, since: dt.datetime | None) -> dt.datetime | None:
    if since is None:
        return None
    return deadlines.reply_by(since, reply_policy(account), settings.OMS_DEFAULT_TIME_ZONE)
