"""Paging of the screens' long lists (the order queue, the returns queue, the inbox): counting a million rows to
print "1,000,000 orders" costs more than the page itself, so the count stops at CAP + 1 and the list says "10000+"
(an index-only read of at most 10,001 entries)."""

from functools import cached_property

from django.core.paginator import Paginator


class CappedPaginator(Paginator):
    """Counts at most CAP + 1 matching rows; beyond that the list says "10000+"."""

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
