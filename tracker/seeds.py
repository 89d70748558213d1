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

from .models import CASE_FACTS, Case, Region

SEEDS_FILE = Path(settings.BASE_DIR) / "seeds" / "cases.json"

# The seed file gives every fact but two: the home region as its code, and the first report
# date, which is the earliest of the sources' dates.
DERIVED_FACTS = ("home_region", "first_reported_on")
SEED_FACTS = tuple(field for field in CASE_FACTS if field not in DERIVED_FACTS)
SOURCE_FIELDS = ["outlet", "url", "title", "published_on", "language"]
EVENT_FIELDS = ["date", "date_precision", "kind", "description"]


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


def _prepare(seed):
    values = {field: seed[field] for field in SEED_FACTS}
    values["event_date"] = _date(seed["event_date"])
    sources = [
        {**{f: s.get(f, "") for f in SOURCE_FIELDS}, "published_on": _date(s.get("published_on"))}
        for s in seed["sources"]
    ]
    events = [{**{f: e[f] for f in EVENT_FIELDS}, "date": _date(e["date"])} for e in seed["events"]]
    source_dates = [s["published_on"] for s in sources if s["published_on"]]
    values["first_reported_on"] = min(source_dates) if source_dates else None
    return values, sources, events


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
        wanted = {by_seed_id[related].pk for related in seed.get("related", [])}
        current = set(case.related_cases.values_list("pk", flat=True))
        if wanted - current:
            case.related_cases.add(*(wanted - current))
    return result
