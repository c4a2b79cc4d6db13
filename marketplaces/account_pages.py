"""Pages about one account that apps above marketplaces add (returns: its "Reason codes"): each app
declares its page in its AppConfig.ready(), and the accounts list links them for the admins, without
marketplaces importing the app."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise


@dataclass(frozen=True)
class AccountPage:
    label: Promise
    url_name: str  # reversed with the account's pk as its only argument
    platforms: tuple[str, ...]


PAGES: list[AccountPage] = []


def declare(*, label: Promise, url_name: str, platforms: tuple[str, ...]) -> None:
    if all(page.url_name != url_name for page in PAGES):
        PAGES.append(AccountPage(label=label, url_name=url_name, platforms=tuple(platforms)))


def pages_for(account) -> list[tuple[str, str]]:
    """(label, URL) of the pages about `account`, in the reader's language."""
    return [
        (str(page.label), reverse(page.url_name, args=[account.pk]))
        for page in PAGES
        if account.platform in page.platforms
    ]
