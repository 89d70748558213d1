"""What the listing's outcome and outlet filters read, kept on the case itself.

A case's outcomes (`CaseOutcome`) and its sources' outlets (`Source.outlet`) live in
other tables. Filtering through them (EXISTS over another table, `ILIKE '%…%'` on the
outlet) made a filter combined with search or a second column read thousands of rows
from two tables at a million cases. So each case also carries:

- `outcome_codes`: its outcomes' codes, sorted (a JSON list);
- `outlet_keys`: the normalised keys of its sources' outlets (a JSON list, see
  `outlet_keys()`): the whole name and each run of its words, lower-cased, transliterated
  to Latin, without "www." and punctuation, so "Mediazona", "mediazona", "Медиазона" and
  "mediazona.org" all find a source written "Mediazona".

On PostgreSQL the filters are `@>` containment served by partial GIN indexes (migration
0012); on SQLite the same columns are matched as quoted tokens of their JSON text.

Kept in sync: every save or delete of a `CaseOutcome` or `Source` (services, the seeds
loader, the admin) recomputes the case's two columns (receivers below); bulk writes that
skip signals (`generate_cases`' COPY) call `refresh_lookups()`. `Case.save()` never writes
them (tracker/models/cases.py), so a stale case object in memory cannot overwrite them.
"""

import contextlib
import functools
import json
import re

from django.db import connections
from django.db.models.signals import post_delete, post_save

from .models import Case, CaseOutcome, Source
from .search import latin

LOOKUP_FIELDS = ("outcome_codes", "outlet_keys")
# A name of more words than this keys only its first words' runs (and the whole name).
MAX_OUTLET_WORDS = 12
WORD_RE = re.compile(r"[0-9a-z]+")


@functools.lru_cache(maxsize=10_000)
def outlet_key(text):
    """The key of what a reader typed: "Медиазона" → "mediazona", "Kavkaz Realii" →
    "kavkazrealii", and a site's address without its ending: "www.mediazona.org/" →
    "mediazona"."""
    text = DOMAIN_END_RE.sub("", text.strip().lower())
    return "".join(_words(text))


# A typed address's last part (the outlets are written by name: "Mediazona").
DOMAIN_END_RE = re.compile(r"\.(org|com|net|info|io|ru|ua|eu|me|media|news|tv)/?$")


def _words(text):
    text = latin(text.strip())
    text = re.sub(r"^(https?://)?www\.", "", text)
    return WORD_RE.findall(text)


@functools.lru_cache(maxsize=10_000)
def outlet_keys(outlet):
    """Every key that finds `outlet`: the whole name, each word and each run of words
    ("Novaya Gazeta Europe" → novaya, gazeta, europe, novayagazeta, gazetaeurope,
    novayagazetaeurope), and for a domain name the name without its last part
    ("meduza.io" → meduza)."""
    words = _words(outlet)
    keys = {"".join(words)}
    first = words[:MAX_OUTLET_WORDS]
    for start in range(len(first)):
        for end in range(start + 1, len(first) + 1):
            keys.add("".join(first[start:end]))
    keys.discard("")
    return tuple(sorted(keys))


def lookup_values(outcomes, outlets):
    keys = set()
    for outlet in outlets:
        keys.update(outlet_keys(outlet))
    return {"outcome_codes": sorted(set(outcomes)), "outlet_keys": sorted(keys)}


def refresh_lookups(case_ids):
    """Recompute the two columns of these cases from their outcome and source rows."""
    case_ids = list(case_ids)
    if not case_ids:
        return {}
    outcomes, outlets = {}, {}
    rows = CaseOutcome.objects.filter(case_id__in=case_ids).values_list("case_id", "outcome")
    for case_id, outcome in rows:
        outcomes.setdefault(case_id, []).append(outcome)
    rows = Source.objects.filter(case_id__in=case_ids).values_list("case_id", "outlet")
    for case_id, outlet in rows:
        outlets.setdefault(case_id, []).append(outlet)
    found = {}
    for case_id in case_ids:
        values = lookup_values(outcomes.get(case_id, []), outlets.get(case_id, []))
        Case.objects.filter(pk=case_id).update(**values)
        found[case_id] = values
    return found


def refresh_all_lookups(using="default", *, from_id=0, models=None):
    """The two columns of every case with an id from `from_id` on, from the other tables
    in bulk (migration 0012). `models`: (Case, CaseOutcome, Source), e.g. a migration's
    historical models."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            _refresh_in_sql(cursor, from_id)
        return
    case_model, outcome_model, source_model = models or (Case, CaseOutcome, Source)
    ids = list(case_model.objects.using(using).filter(pk__gte=from_id).values_list("pk", flat=True))
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        outcomes, outlets = {}, {}
        for case_id, outcome in (
            outcome_model.objects.using(using)
            .filter(case_id__in=chunk)
            .values_list("case_id", "outcome")
        ):
            outcomes.setdefault(case_id, []).append(outcome)
        for case_id, outlet in (
            source_model.objects.using(using)
            .filter(case_id__in=chunk)
            .values_list("case_id", "outlet")
        ):
            outlets.setdefault(case_id, []).append(outlet)
        for case_id in chunk:
            values = lookup_values(outcomes.get(case_id, []), outlets.get(case_id, []))
            case_model.objects.using(using).filter(pk=case_id).update(**values)


def _refresh_in_sql(cursor, from_id):
    # The distinct outlet names are few (tens of outlets over millions of sources): their
    # keys are computed here and joined in SQL. One UPDATE writes both columns, so each
    # row is rewritten once.
    cursor.execute("SELECT DISTINCT outlet FROM tracker_source")
    names = [row[0] for row in cursor.fetchall()]
    cursor.execute("CREATE TEMPORARY TABLE outlet_key_map (outlet text PRIMARY KEY, keys jsonb)")
    cursor.executemany(
        "INSERT INTO outlet_key_map VALUES (%s, %s::jsonb)",
        [(name, json.dumps(list(outlet_keys(name)))) for name in names],
    )
    cursor.execute(
        """
        UPDATE tracker_case AS c
        SET outcome_codes = coalesce(o.codes, '[]'::jsonb),
            outlet_keys = coalesce(s.keys, '[]'::jsonb)
        FROM tracker_case AS t
        LEFT JOIN (
            SELECT case_id, jsonb_agg(DISTINCT outcome ORDER BY outcome) AS codes
            FROM tracker_caseoutcome GROUP BY case_id
        ) AS o ON o.case_id = t.id
        LEFT JOIN (
            SELECT src.case_id, jsonb_agg(DISTINCT k.key ORDER BY k.key) AS keys
            FROM tracker_source AS src
            JOIN outlet_key_map AS m ON m.outlet = src.outlet
            CROSS JOIN LATERAL jsonb_array_elements_text(m.keys) AS k(key)
            GROUP BY src.case_id
        ) AS s ON s.case_id = t.id
        WHERE c.id = t.id AND t.id >= %s
        """,
        [from_id],
    )
    cursor.execute("DROP TABLE outlet_key_map")


def _changed(sender, instance, **kwargs):
    values = refresh_lookups([instance.case_id])[instance.case_id]
    # The case object the row was made with (e.g. `CaseOutcome(case=case)` in a service)
    # shows the new values too.
    case = instance._state.fields_cache.get("case")
    if case is not None:
        for name, value in values.items():
            setattr(case, name, value)


def _connect():
    for model in (CaseOutcome, Source):
        post_save.connect(_changed, sender=model, dispatch_uid=f"tracker.lookups.{model.__name__}")
        post_delete.connect(
            _changed, sender=model, dispatch_uid=f"tracker.lookups.del.{model.__name__}"
        )


def _disconnect():
    for model in (CaseOutcome, Source):
        post_save.disconnect(sender=model, dispatch_uid=f"tracker.lookups.{model.__name__}")
        post_delete.disconnect(sender=model, dispatch_uid=f"tracker.lookups.del.{model.__name__}")


@contextlib.contextmanager
def sync_paused():
    """For bulk deletes of whole cases (their rows go with them): Django then deletes
    with one query per table instead of loading every row."""
    _disconnect()
    try:
        yield
    finally:
        _connect()


_connect()
