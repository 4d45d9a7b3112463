"""Pages of a case list that stay fast when the list is a district's whole history."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property

# Past this many cases a list says "more than" instead of counting them all: counting a
# million rows costs most of a second on every page, and nobody pages that far.
COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    """A paginator for case lists over a district's whole history.

    It counts at most `cap` rows (`capped` tells whether there are more), and fetches a
    page in two steps: first the ids of the page's rows, then those rows with their
    related units and categories. PostgreSQL cannot estimate how many cases a search
    word matches; asked for everything at once it may join every match before it sorts,
    where the two steps join only the rows shown.
    """

    cap = COUNT_CAP

    @cached_property
    def _counted(self) -> int:
        # A queryset here: the counting pages are only given querysets.
        return self.object_list.order_by()[: self.cap + 1].count()  # type: ignore[attr-defined]

    @property
    def count(self) -> int:
        return min(self._counted, self.cap)

    @property
    def capped(self) -> bool:
        return self._counted > self.cap

    def page(self, number):
        page = super().page(number)
        listed = self.object_list
        ids = list(page.object_list.values_list("pk", flat=True))
        rows = listed.model._default_manager.filter(pk__in=ids)
        rows.query.select_related = listed.query.select_related
        rows = rows.prefetch_related(*listed._prefetch_related_lookups)
        by_id = {row.pk: row for row in rows}
        page.object_list = [by_id[pk] for pk in ids]
        return page
