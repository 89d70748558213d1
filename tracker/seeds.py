"""Loading the seed data set (seeds/cases.json) into published cases.

Keyed on each case's stable `seed_id`: a second load changes nothing, and an edited seed
file updates only what differs.

The seed file is written in English (each case's original language). Its Russian and
Ukrainian versions live beside it, in seeds/translations/<language>.json, keyed by seed_id:
`title`, `summary`, `events` (the timeline's descriptions, in the seed file's order) and
`name_variants` (the other spellings of names that search should find). A case missing
from a translation file is simply not translated yet.
"""

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .grading import grade, settle
from .models import CASE_FACTS, CONTENT_LANGUAGES, Case, DatePrecision, Region, Source

SEEDS_FILE = Path(settings.BASE_DIR) / "seeds" / "cases.json"
TRANSLATIONS_DIR = Path(settings.BASE_DIR) / "seeds" / "translations"
SEED_LANGUAGE = "en"

# The seed file gives every fact but these: the home region as its code; the first report
# date, the earliest exact date of its sources; the confidence, which the rule
# (tracker/grading.py) computes from the sources (a seed may only lower it, saying why in
# `confidence_note`, through a "confidence" key of its own); and the text, which comes as
# `title` and `summary` (English, the original) and from the translation files, with the
# other spellings of names.
TEXT_FACTS = tuple(
    f"{name}_{language}" for name in ("title", "summary") for language in CONTENT_LANGUAGES
)
DERIVED_FACTS = (
    "home_region",
    "first_reported_on",
    "confidence",
    "original_language",
    "name_variants",
    *TEXT_FACTS,
)
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
# An event's description comes in each language (`description` in the seed file is the
# English one, the others from the translation files).
EVENT_DEFAULTS = {
    "date": None,
    "date_precision": DatePrecision.DAY,
    "kind": "",
    "court": "",
    "legal_basis": "",
    "claimants": None,
    "result": "",
    "closed_hearing": None,
}
EVENT_FIELDS = [*EVENT_DEFAULTS, *(f"description_{lang}" for lang in CONTENT_LANGUAGES)]


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _date(value):
    return date.fromisoformat(value) if value else None


def read_seeds(path=SEEDS_FILE, translations_dir=TRANSLATIONS_DIR):
    """The seed cases, each with a `translations` dict by language from the files."""
    seeds = json.loads(Path(path).read_text(encoding="utf-8"))
    translations = read_translations(translations_dir)
    for seed in seeds:
        seed.setdefault("translations", {})
        for language, cases in translations.items():
            if seed["seed_id"] in cases:
                seed["translations"][language] = cases[seed["seed_id"]]
    return seeds


def read_translations(directory=TRANSLATIONS_DIR):
    directory = Path(directory)
    return {
        language: json.loads((directory / f"{language}.json").read_text(encoding="utf-8"))
        for language in CONTENT_LANGUAGES
        if language != SEED_LANGUAGE and (directory / f"{language}.json").exists()
    }


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
    translations = {SEED_LANGUAGE: seed, **seed.get("translations", {})}
    values["original_language"] = SEED_LANGUAGE
    for language in CONTENT_LANGUAGES:
        version = translations.get(language, {})
        values[f"title_{language}"] = version.get("title", "")
        values[f"summary_{language}"] = version.get("summary", "")
    variants = [seed.get("name_variants", "")]
    variants += [
        version.get("name_variants", "") for version in seed.get("translations", {}).values()
    ]
    # Each spelling once, in the order the files give them.
    spellings = [part.strip() for variant in variants for part in variant.split(";")]
    values["name_variants"] = "; ".join(dict.fromkeys(part for part in spellings if part))
    sources = [_source(source) for source in seed["sources"]]
    events = []
    for position, event in enumerate(seed["events"]):
        row = {f: event.get(f, default) for f, default in EVENT_DEFAULTS.items()}
        row["date"] = _date(event["date"])
        row[f"description_{SEED_LANGUAGE}"] = event["description"]
        for language in CONTENT_LANGUAGES:
            if language == SEED_LANGUAGE:
                continue
            described = translations.get(language, {}).get("events", [])
            row[f"description_{language}"] = (
                described[position] if position < len(described) else ""
            )
        events.append(row)
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
        if changed:
            # The timeline and outcomes are searchable text (tracker/search.py).
            case.refresh_search_document()
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
