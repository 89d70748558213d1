"""How many cases each value of the listing's filters would give (faceted counts), and
the active filters as removable chips.

A value's count is taken under the *other* active filters (choosing Kazan when Moscow is
selected shows what Kazan alone would give with the rest of the filter), as Uwazi does.

Cost at a million cases, within the listing's budget:
- a filter whose other filters are all inactive shows the counts over every published
  case: one GROUP BY per filter, computed when the public data has changed and then kept
  (`tracker.cache.cached_until_change`);
- otherwise the counts come from the cases the other filters select, read up to
  `FACET_SCAN_CAP` of them: below that the counts are exact, above it that filter shows
  no counts (the page says so) rather than a guess;
- everything missing from the cache (and the listing's own capped count) goes to the
  database as one UNION ALL statement, so the listing's number of queries stays fixed.
The counts for a selection are kept until the public data changes.
"""

import hashlib

from django.conf import settings
from django.db import connections
from django.db.models import F
from django.http import QueryDict
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .cache import LATEST_KEY, aggregate, cached_until_change, read_together, until_change_key
from .models import Case, CaseOutcome, Region
from .pagination import COUNT_CAP, COUNT_UNKNOWN, bounded_rows

# A selection whose count took too long is counted again after this long.
UNKNOWN_KEPT_SECONDS = 5 * 60
# Reading more rows than this for one filter's counts would leave the listing's budget.
FACET_SCAN_CAP = 2_000
# The listing parameters that have counts beside their values, and the column counted.
FACETS = {
    "region": "home_region",  # by id, named by REGION_CODES rows
    "force": "force",
    "service_status": "service_status",
    "kind": "refusal_kind",
    "outcome": None,  # through tracker_caseoutcome
    "confidence": "confidence",
}
# What a chip or a cache key ignores: the position in the listing and its order.
NOT_FILTERS = ("sort", "page", "after", "before", "per_page")
SCANNED = "#scanned"
REGION_CODES = "#region"
TOTAL = "#total"


def active_filters(case_filter):
    """(name, value) of every filter that applies, in the form's order: the cleaned value
    for the query, never a value the form rejected."""
    if not case_filter.is_bound:
        return []
    case_filter.is_valid()
    data = case_filter.form.cleaned_data
    return [
        (name, data[name])
        for name in case_filter.form.fields
        if name not in NOT_FILTERS and data.get(name) not in (None, "")
    ]


def selection_key(case_filter):
    """The same key for every URL that selects the same cases (order and position aside)."""
    selected = [
        (name, str(getattr(value, "code", value))) for name, value in active_filters(case_filter)
    ]
    return hashlib.sha256(repr(sorted(selected)).encode()).hexdigest()[:32]


def _apply(case_filter, queryset, filters):
    for name, value in filters:
        queryset = case_filter.filters[name].filter(queryset, value)
    return queryset


def _sql(queryset):
    return queryset.query.get_compiler(using=queryset.db).as_sql()


# Scans for the counts under other filters run only when the listing itself has at most
# COUNT_CAP matches (a one-time filter: the database skips them otherwise).
GATE = f"(SELECT n FROM listing_total) <= {COUNT_CAP}"  # noqa: S608


def _grouped(name, values_queryset, *, capped):
    """SQL giving (facet, value, count) rows for one filter. The names are ours; the
    values are parameters of the SQL Django compiled."""
    inner, params = _sql(values_queryset)
    gate = f"WHERE {GATE} " if capped else ""
    return (
        f"SELECT '{name}' AS facet, CAST(v AS VARCHAR(100)) AS value, COUNT(*) AS n "  # noqa: S608
        f"FROM ({inner}) AS {name}_rows {gate}GROUP BY v",
        params,
    )


def _facet_parts(name, base, *, capped, column=...):
    column = FACETS[name] if column is ... else column
    if column is None:
        if capped:
            ids = base.order_by().values("pk")[: FACET_SCAN_CAP + 1]
        else:
            ids = base.order_by().values("pk")
        rows = CaseOutcome.objects.filter(case__in=ids).order_by().values(v=F("outcome"))
        parts = [_grouped(name, rows, capped=capped)]
        if capped:
            inner, params = _sql(ids)
            parts.append(
                (
                    f"SELECT '{SCANNED}', '{name}', COUNT(*) "  # noqa: S608
                    f"FROM ({inner}) AS {name}_ids WHERE {GATE}",
                    params,
                )
            )
        return parts
    rows = base.order_by().values(v=F(column))
    if capped:
        rows = rows[: FACET_SCAN_CAP + 1]
    return [_grouped(name, rows, capped=capped)]


def _run(listing_ids, parts, db):
    inner, params = _sql(listing_ids)
    selects = [f"SELECT '{TOTAL}', '', n FROM listing_total"]  # noqa: S608
    for sql, sql_params in parts:
        selects.append(sql)
        params = (*params, *sql_params)
    statement = (
        f"WITH listing_total AS (SELECT COUNT(*) AS n FROM ({inner}) AS listing_ids) "  # noqa: S608
        + " UNION ALL ".join(selects)
    )
    # Bounded: past LISTING_COUNT_TIMEOUT_MS the listing says "more than N" and shows no
    # counts under the other filters rather than keep the reader waiting.
    return bounded_rows(db, statement, params, settings.LISTING_COUNT_TIMEOUT_MS)


def _collect(rows):
    counts = {}
    for facet, value, count in rows:
        counts.setdefault(facet, {})[value] = count
    return counts


def _with_groups(name, values):
    """Add the force groups (all Armed Forces, all Rosgvardiya) as sums of their forces."""
    if name == "force":
        for group in ("army", "rosgvardia"):
            values[group] = sum(n for force, n in values.items() if force.startswith(f"{group}_"))
    return values


def compute_counts(case_filter, global_counts):
    """(the listing's count capped at COUNT_CAP + 1, {filter: {value: count} or None} for
    the filters counted under the others) in one SQL statement. None: too many cases to
    count within budget. COUNT_UNKNOWN (and no counts): the statement took too long.
    `global_counts` (see `global_counts()`) names the regions."""
    public = Case.objects.public()
    active = active_filters(case_filter)
    listing_ids = _apply(case_filter, public, active).order_by().values("pk")[: COUNT_CAP + 1]
    parts = []
    scanned = []
    for name in FACETS:
        others = [(other, value) for other, value in active if other != name]
        if others:
            parts += _facet_parts(name, _apply(case_filter, public, others), capped=True)
            scanned.append(name)
    rows = _run(listing_ids, parts, public.db)
    if rows is None:
        return COUNT_UNKNOWN, dict.fromkeys(scanned)
    found = _collect(rows)
    total = found.get(TOTAL, {}).get("", 0)
    codes = {str(pk): code for code, pk in global_counts[REGION_CODES].items()}
    if found.get("region"):
        found["region"] = {codes.get(pk, pk): n for pk, n in found["region"].items()}
    counts = {}
    for name in scanned:
        if total > COUNT_CAP or _scanned_rows(name, found) > FACET_SCAN_CAP:
            counts[name] = None
        else:
            counts[name] = _with_groups(name, dict(found.get(name, {})))
    return total, counts


def global_counts():
    """Every filter's counts over all published cases, and the regions' codes: one
    statement of six GROUP BYs (2.75 s at a million cases), so it is an aggregate kept
    off the readers' requests (`tracker.cache.aggregate`). Returns (counts, cases)."""
    public = Case.objects.public()
    parts = []
    for name in FACETS:
        parts += _facet_parts(f"all_{name}", public, capped=False, column=FACETS[name])
    parts.append(("SELECT %s, code, id FROM tracker_region", [REGION_CODES]))
    statement = " UNION ALL ".join(sql for sql, _ in parts)
    params = tuple(param for _, sql_params in parts for param in sql_params)
    with connections[public.db].cursor() as cursor:
        cursor.execute(statement, params)
        found = _collect(cursor.fetchall())
    codes = found.get(REGION_CODES, {})
    by_code = {str(pk): code for code, pk in codes.items()}
    counts = {name: dict(found.get(f"all_{name}", {})) for name in FACETS}
    counts["region"] = {by_code.get(pk, pk): n for pk, n in counts["region"].items()}
    for name in FACETS:
        counts[name] = _with_groups(name, counts[name])
    counts[REGION_CODES] = codes
    return counts, sum(counts["confidence"].values())


GLOBAL_COUNTS = "tracker.facets.global_counts"


def _scanned_rows(name, found):
    if FACETS[name] is None:
        return found.get(SCANNED, {}).get(name, 0)
    return sum(found.get(name, {}).values())


def listing_counts(case_filter):
    """The listing's capped count and the counts beside its filters. The counts under the
    other filters are kept until the public data changes; the counts over every case are
    an aggregate refreshed off the request after a change."""
    name = f"facets:{selection_key(case_filter)}"
    with read_together(LATEST_KEY.format(path=GLOBAL_COUNTS), until_change_key(name)):
        everything = aggregate(GLOBAL_COUNTS)
        total, counts = cached_until_change(
            name,
            lambda: compute_counts(case_filter, everything),
            # A count that took too long is tried again after a while, not only after a
            # change.
            timeout=lambda found: UNKNOWN_KEPT_SECONDS if found[0] == COUNT_UNKNOWN else None,
        )
    return total, {
        name: counts[name] if name in counts else dict(everything.get(name, {})) for name in FACETS
    }


def label_options(form, counts):
    """Have the filter form's selects write each count beside its value (a value that no
    case has shows 0; tracker.widgets.FastSelect draws them)."""
    form.option_counts = {name: counts[name] for name in FACETS if counts.get(name) is not None}


def chips(case_filter, query):
    """(text, URL without that filter) for each active filter: a chip removes one filter
    and keeps the rest (back to the first page)."""
    result = []
    for name, value in active_filters(case_filter):
        field = case_filter.form.fields[name]
        remaining = QueryDict(mutable=True)
        remaining.update(query)
        for param in (name, *NOT_FILTERS[1:]):
            remaining.pop(param, None)
        result.append(
            {
                "name": name,
                "text": _("%(filter)s: %(value)s")
                % {"filter": field.label, "value": _value_text(field, value)},
                "query": remaining.urlencode(),
            }
        )
    return result


def _value_text(field, value):
    if isinstance(value, Region):
        return value.name
    if hasattr(value, "year"):
        return date_format(value, "DATE_FORMAT")
    choices = getattr(field, "choices", None)
    for option, label in choices if choices is not None else ():
        if str(option) == str(value):
            return str(label)
    return str(value)


SUGGESTIONS = {
    "q": gettext_lazy("check the spelling of the search, or use fewer or shorter words"),
    "date_from": gettext_lazy("widen the dates: many cases became known months later"),
    "date_to": gettext_lazy("widen the dates: many cases became known months later"),
    "people": gettext_lazy("lower the minimum number of people"),
    "outlet": gettext_lazy("use one whole word of the outlet's name"),
}


def empty_result_suggestions(active_chips):
    """What a reader could change when nothing matches, beyond removing a filter."""
    suggestions = []
    for chip in active_chips:
        suggestion = SUGGESTIONS.get(chip["name"])
        if suggestion and str(suggestion) not in suggestions:
            suggestions.append(str(suggestion))
    return suggestions
