"""How many cases each value of the listing's filters would give (faceted counts), and
the active filters as removable chips.

A value's count is taken under the *other* active filters (choosing Kazan when Moscow is
selected shows what Kazan alone would give with the rest of the filter), as Uwazi does.

Cost at a million cases: every count is capped at `FACET_CAP` ("1,000+"), like the
listing's own count, so each one reads at most `FACET_CAP` + 1 entries of a partial
index; all of them (about 130, plus the listing's own count) go to the database as one
statement of scalar subqueries, so the listing's number of queries does not change. The
result is kept until the public data changes (`tracker.cache.cached_until_change`), so the
same filter costs nothing the second time.
"""

import hashlib

from django.db import connections
from django.http import QueryDict
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .cache import cached_until_change
from .models import Case, Region
from .pagination import COUNT_CAP

FACET_CAP = COUNT_CAP
# The listing parameters that have counts beside their values.
FACETS = ("region", "force", "service_status", "kind", "outcome", "confidence")
# What a chip or a cache key ignores: the position in the listing and its order.
NOT_FILTERS = ("sort", "page", "after", "before", "per_page")
TOTAL = "__total__"


def active_filters(case_filter):
    """(name, value) of every filter that applies, in the form's order: the cleaned value
    for the query, never a value the form rejected."""
    if not case_filter.is_bound or not case_filter.is_valid():
        data = getattr(case_filter.form, "cleaned_data", {}) if case_filter.is_bound else {}
    else:
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


def _facet_values(name, case_filter):
    # The region choices come from a cache (tracker.widgets.CachedModelChoices): no query.
    return [str(value) for value, _label in case_filter.form.fields[name].choices if value]


def _apply(case_filter, queryset, filters):
    for name, value in filters:
        queryset = case_filter.filters[name].filter(queryset, value)
    return queryset


def _capped_sql(queryset, cap):
    queryset = queryset.order_by().values("pk")[: cap + 1]
    return queryset.query.get_compiler(using=queryset.db).as_sql()


def compute_counts(case_filter, *, cap=FACET_CAP):
    """{facet: {value: count}} and the listing's own count under `TOTAL`, each capped at
    `cap` + 1, in one SQL statement."""
    public = Case.objects.public()
    active = active_filters(case_filter)
    parts = [(TOTAL, None, _capped_sql(_apply(case_filter, public, active), cap))]
    for name in FACETS:
        others = [(other, value) for other, value in active if other != name]
        base = _apply(case_filter, public, others)
        field_filter = case_filter.filters[name]
        for value in _facet_values(name, case_filter):
            if name == "region":
                queryset = base.filter(home_region__code=value)
            else:
                queryset = field_filter.filter(base, value)
            parts.append((name, value, _capped_sql(queryset, cap)))
    selects, params = [], []
    for index, (_name, _value, (sql, sql_params)) in enumerate(parts):
        # `sql` is compiled by Django with its values as parameters.
        selects.append(f"(SELECT COUNT(*) FROM ({sql}) AS facet_{index})")  # noqa: S608
        params.extend(sql_params)
    with connections[public.db].cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(selects)}", params)
        row = cursor.fetchone()
    counts = {name: {} for name in FACETS}
    total = 0
    for (name, value, _sql), count in zip(parts, row, strict=True):
        if name == TOTAL:
            total = count
        else:
            counts[name][value] = count
    return total, counts


def listing_counts(case_filter):
    """`compute_counts` for this selection, kept until the public data changes."""
    return cached_until_change(
        f"facets:{selection_key(case_filter)}", lambda: compute_counts(case_filter)
    )


def format_count(count, cap=FACET_CAP):
    if count > cap:
        return f"{number_format(cap, force_grouping=True)}+"
    return number_format(count, force_grouping=True)


def label_options(form, counts):
    """Write each count beside its value in the filter form's selects."""
    for name in FACETS:
        widget = form.fields[name].widget
        choices = []
        for value, label in form.fields[name].choices:
            if value in counts[name]:
                label = f"{label} — {format_count(counts[name][value])}"
            choices.append((value, label))
        widget.choices = choices


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
    "outlet": gettext_lazy("search for a shorter part of the outlet's name"),
}


def empty_result_suggestions(active_chips):
    """What a reader could change when nothing matches, beyond removing a filter."""
    suggestions = []
    for chip in active_chips:
        suggestion = SUGGESTIONS.get(chip["name"])
        if suggestion and str(suggestion) not in suggestions:
            suggestions.append(str(suggestion))
    return suggestions
