"""Paging of the returns queue: counting 100,000 open returns to print "87,000 returns" cost more than
the page itself (a third of its time), so the count stops at CAP + 1 and the queue says "10000+".

The same rule as the orders queue (`order_queue/pagination.py`, a layer above, so not imported here).
"""

from functools import cached_property

from django.core.paginator import Paginator


class CappedPaginator(Paginator):
    """Counts at most CAP + 1 matching returns; beyond that the queue says "10000+"."""

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
