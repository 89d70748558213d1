"""The listing's results as data: `/cases/export.csv` and `/cases/export.json`.

Both take the listing's GET parameters through `CaseFilter`, start from
`Case.objects.public()`, and stream: rows are read from the database in chunks (sources and
outcomes are prefetched per chunk, not per row) and written out as they come, so a million
cases never sit in memory at once. The columns are defined once, in `COLUMNS`, which the
data dictionary page (`/data/`) renders, so the documentation cannot drift from the file.
"""

import csv
import json
from collections import defaultdict
from dataclasses import dataclass
from itertools import islice

from django.core.serializers.json import DjangoJSONEncoder
from django.http import JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from .filters import CaseFilter
from .models import (
    CASE_FACTS,
    CONTENT_LANGUAGES,
    REGION_NAME_LANGUAGES,
    SOURCE_ORDER,
    TRANSLATED_FACTS,
    Case,
    CaseEvent,
    CaseOutcome,
    Source,
    date_text,
    translated,
)
from .models.related import LEGAL_KINDS
from .preservation.fields import SOURCE_FIELDS
from .preservation.fields import SOURCE_VALUES as PRESERVATION_VALUES
from .preservation.fields import from_values as preservation_values

# Cases read per database round trip; each chunk costs three queries (cases, their
# outcomes, their sources) whatever its size. Below SQLite's limit of bound parameters.
CHUNK_SIZE = 1000
# CSV rows written to the response at once: fewer, larger writes, still a small buffer.
ROWS_PER_WRITE = 200
LIST_SEPARATOR = " | "
# A spreadsheet treats a cell that starts with one of these as a formula (OWASP "CSV
# injection"); tab and carriage return can hide such a start.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


@dataclass(frozen=True)
class Column:
    name: str
    description: str
    choices: list | None = None


def _fact_column(name):
    """A fact's column, documented by its model field's help text and choices."""
    field = Case._meta.get_field(name)
    return Column(name, field.help_text, field.choices or getattr(field, "item_choices", None))


def _model_column(model, name):
    field = model._meta.get_field(name)
    return Column(name, field.help_text or field.verbose_name, field.choices or None)


# Columns the record adds around the facts: before them, after them, and after one fact.
LEADING_COLUMNS = [
    Column("id", _("Stable number of the case. It is never reused or changed.")),
    Column("url", _("Permanent public address of the case page.")),
]
COLUMNS_AFTER_FACT = {
    "first_reported_on": [
        Column("published_at", _("When the case was published here (ISO 8601, UTC).")),
    ],
    "home_region": [
        Column(f"home_region_name_{language}", description)
        for language, description in [
            ("en", _("Name of the home region in English.")),
            ("ru", _("Name of the home region in Russian.")),
            ("uk", _("Name of the home region in Ukrainian.")),
        ]
    ],
    "refusal_kind": [
        Column(
            "outcomes",
            _("What followed; several codes are separated by ' | '."),
            CaseOutcome.Outcome.choices,
        ),
    ],
}
TRAILING_COLUMNS = [
    Column(
        "sources",
        _(
            "The sources, each as 'outlet (date of publication) link', separated by ' | '. "
            "The JSON export gives them as a list of objects instead, with the fields "
            "listed under 'Sources' below."
        ),
    ),
    Column(
        "legal_steps",
        _(
            "The steps of legal proceedings on the case's timeline, each as 'date kind: court, "
            "basis, claimants, result', separated by ' | '. The JSON export gives them as a "
            "list of objects with the fields listed under 'Legal steps' below."
        ),
    ),
]
# The original language, then the title and summary in every language lead, as on the
# case page; the other facts follow in model order.
TEXT_FACTS = (
    "original_language",
    *(translated(name, language) for name in TRANSLATED_FACTS for language in CONTENT_LANGUAGES),
)
EXPORT_FACTS = (*TEXT_FACTS, *(f for f in CASE_FACTS if f not in TEXT_FACTS))
COLUMNS = [
    *LEADING_COLUMNS,
    *(
        column
        for fact in EXPORT_FACTS
        for column in [_fact_column(fact), *COLUMNS_AFTER_FACT.get(fact, [])]
    ),
    *TRAILING_COLUMNS,
]
COLUMN_NAMES = [column.name for column in COLUMNS]


# The case columns read straight from the database, by export column name.
CASE_VALUES = {
    "id": "id",
    "published_at": "published_at",
    **{fact: fact for fact in CASE_FACTS},
    "home_region": "home_region__code",
    **{
        f"home_region_name_{language}": f"home_region__name_{language}"
        for language in REGION_NAME_LANGUAGES
    },
}
SOURCE_VALUES = ("outlet", "url", "title", "published_on", "language", "archive_url")
# What each source says of its provenance (the confidence rule reads it), in the JSON export
# and the API, documented on /data/ by the model's help texts.
SOURCE_PROVENANCE = (
    "published_on_precision",
    "cited_in",
    "account_from",
    "relays",
    "relayed_source",
    "says_unconfirmed",
)
SOURCE_PROVENANCE_COLUMNS = [_model_column(Source, name) for name in SOURCE_PROVENANCE]
LEGAL_STEP_VALUES = (
    "date",
    "date_precision",
    "kind",
    "court",
    "legal_basis",
    "claimants",
    "result",
    "closed_hearing",
)
LEGAL_STEP_COLUMNS = [_model_column(CaseEvent, name) for name in LEGAL_STEP_VALUES]


def export_records(case_filter, case_url):
    """The filtered public cases as dicts keyed by COLUMN_NAMES, read chunk by chunk.

    Plain values, not model instances: a case and its prefetched sources point at each
    other, and such cycles would pile up until the garbage collector ran. Per chunk, one
    query reads the cases and one each reads their outcomes, sources and legal steps.
    """
    rows = case_filter.qs.values(*CASE_VALUES.values()).iterator(chunk_size=CHUNK_SIZE)
    while chunk := list(islice(rows, CHUNK_SIZE)):
        ids = [row["id"] for row in chunk]
        outcomes = defaultdict(list)
        for case_id, outcome in (
            CaseOutcome.objects.filter(case_id__in=ids)
            .order_by("case_id", "outcome")
            .values_list("case_id", "outcome")
        ):
            outcomes[case_id].append(outcome)
        sources = defaultdict(list)
        for source in (
            Source.objects.filter(case_id__in=ids)
            .order_by("case_id", *SOURCE_ORDER)
            .values("case_id", *SOURCE_VALUES, *SOURCE_PROVENANCE, *PRESERVATION_VALUES.values())
        ):
            source.update(preservation_values(source))
            # A missing link is null in JSON, as in the API; the CSV cell is empty either way.
            source["url"] = source["url"] or None
            source["archive_url"] = source["archive_url"] or None
            sources[source.pop("case_id")].append(source)
        legal_steps = defaultdict(list)
        for step in (
            CaseEvent.objects.filter(case_id__in=ids, kind__in=LEGAL_KINDS)
            .order_by("case_id", "date", "id")
            .values("case_id", *LEGAL_STEP_VALUES)
        ):
            legal_steps[step.pop("case_id")].append(step)
        for row in chunk:
            record = {name: row[field] for name, field in CASE_VALUES.items()}
            record["url"] = case_url(row["id"])
            record["outcomes"] = outcomes[row["id"]]
            record["sources"] = sources[row["id"]]
            record["legal_steps"] = legal_steps[row["id"]]
            yield {name: record[name] for name in COLUMN_NAMES}


def neutralise_formula(value):
    """Make a text cell that a spreadsheet would run as a formula read as text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _source_text(source):
    published = date_text(source["published_on"], source["published_on_precision"])
    date = f" ({published})" if published else ""
    link = f" {source['url']}" if source["url"] else ""
    return f"{source['outlet']}{date}{link}"


def _legal_step_text(step):
    details = [
        step["court"],
        step["legal_basis"],
        f"{step['claimants']} claimants" if step["claimants"] else "",
        step["result"],
        "closed hearing" if step["closed_hearing"] else "",
    ]
    described = ", ".join(detail for detail in details if detail)
    return f"{date_text(step['date'], step['date_precision'])} {step['kind']}: {described}"


def csv_cells(record):
    cells = []
    for name in COLUMN_NAMES:
        value = record[name]
        if name == "outcomes":
            value = LIST_SEPARATOR.join(value)
        elif name == "sources":
            value = LIST_SEPARATOR.join(_source_text(source) for source in value)
        elif name == "legal_steps":
            value = LIST_SEPARATOR.join(_legal_step_text(step) for step in value)
        elif isinstance(value, list):  # the further forces or statuses of a mixed group
            value = LIST_SEPARATOR.join(value)
        elif value is None:
            value = ""
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        cells.append(neutralise_formula(value))
    return cells


class _Echo:
    """A file-like object whose write() hands the text back, for csv.writer."""

    def write(self, value):
        return value


def _case_url_maker(request):
    """A function id -> absolute permanent URL, with reverse() run once, not per row."""
    marker = "999999999"
    prefix, suffix = request.build_absolute_uri(
        reverse("tracker:case_detail", args=[marker])
    ).split(marker)
    return lambda pk: f"{prefix}{pk}{suffix}"


def _csv_stream(records):
    writer = csv.writer(_Echo())
    # The byte order mark makes spreadsheet programs read the file as UTF-8 (Cyrillic).
    yield "\ufeff" + writer.writerow(COLUMN_NAMES)
    batch = []
    for record in records:
        batch.append(writer.writerow(csv_cells(record)))
        if len(batch) >= ROWS_PER_WRITE:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)


def _json_stream(request, records):
    header = {
        "generated_at": timezone.now(),
        "listing": request.build_absolute_uri(reverse("tracker:case_list"))
        + (f"?{request.GET.urlencode()}" if request.GET else ""),
        "documentation": request.build_absolute_uri(reverse("tracker:data_dictionary")),
    }
    opening = json.dumps(header, cls=DjangoJSONEncoder, ensure_ascii=False)[:-1]
    yield opening + ', "cases": ['
    separator = "\n"
    for record in records:
        yield separator + json.dumps(record, cls=DjangoJSONEncoder, ensure_ascii=False)
        separator = ",\n"
    yield "\n]}\n"


def _filtered(request):
    # Always bound (an empty QueryDict too), so that is_valid() means "no bad filter".
    return CaseFilter(request.GET, queryset=Case.objects.public())


def bad_filter_response(case_filter):
    return JsonResponse({"errors": case_filter.errors.get_json_data()}, status=400)


def _filename(extension):
    return f"refusal-tracker-cases-{timezone.now():%Y-%m-%d}.{extension}"


@require_safe
def export_csv(request):
    case_filter = _filtered(request)
    if not case_filter.is_valid():
        return bad_filter_response(case_filter)
    records = export_records(case_filter, _case_url_maker(request))
    response = StreamingHttpResponse(_csv_stream(records), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename("csv")}"'
    return response


@require_safe
def export_json(request):
    case_filter = _filtered(request)
    if not case_filter.is_valid():
        return bad_filter_response(case_filter)
    records = export_records(case_filter, _case_url_maker(request))
    response = StreamingHttpResponse(
        _json_stream(request, records), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename("json")}"'
    return response


@require_safe
def data_dictionary(request):
    return render(
        request,
        "tracker/data_dictionary.html",
        {
            "columns": COLUMNS,
            "source_fields": [*SOURCE_PROVENANCE_COLUMNS, *SOURCE_FIELDS],
            "legal_step_fields": LEGAL_STEP_COLUMNS,
        },
    )
