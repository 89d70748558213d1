"""`/stats/`: the shape of the record as charts, for the listing's current filter.

The numbers come from a fixed number of aggregate queries over the filtered public cases
(never from loading cases), and `tracker.charts` lays them out as inline SVG.
"""

import datetime
import hashlib
import itertools
import json
import time
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.core.cache import cache
from django.db import OperationalError, connections, transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat, formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from django_tasks import task

from .cache import (
    REFRESH_GRACE_SECONDS,
    STALE_TIMEOUT,
    aggregate,
    aggregate_statement_timeout,
    cached_content,
)
from .charts import bar_chart, column_chart
from .facets import chips
from .filters import FORCE_GROUPS, CaseFilter
from .models import Case, CaseOutcome, Region
from .pagination import query_canceled
from .tilemap import region_names, tile_map

TOP_REGIONS = 20
STATS_CACHE_SECONDS = 300


def _months_between(first, last):
    month = first.replace(day=1)
    while month <= last:
        yield month
        month = (month + datetime.timedelta(days=32)).replace(day=1)


def _by_month(cases):
    rows = (
        cases.filter(event_date__isnull=False)
        .annotate(month=TruncMonth("event_date"))
        .values("month")
        .annotate(cases=Count("id"), people=Sum("people_count"))
        .order_by("month")
    )
    found = {row["month"]: row for row in rows}
    if not found:
        return []
    months = list(_months_between(min(found), max(found)))
    return [
        (
            month,
            found.get(month, {}).get("cases", 0),
            found.get(month, {}).get("people") or 0,
        )
        for month in months
    ]


# Case fields counted per value in the same single pass as the headline figures.
COUNTED_FIELDS = {
    "force": Case.Force,
    "refusal_kind": Case.RefusalKind,
    "confidence": Case.Confidence,
}


def _counts_in_one_pass(cases):
    counters = {
        f"n_{field}_{value}": Count("id", filter=Q(**{field: value}))
        for field, choices in COUNTED_FIELDS.items()
        for value in choices.values
    }
    row = cases.aggregate(
        cases=Count("id"),
        people=Sum("people_count"),
        regions=Count("home_region", distinct=True),
        undated=Count("id", filter=Q(event_date__isnull=True)),
        **counters,
    )
    counts = {
        field: {value: row.pop(f"n_{field}_{value}") for value in choices.values}
        for field, choices in COUNTED_FIELDS.items()
    }
    return row, counts


def compute_numbers(cases):
    """Every number /stats/ shows for `cases`: on PostgreSQL in one statement (one pass
    over the selected cases), elsewhere in four aggregate queries. Plain values,
    independent of the interface language, so they can be cached for every reader. A
    dict: a figure added later is a key more."""
    if connections[cases.db].vendor == "postgresql":
        return _numbers_in_one_statement(cases)
    return _numbers_in_four_queries(cases)


def _numbers_in_four_queries(cases):
    figures, counts = _counts_in_one_pass(cases)
    # Every region's count: the tile map shows them all, the bar chart the largest.
    regions = dict(
        cases.filter(home_region__isnull=False)
        .values_list("home_region__code")
        .annotate(count=Count("id"))
        .order_by()
    )
    outcomes = dict(
        CaseOutcome.objects.filter(case__in=cases.values("pk"))
        .values_list("outcome")
        .annotate(count=Count("case"))
        .order_by()
    )
    return {
        "figures": figures,
        "counts": counts,
        "months": _by_month(cases),
        "regions": regions,
        "outcomes": outcomes,
    }


# GROUPING(force, refusal_kind, confidence, region, month): the bit of a column is 0 in
# the rows grouped by it.
GROUPED_BY = {15: "force", 23: "refusal_kind", 27: "confidence", 29: "region", 30: "month"}
GROUPED_MONTH = 30
EVERYTHING = 31
OUTCOMES = -1


# The columns of the selected cases that the statements below read, by the names Django
# gives them, not by position: a queryset may order its selected columns otherwise
# (django-modeltranslation's values_list does).
SELECTED_COLUMNS = (
    "force",
    "service_status",
    "refusal_kind",
    "confidence",
    "home_region__code",
    "event_date",
    "people_count",
    "outcome_codes",
)


def _selected_sql(cases):
    return cases.order_by().values_list(*SELECTED_COLUMNS).query.sql_with_params()


# What the one-pass statement reads: the region's id rather than its code (no join to
# the regions table; the codes are looked up in Python).
ONE_PASS_COLUMNS = tuple(
    "home_region" if column == "home_region__code" else column for column in SELECTED_COLUMNS
)


def _numbers_in_one_statement(
    cases, *, uncounted_apart=False, by_possible_months=False, timeout_ms=None
):
    """compute_numbers() on PostgreSQL: one pass over the selected cases, counted by
    GROUPING SETS (tracker/lookups.py keeps each case's outcomes on it). At a million
    cases this is one pass instead of four. With `uncounted_apart`, what
    `counted_numbers` gives, from the same pass: the numbers of the counted cases, and
    how many unconfirmed ones there are (`uncounted`). With `by_possible_months`, those
    numbers for each (month of the earliest possible day, month of the latest) of the
    selected cases, as ISO first days (None, None for the undated), from the same pass.
    With `timeout_ms`, None if the statement runs longer than that."""
    statement, params = one_statement_sql(
        cases, uncounted_apart=uncounted_apart, by_possible_months=by_possible_months
    )
    try:
        with transaction.atomic(using=cases.db), connections[cases.db].cursor() as cursor:
            # Not compiled by the JIT, which cost more (about 230 ms at 200,000 selected
            # cases) than it saved; every set hashed in memory. They end with the
            # transaction; the time limit is lifted at once, for a caller's transaction.
            limit = f"SET LOCAL statement_timeout = {int(timeout_ms)}; " if timeout_ms else ""
            cursor.execute(f"SET LOCAL work_mem = '64MB'; SET LOCAL jit = off; {limit}")
            cursor.execute(statement, params)
            rows = cursor.fetchall()
            if timeout_ms:
                cursor.execute("SET LOCAL statement_timeout TO DEFAULT")
    except OperationalError as error:
        if timeout_ms and query_canceled(error):
            return None
        raise
    codes = dict(Region.objects.using(cases.db).values_list("id", "code"))
    if not by_possible_months:
        return _numbers_of_rows(rows, codes, uncounted_apart=uncounted_apart)
    by_months = {}
    for *row, earliest_month, latest_month in rows:
        by_months.setdefault((earliest_month, latest_month), []).append(row)
    return {
        months: {"uncounted": 0, **_numbers_of_rows(part, codes, uncounted_apart=uncounted_apart)}
        for months, part in by_months.items()
    }


def _numbers_of_rows(rows, region_codes, *, uncounted_apart):
    numbers = _numbers_from_rows(_outcomes_counted(rows, region_codes))
    if uncounted_apart:
        numbers["uncounted"] = next(
            (uncounted for grouping, *_values, uncounted in rows if grouping == EVERYTHING_SET),
            0,
        )
    return numbers


def one_statement_sql(cases, *, uncounted_apart=False, by_possible_months=False):
    """The SQL and parameters of `_numbers_in_one_statement`. The outcomes are counted
    by their combination on each case (a grouping set on the JSON list itself: a few
    dozen combinations), which `_outcomes_counted` adds up per outcome: no second pass
    over the selection, and no row per outcome. On PostgreSQL the selection is read from
    the index of its narrowest filter, which carries every column read here (migrations
    0016 and 0017): an index-only scan, not the wide rows. Each row ends with the number of
    unconfirmed cases in its group, left out of its other numbers if `uncounted_apart`,
    then, `by_possible_months`, with the months of the group's possible days."""
    columns = ONE_PASS_COLUMNS
    if by_possible_months:
        columns += ("event_date_earliest", "event_date_latest")
    inner, params = cases.order_by().values_list(*columns).query.sql_with_params()
    counted = "confidence <> %s" if uncounted_apart else "TRUE"
    months, by_months = "", ""
    if by_possible_months:
        months = ", earliest_month, latest_month"
        by_months = "earliest_month, latest_month,"
    # Grouped by the region's id and by the day, not by the region's code (a join) and
    # the month (a function call per case): at 265,000 selected cases, 440 → 300 ms.
    # `_outcomes_counted` names the regions and adds the days up into months.
    statement = f"""
        SELECT GROUPING(force, refusal_kind, confidence, region, day, outcomes), force,
               refusal_kind, confidence, region, day::text, outcomes,
               COUNT(*) FILTER (WHERE counted), SUM(people) FILTER (WHERE counted),
               COUNT(*) FILTER (WHERE NOT counted){months}
        FROM (
            SELECT force, refusal_kind, confidence, home_region AS region, event_date AS day,
                   people_count AS people, outcome_codes AS outcomes, {counted} AS counted
                   {_POSSIBLE_MONTHS_SQL if by_possible_months else ""}
            FROM ({inner}) AS selected
        ) AS s
        GROUP BY {by_months} GROUPING SETS (
            (), (force), (refusal_kind), (confidence), (region), (day), (outcomes)
        )
    """  # noqa: S608 (the inner SQL is Django's, its values are parameters)
    if uncounted_apart:
        params = (Case.Confidence.UNCONFIRMED, *params)
    return statement, params


_POSSIBLE_MONTHS_SQL = """,
    date_trunc('month', event_date_earliest)::date::text AS earliest_month,
    date_trunc('month', event_date_latest)::date::text AS latest_month"""


# GROUPING(…, outcomes) of the rows grouped by the outcomes alone, and of the row of
# every selected case.
BY_OUTCOMES = 62
EVERYTHING_SET = 63


def _outcomes_counted(rows, region_codes):
    """The statement's rows as `_numbers_from_rows` reads them: the other sets without
    the outcomes' bit (always 1 there), each region named by its code (`region_codes`:
    {id: code}), the days added up into months (as ISO dates, first days), and each
    combination of outcomes' count added to every outcome in it, as a row (OUTCOMES,
    outcome, …, count)."""
    found, outcomes, months = [], {}, {}
    for grouping, force, kind, confidence, region, day, codes, count, people, _un in rows:
        if not count and grouping != EVERYTHING_SET:
            continue  # a value only unconfirmed cases have: not counted, not shown
        if grouping == BY_OUTCOMES:
            # Django has the driver hand JSON over as text.
            for code in json.loads(codes) if isinstance(codes, str) else codes or ():
                outcomes[code] = outcomes.get(code, 0) + count
            continue
        grouping >>= 1
        if GROUPED_BY.get(grouping) == "month" and day is not None:
            month = f"{day[:7]}-01"
            cases, people_then = months.get(month, (0, 0))
            months[month] = (cases + count, people_then + (people or 0))
            continue
        if GROUPED_BY.get(grouping) == "region" and region is not None:
            region = region_codes.get(region, str(region))
        found.append((grouping, force, kind, confidence, region, day, count, people))
    found += [
        (GROUPED_MONTH, None, None, None, None, month, n, people)
        for month, (n, people) in sorted(months.items())
    ]
    found += [(OUTCOMES, code, None, None, None, None, n, None) for code, n in outcomes.items()]
    return found


def _numbers_from_rows(rows):
    """The numbers of compute_numbers() from the rows of the GROUPING SETS statement:
    (grouping, force, kind, confidence, region, month, count, people)."""
    counts = {field: dict.fromkeys(choices.values, 0) for field, choices in COUNTED_FIELDS.items()}
    figures = {"cases": 0, "people": None, "regions": 0, "undated": 0}
    regions, outcomes, months = {}, {}, {}
    for grouping, force, kind, confidence, region, month, count, people in rows:
        if grouping == EVERYTHING:
            figures["cases"], figures["people"] = count, people
        elif grouping == OUTCOMES:
            outcomes[force] = count
        elif GROUPED_BY.get(grouping) in COUNTED_FIELDS:
            field = GROUPED_BY[grouping]
            value = {"force": force, "refusal_kind": kind, "confidence": confidence}[field]
            counts[field][value] = count
        elif GROUPED_BY.get(grouping) == "region" and region is not None:
            regions[region] = count
        elif GROUPED_BY.get(grouping) == "month":
            if month is None:
                figures["undated"] = count
            else:
                months[datetime.date.fromisoformat(month)] = (count, people or 0)
    figures["regions"] = len(regions)
    return {
        "figures": figures,
        "counts": counts,
        "months": _month_series(months),
        "regions": regions,
        "outcomes": outcomes,
    }


# The single filters whose statistics are kept for each value (`numbers_by_single_filter`):
# the column of the selected cases each reads ("grp": the force group, army or
# rosgvardia), and the filter's name in the listing's cleaned data.
FILTER_COLUMNS = {
    "force": "force",
    "grp": "force",
    "status": "service_status",
    "kind": "kind",
    "confidence": "confidence",
    "region": "region",
}
# The columns the charts count by, and where in the numbers each goes.
CHART_COLUMNS = {
    "force": "force",
    "kind": "refusal_kind",
    "confidence": "confidence",
    "region": "regions",
    "month": "months",
}
GROUPED = ("force", "grp", "status", "kind", "confidence", "region", "month")
# One grouping set per filter column alone (its figures) and with each chart column (that
# chart under the filter): (force, kind) serves both "kinds of one force" and "forces of
# one kind".
GROUPING_SETS = sorted(
    {frozenset([column]) for column in FILTER_COLUMNS}
    | {frozenset([f, c]) for f in FILTER_COLUMNS for c in CHART_COLUMNS if c != f},
    key=lambda columns: [GROUPED.index(column) for column in sorted(columns, key=GROUPED.index)],
)


def numbers_by_single_filter():
    """The numbers of /stats/ (as `counted_numbers` gives them) for every value of each
    single filter in FILTER_COLUMNS, for every force group and for every outcome, from
    one statement over every published case, and how many published cases there are.

    A reader choosing one such filter gets its statistics from here (`case_statistics`)
    instead of a pass over the selected cases: at a million cases a broad filter such as
    one force reads a quarter of the table (1–3 s). The statement reads the cases once
    and counts every (filter, chart) pair by GROUPING SETS, hashed in memory (about 15 s
    at a million cases, in the task worker). PostgreSQL only; keyed like `_selection`:
    ("region", "RU-KB")."""
    cases = Case.objects.public()
    inner, params = _selected_sql(cases)
    groups = " ".join(
        f"WHEN force LIKE '{group}\\_%%' THEN '{group}'" for group, _label in FORCE_GROUPS
    )
    columns = ", ".join(GROUPED)
    sets = ", ".join(f"({', '.join(sorted(s, key=GROUPED.index))})" for s in GROUPING_SETS)
    outcome_sets = ", ".join(["(o)", *(f"(o, {column})" for column in GROUPED)])
    statement = f"""
        WITH sel AS MATERIALIZED (
            SELECT force, CASE {groups} END AS grp, service_status AS status,
                   refusal_kind AS kind, confidence, home_region__code AS region,
                   date_trunc('month', event_date)::date AS month, people_count AS people,
                   outcome_codes AS outcomes, confidence <> %s AS counted
            FROM ({inner}) AS selected
        )
        SELECT GROUPING({columns}), counted, NULL, NULL, {columns}, COUNT(*), SUM(people)
        FROM sel GROUP BY counted, GROUPING SETS ({sets})
        UNION ALL
        SELECT GROUPING({columns}, o), counted, o, NULL, {columns}, COUNT(*), SUM(people)
        FROM sel CROSS JOIN LATERAL jsonb_array_elements_text(sel.outcomes) AS u(o)
        GROUP BY counted, GROUPING SETS ({outcome_sets})
        UNION ALL
        SELECT -1, counted, o, other, {", ".join(["NULL"] * len(GROUPED))}, COUNT(*), NULL
        FROM sel CROSS JOIN LATERAL jsonb_array_elements_text(sel.outcomes) AS u(o)
                 CROSS JOIN LATERAL jsonb_array_elements_text(sel.outcomes) AS w(other)
        GROUP BY counted, o, other
    """  # noqa: S608 (the inner SQL is Django's, the rest our constants)
    with transaction.atomic(using=cases.db), connections[cases.db].cursor() as cursor:
        # Every set hashed in one pass (a sort per set spilled to disk and took a minute);
        # the settings end with the transaction.
        cursor.execute("SET LOCAL work_mem = '256MB'; SET LOCAL enable_sort = off")
        cursor.execute(statement, [Case.Confidence.UNCONFIRMED, *params])
        rows = cursor.fetchall()
    return _numbers_by_selection(rows), cases.count()


def _numbers_by_selection(rows):
    """The rows of numbers_by_single_filter's statement, as {(filter, value): numbers}."""
    found = {}

    def part(name, value, counted):
        return found.setdefault((name, value), {}).setdefault(counted, _tally())

    for grouping, counted, outcome, other, *values, count, people in rows:
        if grouping == -1:  # outcome `outcome` with outcome `other` on the same case
            part("outcome", outcome, counted)["outcomes"][other] = count
            continue
        if outcome is not None:
            grouping >>= 1  # GROUPING(…, o): the outcome's bit comes last, always 0
        # A column's bit in GROUPING is 0 in the rows grouped by it.
        grouped = {
            column: value
            for index, (column, value) in enumerate(zip(GROUPED, values, strict=True))
            if not grouping & (1 << (len(GROUPED) - 1 - index))
        }
        if outcome is not None:
            _count_outcome(part, counted, outcome, grouped, count, people)
            continue
        for filter_column, value in grouped.items():
            if filter_column not in FILTER_COLUMNS or value is None:
                continue
            tally = part(FILTER_COLUMNS[filter_column], value, counted)
            charts = {c: v for c, v in grouped.items() if c != filter_column}
            if not charts:
                tally["cases"], tally["people"] = count, people
                charts = {filter_column: value} if filter_column in CHART_COLUMNS else {}
            for chart_column, chart_value in charts.items():
                _add_to_chart(tally, chart_column, chart_value, count, people)
    numbers = {}
    for selection, parts in found.items():
        if selection[0] == "confidence":
            # Choosing a confidence counts exactly the cases of that confidence.
            tally = parts.get(True) or parts.get(False)
            numbers[selection] = {**_tally_numbers(tally), "uncounted": 0}
            continue
        uncounted = parts[False]["cases"] if False in parts else 0
        numbers[selection] = {**_tally_numbers(parts.get(True, _tally())), "uncounted": uncounted}
    return numbers


def _tally():
    return {
        "cases": 0,
        "people": None,
        "undated": 0,
        "counts": {
            field: dict.fromkeys(choices.values, 0) for field, choices in COUNTED_FIELDS.items()
        },
        "regions": {},
        "months": {},
        "outcomes": {},
    }


def _add_to_chart(tally, chart_column, value, count, people):
    if chart_column not in CHART_COLUMNS:
        return
    where = CHART_COLUMNS[chart_column]
    if where == "months":
        if value is None:
            tally["undated"] = count
        else:
            tally["months"][value] = (count, people or 0)
    elif where == "regions":
        if value is not None:
            tally["regions"][value] = count
    else:
        tally["counts"][where][value] = count


def _count_outcome(part, counted, outcome, grouped, count, people):
    if not grouped:  # the cases with this outcome
        tally = part("outcome", outcome, counted)
        tally["cases"], tally["people"] = count, people
        return
    ((column, value),) = grouped.items()
    # That chart for the cases with this outcome ...
    _add_to_chart(part("outcome", outcome, counted), column, value, count, people)
    # ... and this outcome in the outcomes chart of that filter value.
    if column in FILTER_COLUMNS and value is not None:
        part(FILTER_COLUMNS[column], value, counted)["outcomes"][outcome] = count


def _tally_numbers(tally):
    return {
        "figures": {
            "cases": tally["cases"],
            "people": tally["people"],
            "regions": len(tally["regions"]),
            "undated": tally["undated"],
        },
        "counts": tally["counts"],
        "months": _month_series(
            {
                datetime.date.fromisoformat(str(month)): value
                for month, value in tally["months"].items()
            }
        ),
        "regions": tally["regions"],
        "outcomes": tally["outcomes"],
    }


BY_SINGLE_FILTER = "tracker.stats.numbers_by_single_filter"
KEPT_FOR_EACH_VALUE = {*FILTER_COLUMNS.values(), "outcome"}


def _kept_for_each_value(selection, using):
    """The numbers kept for each single filter value, if `selection` is one such filter
    and they have been computed (at a million cases they take some 20 s, past a reader's
    statement timeout: until the task has delivered them the first time, the selection is
    computed on its own)."""
    if not (
        len(selection) == 1
        and selection[0][0] in KEPT_FOR_EACH_VALUE
        and connections[using].vendor == "postgresql"
    ):
        return None
    return aggregate(BY_SINGLE_FILTER, compute_first=False)


# Filters that each select a large share of the record (a force or force group, a
# service status, a kind, a confidence). Two or more of them together may still select
# a quarter of a million cases at a million: too many to count within a reader's
# request (the narrower filter's index range, then every selected case; army + contract
# took ~0.4 s). Such a combination's statistics are kept like a single filter's.
BROAD_FILTERS = ("confidence", "force", "kind", "service_status")
# A combination selecting more cases than this is kept; a narrower one is counted when
# asked (under ~250 ms at a million cases).
BROAD_SELECTION = 100_000


def _broad_sizes(public):
    """How many published cases each selection of BROAD_FILTERS values selects, force
    groups included, the empty selection (every case) too; from one GROUP BY."""
    fine = public.order_by().values_list("confidence", "force", "refusal_kind", "service_status")
    sizes = {}
    for confidence, force, kind, status, count in fine.annotate(n=Count("id")):
        forces = [force, *(group for group, _ in FORCE_GROUPS if force.startswith(f"{group}_"))]
        for chosen in itertools.product(
            [None, confidence], [None, *forces], [None, kind], [None, status]
        ):
            selection = tuple(
                (name, value) for name, value in zip(BROAD_FILTERS, chosen, strict=True) if value
            )
            sizes[selection] = sizes.get(selection, 0) + count
    return sizes


def numbers_of_broad_combinations():
    """The numbers of /stats/ (as `case_statistics` would compute them) for every
    combination of two or more BROAD_FILTERS values, force groups included, that selects
    more than BROAD_SELECTION published cases, keyed like `_selection`; and how many
    published cases there are. One GROUP BY sizes every combination; each broad one is
    then counted by the same statement as on demand (some fifteen at a million cases,
    about 5 s in the task worker). PostgreSQL only."""
    public = Case.objects.public()
    sizes = _broad_sizes(public)
    kept = {}
    for selection, size in sizes.items():
        if len(selection) >= 2 and size > BROAD_SELECTION:
            kept[selection] = _counted_numbers_of(selection, public)
    return kept, sizes.get((), 0)


def _counted_numbers_of(selection, public, **options):
    case_filter = CaseFilter(QueryDict(urlencode(selection)), queryset=public)
    cases = case_filter.qs.order_by()
    if options:
        everything = confidence_chosen(case_filter)
        return _numbers_in_one_statement(cases, uncounted_apart=not everything, **options)
    return counted_numbers(cases, everything=confidence_chosen(case_filter))


BROAD_COMBINATIONS = "tracker.stats.numbers_of_broad_combinations"


def _kept_broad_combination(selection, using):
    """The kept numbers of a broad combination (`numbers_of_broad_combinations`), or None
    if `selection` is not one or they have not been computed yet."""
    if not (
        len(selection) >= 2
        and all(name in BROAD_FILTERS for name, _value in selection)
        and connections[using].vendor == "postgresql"
    ):
        return None
    kept = aggregate(BROAD_COMBINATIONS, compute_first=False)
    return None if kept is None else kept.get(tuple(selection))


# A date range narrows a broad selection (every case, one force, a status, a kind, an
# outcome, a region, a broad combination) without making it small: from 2024 on is most
# of the record, and counting it took 0.4–0.5 s at a million cases. For each selection
# that selects more than BROAD_SELECTION cases, the task keeps the numbers of its cases
# split by the months of their possible days (earliest, latest; tracker/models/
# possible_dates.py), each under its own cache key. A date range adds up the months it
# covers whole; only the cases whose possible days end in the month of `date_from` or
# begin in the month of `date_to` (when the range does not take that month whole) are
# counted when asked: a month's cases of the selection, from the dates' indexes.
DATE_FILTERS = ("date_from", "date_to")
POSSIBLE_MONTHS = "tracker.stats.numbers_by_possible_months"
POSSIBLE_MONTHS_KEY = "tracker:public:possible-months:{digest}"


def numbers_by_possible_months():
    """For every broad selection (above): the cache key of its numbers by possible
    months, each key written here ({(earliest month, latest month): numbers}, as
    `_numbers_in_one_statement` gives them); and how many published cases there are.
    One statement per selection (about 30 s in all at a million cases, in the task
    worker). PostgreSQL only."""
    public = Case.objects.public()
    sizes = _broad_sizes(public)
    # One outcome or one region alone.
    outcomes = public.order_by().values_list("outcome_codes").annotate(n=Count("id"))
    for codes, count in outcomes:
        for code in codes or ():
            sizes[(("outcome", code),)] = sizes.get((("outcome", code),), 0) + count
    regions = public.order_by().values_list("home_region__code").annotate(n=Count("id"))
    sizes.update(((("region", code),), count) for code, count in regions if code)
    keys = {}
    for selection, size in sizes.items():
        if size > BROAD_SELECTION:
            numbers = _counted_numbers_of(selection, public, by_possible_months=True)
            keys[selection] = _possible_months_key(selection)
            cache.set(keys[selection], numbers, None)
    return keys, sizes.get((), 0)


def _possible_months_key(selection):
    digest = hashlib.sha256(repr(tuple(selection)).encode()).hexdigest()[:32]
    return POSSIBLE_MONTHS_KEY.format(digest=digest)


def _numbers_of_date_range(selection, case_filter, *, timeout_ms=None):
    """The statistics of a date range over a broad selection from the numbers kept by
    possible months, with the edge months counted when asked; None unless `selection` is
    one such and they have been computed; TOO_LONG if counting the edge months took
    longer than `timeout_ms`."""
    dates = dict(pair for pair in selection if pair[0] in DATE_FILTERS)
    broad = tuple(pair for pair in selection if pair[0] not in DATE_FILTERS)
    using = case_filter.queryset.db
    if not dates or connections[using].vendor != "postgresql":
        return None
    keys = aggregate(POSSIBLE_MONTHS, compute_first=False)
    by_months = cache.get(keys[broad]) if keys and broad in keys else None
    if by_months is None:
        return None
    date_from, date_to = (
        datetime.date.fromisoformat(dates[name]) if name in dates else None for name in DATE_FILTERS
    )
    whole, edges = [], False
    for months, numbers in by_months.items():
        taken = _taken(months, date_from, date_to)
        if taken is WHOLE:
            whole.append(numbers)
        edges = edges or taken is EDGE
    for edge in _edge_months(date_from, date_to) if edges else ():
        cases = case_filter.qs.order_by().filter(edge)
        numbers = counted_numbers(
            cases, everything=confidence_chosen(case_filter), timeout_ms=timeout_ms
        )
        if numbers is None:
            return TOO_LONG
        whole.append(numbers)
    return _sum_of_numbers(whole)


TOO_LONG = object()


WHOLE, EDGE, NONE = "whole", "edge", "none"


def _month_of(day):
    return day.replace(day=1).isoformat()


def _last_day_of_month(day):
    return (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(
        days=1
    )


def _taken(months, date_from, date_to):
    """Whether the cases whose possible days begin in the month `earliest` and end in the
    month `latest` are all (WHOLE), none (NONE) or some (EDGE) of those the date range
    finds (a case is found when its possible days overlap the range)."""
    earliest, latest = months
    if earliest is None:
        return NONE  # no date: no date filter finds it
    taken = WHOLE
    if date_from is not None:
        if latest < _month_of(date_from):
            return NONE
        if latest == _month_of(date_from) and date_from.day != 1:
            taken = EDGE
    if date_to is not None:
        if earliest > _month_of(date_to):
            return NONE
        if earliest == _month_of(date_to) and date_to != _last_day_of_month(date_to):
            taken = EDGE
    return taken


def _edge_months(date_from, date_to):
    """The cases of the EDGE months, as conditions on disjoint sets of cases: those whose
    possible days end in the month of `date_from`, and those whose possible days begin in
    the month of `date_to` (and are not the first), where the range does not take that
    month whole. Each is one range of a date index (migration 0017), which carries the
    columns the statistics read: a month's cases, not the whole selection filtered."""
    edges, ends_in_first = [], None
    if date_from is not None and date_from.day != 1:
        ends_in_first = Q(
            event_date_latest__gte=date_from.replace(day=1),
            event_date_latest__lte=_last_day_of_month(date_from),
        )
        edges.append(ends_in_first)
    if date_to is not None and date_to != _last_day_of_month(date_to):
        begins_in_last = Q(
            event_date_earliest__gte=date_to.replace(day=1),
            event_date_earliest__lte=_last_day_of_month(date_to),
        )
        edges.append(begins_in_last & ~ends_in_first if ends_in_first else begins_in_last)
    return edges


def _sum_of_numbers(parts):
    """The numbers of the cases of all `parts` (numbers of disjoint sets of cases)."""
    counts = {field: dict.fromkeys(choices.values, 0) for field, choices in COUNTED_FIELDS.items()}
    cases, people, undated, uncounted = 0, None, 0, 0
    regions, outcomes, months = {}, {}, {}
    for numbers in parts:
        figures = numbers["figures"]
        cases += figures["cases"]
        undated += figures["undated"]
        uncounted += numbers["uncounted"]
        if figures["people"] is not None:
            people = (people or 0) + figures["people"]
        for field, values in numbers["counts"].items():
            for value, count in values.items():
                counts[field][value] += count
        for totals, part in ((regions, numbers["regions"]), (outcomes, numbers["outcomes"])):
            for code, count in part.items():
                totals[code] = totals.get(code, 0) + count
        for month, count, month_people in numbers["months"]:
            if count:
                then = months.get(month, (0, 0))
                months[month] = (then[0] + count, then[1] + month_people)
    return {
        "figures": {"cases": cases, "people": people, "regions": len(regions), "undated": undated},
        "counts": counts,
        "months": _month_series(months),
        "regions": regions,
        "outcomes": outcomes,
        "uncounted": uncounted,
    }


def _month_series(found):
    """(month, cases, people) for every month from the first to the last, zeros between."""
    if not found:
        return []
    return [(month, *found.get(month, (0, 0))) for month in _months_between(min(found), max(found))]


# The statistics of a selection with no case.
NO_NUMBERS = {**_numbers_from_rows([]), "uncounted": 0}


def _selection(case_filter):
    """The filter's values that select cases, as (name, value) pairs in name order: the
    same for every URL that selects the same cases (order and sort aside)."""
    selected = []
    if case_filter.is_bound:
        case_filter.is_valid()  # cleans the form; bad values stay out, as they do from qs
        for name, value in sorted(case_filter.form.cleaned_data.items()):
            if name != "sort" and value not in (None, ""):
                selected.append((name, str(getattr(value, "code", value))))
    return selected


def _cache_key(selection, kind="numbers"):
    """Where the numbers of a selection (`_selection`) are kept: for STATS_CACHE_SECONDS
    ("numbers"), as last counted by the task worker ("last"), and when the worker was
    asked to count them ("counting")."""
    digest = hashlib.sha256(repr(list(selection)).encode()).hexdigest()
    return f"stats:v3:{kind}:{digest}"


class StatisticsPending(Exception):
    """The task worker is counting the statistics of the selection."""


def _counted(selection, case_filter):
    """The statistics of a selection nothing keeps whole: a date range over a broad
    selection added up from its months, anything else counted. Counted in the request
    when that takes at most STATS_COUNT_TIMEOUT_MS on PostgreSQL; past it the task worker
    counts the selection (once, whoever asks), and meanwhile a reader gets the numbers
    it last counted for the selection or, if there are none, StatisticsPending. If no
    worker has delivered within REFRESH_GRACE_SECONDS (none running), the reader counts
    them as before, under the request's own statement limit."""
    cases, everything = case_filter.qs.order_by(), confidence_chosen(case_filter)
    asked = cache.get(_cache_key(selection, "counting"))
    if asked is not None and time.time() - asked > REFRESH_GRACE_SECONDS:
        return counted_numbers(cases, everything=everything)
    if asked is None:
        timeout_ms = settings.STATS_COUNT_TIMEOUT_MS
        numbers = _numbers_of_date_range(selection, case_filter, timeout_ms=timeout_ms)
        if numbers is None:
            numbers = counted_numbers(cases, everything=everything, timeout_ms=timeout_ms)
        if numbers not in (None, TOO_LONG):
            return numbers
        _ask_the_worker(selection)
    # A backend that ran the task at once (tests, development) has the numbers.
    numbers = cache.get(_cache_key(selection)) or cache.get(_cache_key(selection, "last"))
    if numbers is None:
        raise StatisticsPending
    return numbers


# At most this many selections wait for the task worker at once: whoever asks for many
# different slow selections (a search for each word of a dictionary, say) cannot queue
# hours of counting ahead of the aggregates every reader sees. Past it a selection is not
# queued; its page says it is being counted and asks again when it looks again.
STATS_COUNTS_WAITING_MAX = 20
WAITING_KEY = "stats:v3:waiting"


def _ask_the_worker(selection):
    counting = _cache_key(selection, "counting")
    if not cache.add(counting, time.time(), 2 * REFRESH_GRACE_SECONDS):
        return  # another reader has asked
    # A count of the selections waiting; it ends with its key's time, so a count that a
    # lost task left too high mends itself.
    cache.add(WAITING_KEY, 0, 2 * REFRESH_GRACE_SECONDS)
    try:
        waiting = cache.incr(WAITING_KEY)
    except ValueError:  # ended in between
        waiting = 1
        cache.set(WAITING_KEY, waiting, 2 * REFRESH_GRACE_SECONDS)
    if waiting > STATS_COUNTS_WAITING_MAX:
        _done_waiting()
        cache.delete(counting)
        return
    count_statistics.enqueue(urlencode(selection))


def _done_waiting():
    try:
        if cache.decr(WAITING_KEY) < 0:
            cache.set(WAITING_KEY, 0, 2 * REFRESH_GRACE_SECONDS)
    except ValueError:
        pass  # its time ended: nothing to count down


@task()
def count_statistics(query):
    """The task worker's count of the statistics of a selection (`_selection`, as a
    query string) that took a reader's request too long."""
    selection = parse_qsl(query, keep_blank_values=True)
    try:
        with aggregate_statement_timeout():
            numbers = _counted_numbers_of(selection, Case.objects.public())
        cache.set(_cache_key(selection), numbers, STATS_CACHE_SECONDS)
        cache.set(_cache_key(selection, "last"), numbers, STALE_TIMEOUT)
    finally:
        cache.delete(_cache_key(selection, "counting"))
        _done_waiting()


def confidence_chosen(case_filter):
    """Whether the reader's filter selects a confidence: then the figures count exactly
    the cases selected, unconfirmed ones too."""
    return bool(
        case_filter.is_bound
        and case_filter.is_valid()
        and case_filter.form.cleaned_data.get("confidence")
    )


def counted_numbers(cases, *, everything=False, timeout_ms=None):
    """`compute_numbers` over the cases the figures count (confirmed and reported, unless
    `everything` because the reader chose a confidence), and how many unconfirmed cases
    that leaves out (`uncounted`). On PostgreSQL with `timeout_ms`, None if counting
    takes longer than that."""
    if connections[cases.db].vendor == "postgresql":
        numbers = _numbers_in_one_statement(
            cases, uncounted_apart=not everything, timeout_ms=timeout_ms
        )
        return {"uncounted": 0, **numbers} if numbers is not None else None
    if everything:
        return {**compute_numbers(cases), "uncounted": 0}
    return {**compute_numbers(cases.counted()), "uncounted": cases.uncounted().count()}


def numbers_of_every_case():
    """The statistics of every published case, and how many there are."""
    numbers = counted_numbers(Case.objects.public())
    return numbers, numbers["figures"]["cases"] + numbers["uncounted"]


EVERY_CASE = "tracker.stats.numbers_of_every_case"


def _choice_rows(counts, choices):
    """(label, count) for every choice that occurs, largest first, then in choice order."""
    rows = [(label, counts[value]) for value, label in choices if counts.get(value)]
    return sorted(rows, key=lambda row: -row[1])


def _region_rows(regions):
    """(name, count) of the TOP_REGIONS regions with the most cases."""
    names = region_names()
    top = sorted(regions.items(), key=lambda item: (-item[1], item[0]))[:TOP_REGIONS]
    return [(names.get(code, code), count) for code, count in top]


def case_statistics(case_filter):
    """The figures and charts for the cases `case_filter` selects.

    The numbers are cached for a few minutes per selection: on a large record they cost
    full scans, and statistics a few minutes old are still true enough.
    """
    selection = _selection(case_filter)
    if not selection:
        # The whole record's statistics (seconds at a million cases) are an aggregate
        # kept off the readers' requests and fresh after every change.
        numbers = aggregate(EVERY_CASE)
    elif kept := _kept_for_each_value(selection, case_filter.queryset.db):
        # So are those of one force, status, kind, outcome, confidence or region.
        numbers = kept.get(selection[0]) or NO_NUMBERS
    elif broad := _kept_broad_combination(selection, case_filter.queryset.db):
        # And those of a combination of broad filters selecting very many cases.
        numbers = broad
    else:
        key = _cache_key(selection)
        numbers = cache.get(key)
        if numbers is None:
            numbers = _counted(selection, case_filter)  # may raise StatisticsPending
            cache.set(key, numbers, STATS_CACHE_SECONDS)
    charts = [*_month_charts(numbers), *_category_charts(numbers)]
    figures = {**numbers["figures"], "uncounted": numbers.get("uncounted", 0)}
    return figures, charts, numbers["regions"]


def _month_axis(months):
    """Which months get a label on the time axis, so the labels fit a phone."""

    def axis_label(index):
        # Few months: every month while they fit a phone, else every third. Many months:
        # each January, and the first month's year if its label cannot run into the next.
        month = months[index][0]
        if len(months) <= 12:
            if len(months) > 4 and index % 3:
                return None
            return dateformat.format(month, "M Y" if index == 0 or month.month == 1 else "M")
        if month.month == 1 or (index == 0 and month.month <= 7):
            return str(month.year)
        return None

    return axis_label


def _month_charts(numbers):
    months, figures = numbers["months"], numbers["figures"]
    axis_label = _month_axis(months)
    undated = (
        _("%(count)s cases with an unknown date are not shown.") % {"count": figures["undated"]}
        if figures["undated"]
        else ""
    )
    return [
        column_chart(
            "cases-by-month",
            _("Cases by month of the refusal"),
            [(dateformat.format(month, "M Y"), count) for month, count, _people in months],
            label_heading=_("Month"),
            value_heading=_("Cases"),
            axis_label=axis_label,
            note=undated,
        ),
        column_chart(
            "people-by-month",
            _("People involved by month of the refusal"),
            [(dateformat.format(month, "M Y"), people) for month, _count, people in months],
            label_heading=_("Month"),
            value_heading=_("People"),
            axis_label=axis_label,
            note=_(
                "Counts only cases whose number of people is known; 'about' and 'at least' "
                "numbers are added as given."
            ),
        ),
    ]


def _category_charts(numbers):
    counts, cases_heading = numbers["counts"], _("Cases")
    return [
        bar_chart(
            "cases-by-region",
            _("Home regions with the most cases (top %(count)s)") % {"count": TOP_REGIONS},
            _region_rows(numbers["regions"]),
            label_heading=_("Home region"),
            value_heading=cases_heading,
        ),
        bar_chart(
            "cases-by-force",
            _("Cases by force"),
            _choice_rows(counts["force"], Case.Force.choices),
            label_heading=_("Force"),
            value_heading=cases_heading,
        ),
        bar_chart(
            "cases-by-kind",
            _("Cases by kind of refusal"),
            _choice_rows(counts["refusal_kind"], Case.RefusalKind.choices),
            label_heading=_("Kind of refusal"),
            value_heading=cases_heading,
        ),
        bar_chart(
            "cases-by-outcome",
            _("What followed"),
            _choice_rows(numbers["outcomes"], CaseOutcome.Outcome.choices),
            label_heading=_("What followed"),
            value_heading=cases_heading,
            note=_("A case may have several outcomes, so these add up to more than the cases."),
        ),
        bar_chart(
            "cases-by-confidence",
            _("Cases by confidence"),
            _choice_rows(counts["confidence"], Case.Confidence.choices),
            label_heading=_("Confidence"),
            value_heading=cases_heading,
            note=_uncounted_note(numbers),
        ),
    ]


def _uncounted_note(numbers):
    uncounted = numbers.get("uncounted", 0)
    if not uncounted:
        return ""
    return _("Unconfirmed cases are not counted in these charts: %(count)s.") % {
        "count": formats.number_format(uncounted, force_grouping=True)
    }


def _filter_params(request):
    """The current filter, for the links of the map's tiles (single values only)."""
    return {key: value for key, value in request.GET.items() if value and key != "region"}


@require_safe
def stats(request):
    # Drawing the charts costs tens of milliseconds: the page's content is cached for
    # anonymous readers like the listing's, and drawn again once a task has new
    # statistics of the whole record, of the single filters, of the broad combinations or
    # by possible months.
    # A page saying the numbers are still being counted is not kept, and looks again
    # in a few seconds by itself.
    counting = []
    content = cached_content(
        request,
        "stats",
        lambda: _stats_content(request, counting),
        stamps=[EVERY_CASE, BY_SINGLE_FILTER, BROAD_COMBINATIONS, POSSIBLE_MONTHS],
        keep=lambda: not counting,
    )
    context = {"content": content, "counting": bool(counting), "look_again": LOOK_AGAIN_SECONDS}
    return render(request, "tracker/stats.html", context)


# How soon a page whose statistics are being counted looks again.
LOOK_AGAIN_SECONDS = 5


def _stats_content(request, counting):
    # Like the listing: a filter value that cannot be understood is shown with its error
    # and ignored, and the other filters still apply.
    case_filter = CaseFilter(request.GET or None, queryset=Case.objects.public())
    context = {
        "filter": case_filter,
        "query_string": request.GET.urlencode(),
        "confidence_chosen": confidence_chosen(case_filter),
    }
    try:
        figures, charts, regions = case_statistics(case_filter)
    except StatisticsPending:
        counting.append(True)
        context["counting"] = True
    else:
        context |= {
            "figures": figures,
            "charts": charts,
            "map": tile_map(regions, _filter_params(request)),
            "uncounted_url": uncounted_url(request.GET),
        }
    return render_to_string("tracker/_stats_content.html", context, request)


def uncounted_url(query):
    """The listing of the unconfirmed cases the figures leave out (of the same filter)."""
    query = query.copy()
    for name in ("page", "after", "before"):
        query.pop(name, None)
    query["confidence"] = Case.Confidence.UNCONFIRMED
    return f"{reverse('tracker:case_list')}?{query.urlencode()}"


SVG_WIDTH = 760  # px: a standalone chart, as wide as a slide or a printed page allows
SVG_MARGIN = 16


@require_safe
def chart_svg(request, chart_id):
    """One chart as an SVG file of its own, with the filter it shows and a credit line:
    for a journalist's article or a researcher's slides."""
    case_filter = CaseFilter(request.GET or None, queryset=Case.objects.public())
    try:
        _figures, charts, _regions = case_statistics(case_filter)
    except StatisticsPending:
        response = HttpResponse(
            _("The statistics of this filter are being counted; try again in a few seconds."),
            status=503,
            content_type="text/plain; charset=utf-8",
        )
        response["Retry-After"] = str(LOOK_AGAIN_SECONDS)
        return response
    chart = next((chart for chart in charts if chart.id == chart_id), None)
    if chart is None or chart.is_empty:
        raise Http404
    query = request.GET.urlencode()
    page = reverse("tracker:stats") + (f"?{query}" if query else "")
    top = 64
    note_y = top + chart.height + 24
    credit_y = note_y + (20 if chart.note else 0)
    context = {
        "chart": chart,
        "width": SVG_WIDTH,
        "margin": SVG_MARGIN,
        "plot_width": SVG_WIDTH - 2 * SVG_MARGIN,
        "top": top,
        "note_y": note_y,
        "credit_y": credit_y,
        "height": credit_y + 28,
        "filter_text": filter_description(case_filter, request.GET),
        "credit": credit_line(case_filter),
        "page_url": request.build_absolute_uri(page),
    }
    response = render(
        request, "tracker/chart.svg", context, content_type="image/svg+xml; charset=utf-8"
    )
    response["Content-Disposition"] = f'inline; filename="{chart_id}.svg"'
    return response


def credit_line(case_filter):
    """Says what a downloaded chart counts: confirmed and reported cases, unless the
    reader chose a confidence (the filter line names it)."""
    date = formats.date_format(timezone.localdate(), "DATE_FORMAT")
    if confidence_chosen(case_filter):
        return _("Refusal Tracker · published cases as of %(date)s · source:") % {"date": date}
    return _(
        "Refusal Tracker · confirmed and reported cases as of %(date)s, unconfirmed ones "
        "not counted · source:"
    ) % {"date": date}


def filter_description(case_filter, query):
    """One line naming the filter a chart shows, in the reader's language."""
    active = [chip["text"] for chip in chips(case_filter, query)]
    if not active:
        return _("All confirmed and reported cases")
    return _("Filter: %(filters)s") % {"filters": "; ".join(active)}
