"""Pagination for the public listing that stays cheap at a million published cases.

Django's Paginator counts every matching row and fetches a page with OFFSET; at a million
rows the first costs a full index scan on every request and the second grows with the
page number. Here instead:

- the number of matches is counted exactly only up to `COUNT_CAP` ("more than 1,000"); for
  the unfiltered listing the planner's estimate stands in ("about 1,000,000 cases");
- next/previous links carry a keyset cursor (`after=`/`before=`: the sort value and id of
  the last/first row shown), so page 2,000 reached by "next" costs what page 1 costs;
- a bare `?page=N` (a shared URL) still works: it selects the page's ids with OFFSET in a
  subquery that reads only the index, then fetches those rows.
"""

import dataclasses
import hashlib
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import OperationalError, connections
from django.db.models import F, OrderBy, Q, Subquery

# The count could not be made within its time (see `bounded_rows`): the page says "more
# than N", N being the rows it has seen.
COUNT_UNKNOWN = -1

# Counting stops here: "more than 1,000 cases". A filter through another table (outcome,
# outlet) reaches its 1,000th match after probing up to ~10× as many cases; a cap of
# 10,000 made those counts cost 100–350 ms at a million cases.
COUNT_CAP = 1_000


@dataclasses.dataclass
class ListingPage:
    cases: list
    number: int
    per_page: int
    count: int
    count_is_capped: bool
    estimate: int | None
    has_next: bool
    has_previous: bool
    after: str | None
    before: str | None

    @property
    def num_pages(self):
        """The number of pages, when the count is exact."""
        if self.count_is_capped:
            return None
        return max(1, -(-self.count // self.per_page))


def page_size(raw):
    """The `per_page` asked for, within 1 … CASES_MAX_PAGE_SIZE (the default otherwise)."""
    try:
        size = int(raw if raw is not None else settings.CASES_PAGE_SIZE)
    except (TypeError, ValueError):
        return settings.CASES_PAGE_SIZE
    return min(max(size, 1), settings.CASES_MAX_PAGE_SIZE)


def page_number(raw):
    try:
        return max(1, int(raw))
    except (TypeError, ValueError):
        return 1


def capped_count(queryset, cap=COUNT_CAP):
    """The number of rows, counting at most `cap` + 1 of them."""
    return queryset.order_by().values("pk")[: cap + 1].count()


def kept_capped_count(queryset, timeout_ms):
    """`capped_count(queryset)`, or COUNT_UNKNOWN when it runs past `timeout_ms` on
    PostgreSQL, kept until the public data changes (an unknown one five minutes): a
    common word's matches took 150 ms to count on every API page at a million cases."""
    from .cache import cached_until_change

    counted = queryset.order_by().values("pk")[: COUNT_CAP + 1]
    sql, params = counted.query.sql_with_params()
    statement = f"SELECT COUNT(*) FROM ({sql}) AS capped"  # noqa: S608 (Django's SQL)

    def count():
        rows = bounded_rows(counted.db, statement, params, timeout_ms)
        return COUNT_UNKNOWN if rows is None else rows[0][0]

    return cached_until_change(
        f"count:{_query_key(sql, params)}",
        count,
        timeout=lambda found: 5 * 60 if found == COUNT_UNKNOWN else None,
    )


def bounded_rows(using, statement, params, timeout_ms):
    """The rows of `statement`, or None when it runs longer than `timeout_ms` on
    PostgreSQL. Elsewhere, or with no timeout, it simply runs.

    The limit is `SET LOCAL statement_timeout`, sent in the same call as the statement:
    outside a transaction the two run as one implicit transaction, so the limit ends
    with it (no query more); inside one (a test, a view in `atomic`), a savepoint around
    them is rolled back afterwards, which undoes the limit and, after a timeout, the
    error."""
    connection = connections[using]
    if connection.vendor != "postgresql" or not timeout_ms:
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            return cursor.fetchall()
    limit = f"SET LOCAL statement_timeout = {int(timeout_ms)}; "
    connection.ensure_connection()
    in_transaction = connection.in_atomic_block or not connection.get_autocommit()
    savepoint = "SAVEPOINT bounded_rows; " if in_transaction else ""
    try:
        with connection.cursor() as cursor:
            try:
                cursor.execute(savepoint + limit + statement, params)
                return cursor.fetchall()
            finally:
                if in_transaction:
                    cursor.execute(
                        "ROLLBACK TO SAVEPOINT bounded_rows; RELEASE SAVEPOINT bounded_rows"
                    )
    except OperationalError as error:
        if query_canceled(error):
            return None
        raise


QUERY_CANCELED = "57014"


def query_canceled(error):
    """Whether a database error is PostgreSQL cancelling a statement (its time limit)."""
    cause = error.__cause__
    return (getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)) == QUERY_CANCELED


def planner_estimate(queryset):
    """PostgreSQL's estimate of the number of rows, or None elsewhere. It costs one
    EXPLAIN, no scan; good to two significant figures after ANALYZE."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    sql, params = queryset.order_by().values("pk").query.sql_with_params()

    def explain():
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            plan = cursor.fetchone()[0]
        return about(int(plan[0]["Plan"]["Plan Rows"]))

    # Kept until the public data changes: a round trip less for every unfiltered page.
    from .cache import cached_until_change

    return cached_until_change(f"estimate:{_query_key(sql, params)}", explain)


def _query_key(sql, params):
    """A cache key for a compiled query. A JSON parameter (the outcome and outlet
    filters) is an adapter object whose repr names its address: its value is used."""
    values = tuple(getattr(param, "adapted", param) for param in params)
    return hashlib.sha256(repr((sql, values)).encode()).hexdigest()[:32]


def about(rows):
    """A number of rows to two significant figures, as a page says "about" it."""
    return int(float(f"{rows:.2g}"))


def _order_term(term):
    """(field name, descending, nulls_last) of an ordering term, or None for one that is
    not a plain field (nulls_last None: where the database puts NULLs)."""
    if isinstance(term, str):
        return term.lstrip("-"), term.startswith("-"), None
    if isinstance(term, OrderBy) and isinstance(term.expression, F):
        nulls_last = True if term.nulls_last else (False if term.nulls_first else None)
        return term.expression.name, term.descending, nulls_last
    return None


class SortBounds(NamedTuple):
    """Where the values of a sort field lie in every row a filter matches: between
    `lowest` and `highest` (None: no bound), or exactly at one of `also_lower` (values
    below `lowest`), or NULL."""

    lowest: object = None
    highest: object = None
    also_lower: tuple = ()


class Keyset:
    """The ordering of a queryset as (field, descending, nulls_at_end) keys ending with
    the primary key, and how to continue it after (or before) a row."""

    def __init__(self, queryset, keys):
        self.queryset = queryset
        self.keys = keys

    @classmethod
    def of(cls, queryset):
        """The keyset of `queryset`'s ordering, or None if it cannot be continued by
        value (e.g. ordered by search rank)."""
        nulls_largest = connections[queryset.db].features.nulls_order_largest
        keys = []
        for term in queryset.query.order_by:
            parsed = _order_term(term)
            if parsed is None:
                return None
            name, desc, nulls_last = parsed
            try:
                field = queryset.model._meta.get_field(name)
            except FieldDoesNotExist:  # an annotation, e.g. the search rank
                return None
            # Where NULLs sort in this direction: as asked, or PostgreSQL's last going
            # up and SQLite's first.
            nulls_at_end = nulls_last if nulls_last is not None else nulls_largest != desc
            keys.append((field, desc, nulls_at_end))
        if not keys or not keys[-1][0].primary_key or len(keys) > 2:
            return None
        return cls(queryset, keys)

    def cursor(self, case):
        values = [getattr(case, field.attname) for field, _desc, _nulls in self.keys]
        return ".".join("" if value is None else _cursor_text(value) for value in values)

    def parse(self, cursor):
        parts = cursor.rsplit(".", len(self.keys) - 1) if cursor else []
        if len(parts) != len(self.keys):
            return None
        values = []
        for (field, _desc, _nulls), text in zip(self.keys, parts, strict=True):
            if text == "":
                if not field.null:
                    return None
                values.append(None)
                continue
            try:
                values.append(field.to_python(text))
            except (ValidationError, ValueError, TypeError):
                return None
        return values

    def _after(self, keys, values):
        """Rows strictly after `values` in the order of `keys` (field, descending, nulls
        at the end), as two conditions: the rows that come first, and the rows on the
        other side of the NULLs that follow them all (or None). One condition with an OR
        would make PostgreSQL read the index from its start instead of at the cursor."""
        *sort_keys, (pk_field, pk_desc, _nulls) = keys
        pk_after = Q(**{f"{pk_field.attname}__{'lt' if pk_desc else 'gt'}": values[-1]})
        if not sort_keys:
            return pk_after, None
        (field, desc, nulls_at_end), value = sort_keys[0], values[0]
        name = field.attname
        if value is None:
            head = Q(**{f"{name}__isnull": True}) & pk_after
            return head, None if nulls_at_end else Q(**{f"{name}__isnull": False})
        # `field <= value AND (field < value OR pk < pk_value)` lets the index range
        # start at `value` instead of filtering from the first row.
        at_or_after = Q(**{f"{name}__{'lte' if desc else 'gte'}": value})
        strictly_after = Q(**{f"{name}__{'lt' if desc else 'gt'}": value})
        head = at_or_after & (strictly_after | pk_after)
        return head, Q(**{f"{name}__isnull": True}) if nulls_at_end else None

    def _rows(self, queryset, keys, values, limit):
        head, tail = self._after(keys, values)
        rows = list(queryset.filter(head)[:limit])
        # Only the page where one side ends and the other begins asks a second time.
        if tail is not None and len(rows) < limit:
            rows += list(queryset.filter(tail)[: limit - len(rows)])
        return rows

    def rows_within(self, bounds, limit, offset=0):
        """The first rows in the order when the first sort key of every matching row lies
        within `bounds` (SortBounds): index ranges that start where the matches can begin
        instead of a walk from the first row. Going up, the rows at each of `also_lower`
        (below `lowest`) come first, then those from `lowest` on; going down, those from
        `highest` down to the lowest value a match can have. Then those where the key is
        NULL, if NULLs come last. `offset` rows of them are skipped (a page by number)."""
        (field, desc, nulls_at_end) = self.keys[0]
        name = field.attname
        if desc:
            known = [value for value in (*bounds.also_lower, bounds.lowest) if value is not None]
            floor = min(known, default=None)
            ranges = [Q(**{f"{name}__lte": bounds.highest})]
            if floor is not None:
                ranges[0] &= Q(**{f"{name}__gte": floor})
        else:
            ranges = [Q(**{name: value}) for value in sorted(bounds.also_lower)]
            ranges.append(Q(**{f"{name}__gte": bounds.lowest}))
        if nulls_at_end:
            ranges.append(Q(**{f"{name}__isnull": True}))
        rows = []
        for condition in ranges:
            part = self.queryset.filter(condition)
            found = _rows_at_offset(part, offset, limit - len(rows))
            if offset and not found:
                offset -= part.count()  # this range ends before the page: skip it whole
                continue
            rows += found
            offset = 0
            if len(rows) >= limit:
                break
        return rows

    def rows_after(self, values, limit):
        return self._rows(self.queryset, self.keys, values, limit)

    def rows_before(self, values, limit):
        reversed_keys = [(field, not desc, not nulls) for field, desc, nulls in self.keys]
        order = [_order_by(field, desc, nulls) for field, desc, nulls in reversed_keys]
        return self._rows(self.queryset.order_by(*order), reversed_keys, values, limit)


def _order_by(field, desc, nulls_at_end):
    if not field.null:
        return f"{'-' if desc else ''}{field.attname}"
    nulls = {"nulls_last": True} if nulls_at_end else {"nulls_first": True}
    return OrderBy(F(field.attname), descending=desc, **nulls)


def _cursor_text(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def paginate(
    queryset,
    *,
    per_page,
    number=1,
    after=None,
    before=None,
    count=None,
    estimate=None,
    sort_bounds=None,
):
    """One page of `queryset` (already filtered and ordered) for the listing.

    `after`/`before` are cursors from a previous page's links; without one, `number`
    selects the page by position. `estimate()`, if given, is called when the exact count
    passes the cap, for a total to show as "about" (e.g. `planner_estimate` of an
    unfiltered list; None: no estimate). `count`, if the caller has it already, is
    `capped_count(queryset)`, or COUNT_UNKNOWN when it could not be made in time: then a
    page that is not full gives the count, and otherwise the page says "more than" the
    rows seen.

    `sort_bounds` ({field name: SortBounds}) says where the sort field of every matching
    row lies, when the filter knows it (the date filters): a page by number then reads
    index ranges that start there. Without it,
    newest first with an early "until" date walked the date index from the newest of a
    million cases, filtering 940,000 of them (3 s)."""
    if count is None:
        count = capped_count(queryset)
    unknown = count == COUNT_UNKNOWN
    capped = unknown or count > COUNT_CAP
    estimate = estimate() if capped and estimate else None
    if estimate is not None and estimate <= COUNT_CAP:
        estimate = None  # stale statistics; "more than COUNT_CAP" is still true
    keyset = Keyset.of(queryset)
    values = keyset and keyset.parse(after or before)

    if values and after:
        rows = keyset.rows_after(values, per_page + 1)
        has_next, has_previous = len(rows) > per_page, True
        rows = rows[:per_page]
    elif values and before:
        rows = keyset.rows_before(values, per_page + 1)
        has_previous, has_next = len(rows) > per_page, True
        rows = rows[:per_page][::-1]
        if not has_previous:
            number = 1
    else:
        if not capped:
            number = min(number, max(1, -(-count // per_page)))
        offset = (number - 1) * per_page
        bounds = _bounds(keyset, sort_bounds)
        if bounds is not None:
            rows = keyset.rows_within(bounds, per_page + 1, offset)
        else:
            rows = _rows_at_offset(queryset, offset, per_page + 1)
        has_next, has_previous = len(rows) > per_page, number > 1
        rows = rows[:per_page]
        if unknown and not has_next and (rows or number == 1):
            count, unknown, capped = offset + len(rows), False, False
            estimate = None
    if unknown:
        # At least the rows up to this page's end, and one more if there is a next page.
        seen = (number - 1) * per_page + len(rows) if not (after or before) else len(rows)
        count = seen if (has_next or has_previous) else len(rows)
        capped = has_next or has_previous

    return ListingPage(
        cases=rows,
        number=number,
        per_page=per_page,
        count=count if unknown else min(count, COUNT_CAP),
        count_is_capped=capped,
        estimate=estimate,
        has_next=has_next,
        has_previous=has_previous,
        after=keyset.cursor(rows[-1]) if keyset and rows and has_next else None,
        before=keyset.cursor(rows[0]) if keyset and rows and has_previous else None,
    )


def _bounds(keyset, sort_bounds):
    """The bounds of the first sort key where a page's index ranges may start (see
    `paginate`), or None."""
    if keyset is None or not sort_bounds or len(keyset.keys) != 2:
        return None
    field, desc, nulls_at_end = keyset.keys[0]
    if field.null and not nulls_at_end:
        return None  # the NULLs would come first, before any range
    bounds = sort_bounds.get(field.attname)
    if bounds is None or (bounds.highest if desc else bounds.lowest) is None:
        return None
    return bounds


def _rows_at_offset(queryset, offset, limit):
    if offset == 0:
        return list(queryset[:limit])
    # A deferred join: the subquery walks only the (covering) index to skip `offset`
    # rows; the full rows are read for the page alone.
    ids = queryset.values("pk")[offset : offset + limit]
    return list(queryset.filter(pk__in=Subquery(ids)))
