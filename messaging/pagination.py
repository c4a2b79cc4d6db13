"""Paging of the inbox: counting 100k open threads to print "80,000 conversations" costs more than the page.

Counts at most CAP + 1 matching threads (an index-only read of at most 10,001 entries); beyond that the inbox says
"10000+", like the queue's paginator (order_queue sits above this app, so it is not imported)."""

from __future__ import annotations

from functools import cached_property

from django.core.paginator import Paginator


class CappedPaginator(Paginator):
    CAP = 10_000

    @cached_property
    def count(self) -> int:
        return self.object_list.order_by().values("pk")[: self.CAP + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.CAP

    @property
    def shown_count(self) -> str:
        return f"{self.CAP}+" if self.capped else str(self.count)

    def page(self, number):
        # A full page even where the capped count would cut it short (the last counted page).
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        return self._get_page(self.object_list[bottom : bottom + self.per_page], number, self)
