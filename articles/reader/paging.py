"""Pagination whose cost does not grow with the archive.

Listing pages and search results count at most ``MAX_PAGES`` pages of rows
(``SELECT COUNT(*) FROM (… LIMIT n)``) and answer 404 beyond them, so neither the count nor
the ``OFFSET`` of the deepest page grows when the archive does: at 100,000 articles the
count of every published row cost 23–34 ms a request and ``/?page=10000`` sorted the whole
table.  Every article stays reachable through its section, tag and author pages, search and
the sitemaps; a reader paging back further than 1,000 articles is, in practice, a crawler.
"""

from django.core.paginator import Paginator
from django.utils.functional import cached_property

MAX_PAGES = 100


class CappedPaginator(Paginator):
    """A paginator that counts no further than ``max_pages`` pages.

    ``capped`` tells whether more rows exist than it counted; pages show "Page 3" rather than
    "Page 3 of 100" then, and search "1,000+ results".
    """

    max_pages = MAX_PAGES

    @cached_property
    def _rows_up_to_cap_and_one(self) -> int:
        cap = self.per_page * self.max_pages
        # Unordered and only the ids (not the search page's rank and snippet): the database
        # may stop at the first cap + 1 rows of any index it likes.
        return self.object_list.order_by().values("pk")[: cap + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self._rows_up_to_cap_and_one, self.per_page * self.max_pages)

    @property
    def capped(self) -> bool:
        return self._rows_up_to_cap_and_one > self.per_page * self.max_pages


class ListingPaginator(CappedPaginator):
    """Listing pages after the first pick their ten ids first, then read those ten rows.

    ``SELECT … OFFSET 990`` reads, and throws away, the row of every article it skips, and
    the rows of one section or tag lie scattered over the table.  The ids alone come off a
    listing index without visiting the table (an index-only scan: the indexes carry what
    ``published()`` tests, see migration 0010); full rows are read for the page's ten only.
    The same rows in the same order, and still one query.  The first page skips nothing, so
    it reads its rows directly: the subquery would only cost it time to plan.
    """

    def page(self, number):
        page = super().page(number)
        if page.number > 1:
            page.object_list = self.object_list.filter(pk__in=page.object_list.values("pk"))
        return page
