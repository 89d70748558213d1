"""Loading the seed data set (seeds/cases.json) into published cases.

Keyed on each case's stable `seed_id`: a second load changes nothing, and an edited seed
file updates only what differs.
"""

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .grading import grade, settle
from .models import CASE_FACTS, Case, DatePrecision, Region, Source

SEEDS_FILE = Path(settings.BASE_DIR) / "seeds" / "cases.json"

# The seed file gives every fact but three: the home region as its code; the first report
# date, the earliest exact date of its sources; and the confidence, which the rule
# (tracker/grading.py) computes from the sources (a seed may only lower it, saying why in
# `confidence_note`, through a "confidence" key of its own).
DERIVED_FACTS = ("home_region", "first_reported_on", "confidence")
SEED_FACTS = tuple(field for field in CASE_FACTS if field not in DERIVED_FACTS)
# A source's or event's keys, with the value a seed may leave out.
SOURCE_DEFAULTS = {
    "outlet": "",
    "url": "",
    "title": "",
    "published_on": None,
    "published_on_precision": None,
    "language": Source.Language.OTHER,
    "cited_in": "",
    "account_from": Source.AccountFrom.UNKNOWN,
    "relays": False,
    "relayed_source": "",
    "says_unconfirmed": False,
}
SOURCE_FIELDS = list(SOURCE_DEFAULTS)
EVENT_DEFAULTS = {
    "date": None,
    "date_precision": DatePrecision.DAY,
    "kind": "",
    "description": "",
    "court": "",
    "legal_basis": "",
    "claimants": None,
    "result": "",
    "closed_hearing": None,
}
EVENT_FIELDS = list(EVENT_DEFAULTS)


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _date(value):
    return date.fromisoformat(value) if value else None


def read_seeds(path=SEEDS_FILE):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _sync_children(manager, rows, fields):
    """Make the related rows equal `rows` without touching rows that already match."""
    wanted = [tuple(row[f] for f in fields) for row in rows]
    existing = {tuple(getattr(obj, f) for f in fields): obj for obj in manager.all()}
    changed = False
    for key, obj in existing.items():
        if key not in wanted:
            obj.delete()
            changed = True
    for key in wanted:
        if key not in existing:
            manager.create(**dict(zip(fields, key, strict=True)))
            changed = True
    return changed


def _source(seed_source):
    source = {**SOURCE_DEFAULTS, **seed_source}
    source["published_on"] = _date(source["published_on"])
    if source["published_on"] is None:
        source["published_on_precision"] = DatePrecision.UNKNOWN
    elif not source["published_on_precision"]:
        source["published_on_precision"] = DatePrecision.DAY
    return {field: source[field] for field in SOURCE_FIELDS}


def _prepare(seed):
    values = {field: seed[field] for field in SEED_FACTS}
    for field in ("event_date", "event_date_not_before", "event_date_not_after"):
        values[field] = _date(seed[field])
    sources = [_source(source) for source in seed["sources"]]
    events = [
        {
            **{f: e.get(f, default) for f, default in EVENT_DEFAULTS.items()},
            "date": _date(e["date"]),
        }
        for e in seed["events"]
    ]
    # Only an exact date says when the case was first reported.
    source_dates = [
        s["published_on"] for s in sources if s["published_on_precision"] == DatePrecision.DAY
    ]
    values["first_reported_on"] = min(source_dates) if source_dates else None
    computed = grade(Source(**source) for source in sources).confidence
    values["confidence"] = settle(seed.get("confidence"), computed, seed["confidence_note"])
    return values, sources, events


def seed_grade(seed):
    """The Grade the rule gives a seed case's sources (tests recompute every seed's)."""
    return grade(Source(**_source(source)) for source in seed["sources"])


@transaction.atomic
def load_seeds(seeds, progress=None):
    regions = {region.code: region for region in Region.objects.all()}
    result = LoadResult()
    by_seed_id = {}
    for index, seed in enumerate(seeds, start=1):
        values, sources, events = _prepare(seed)
        values["home_region"] = regions[seed["home_region"]] if seed["home_region"] else None
        case = Case.objects.filter(seed_id=seed["seed_id"]).first()
        if case is None:
            case = Case(
                seed_id=seed["seed_id"],
                status=Case.Status.PUBLISHED,
                published_at=timezone.now(),
                **values,
            )
            case.full_clean()
            case.save()
            changed, created = True, True
        else:
            created = False
            changed = any(getattr(case, field) != value for field, value in values.items())
            if changed:
                for field, value in values.items():
                    setattr(case, field, value)
                case.full_clean()
                case.save()
        outcome_rows = [{"outcome": outcome} for outcome in seed["outcomes"]]
        changed |= _sync_children(case.outcome_rows, outcome_rows, ["outcome"])
        changed |= _sync_children(case.sources, sources, SOURCE_FIELDS)
        changed |= _sync_children(case.events, events, EVENT_FIELDS)
        by_seed_id[seed["seed_id"]] = case
        if created:
            result.created += 1
        elif changed:
            result.updated += 1
        else:
            result.unchanged += 1
        if progress:
            progress(index, len(seeds), seed["seed_id"])
    for seed in seeds:
        case = by_seed_id[seed["seed_id"]]
        for key, manager in [
            ("related", case.related_cases),
            ("possible_duplicates", case.possible_duplicates),
        ]:
            wanted = {by_seed_id[other].pk for other in seed.get(key, [])}
            current = set(manager.values_list("pk", flat=True))
            if wanted - current:
                manager.add(*(wanted - current))
    return result
