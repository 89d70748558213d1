"""Search over cases: the one place that decides how `q` is matched.

The public listing, the export, the feed and the API all reach search through
`CaseFilter`, which calls `search_cases`; a better search changes here and nowhere else.

A query in any of the three languages finds a case whatever language its text is in, and a
name in Cyrillic finds it in Latin letters and back. What is matched is the case's
**search document** (`Case.search_document`, written by `Case.save()` from
`search_document()` below): every language version of the title and summary, the unit,
the place, the named people and their other spellings, the home region's names, the
labels of the case's choices and of its outcomes in every language, and every language
version of its timeline's descriptions, all lowercased, followed by a Latin
transliteration of each word it changes (`latin()`: "Сахибгареев" → "sakhibgareev", the same
"skeleton" a Latin spelling "Sakhibgareyev" is reduced to).

Each query word is matched in three ways, any of which suffices; every word must match:
- as a stemmed word (PostgreSQL's `russian` configuration: Russian Snowball stems for
  Cyrillic, English ones for Latin), so "refused" finds "refusing";
- as the beginning of a word, after `stem()` cut its ending off ("псковская" → "псковск",
  "відмова" → "відмов"): Ukrainian has no stemmer in PostgreSQL, and this covers it;
- its transliteration `latin(stem(word))` as the beginning of a word, which crosses
  scripts ("Псков" → "pskov").

On PostgreSQL, `tracker_case.search_vector` is a stored generated `tsvector` column
(migration 0009): the titles with weight A, the search document with weight C, both with
the `russian` configuration; the prefixes match the beginnings of its stems. A GIN index
(`case_search_vector_gin`, partial on published cases) serves `@@`, and the rank orders
the results. The column is not a model field, so that ordinary queries never fetch it.

On SQLite (the embedded default) each word's forms are matched as substrings of the
lowercased document (`LIKE`), which answers the same examples, unranked.

Bulk writes that skip `save()` (`generate_cases`' COPY) write the document themselves.
The services that add or remove a case's timeline events or outcomes save the case after
them (or call `Case.refresh_search_document()`), so the document follows.
"""

import functools
import re

from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVectorExact,
    SearchVectorField,
)
from django.db import connection
from django.db.models import Expression, Q
from django.utils import translation

SEARCH_FIELDS = ("unit", "location", "named_people", "name_variants")
# The choices whose labels, in every language, are searchable text.
LABELLED_FIELDS = ("force", "refusal_kind", "service_status", "location_country")
MAX_WORDS = 10
# The sort key the listing uses for "best match first"; see `order_by_relevance`.
RANK = "search_rank"
# Letters and digits; everything else (quotes, &, |, !, :, _) separates words, so no user
# input can reach the tsquery syntax.
WORD_RE = re.compile(r"[^\W_]+")

# Russian and Ukrainian letters to Latin, the way English-language sources most often
# spell names (BGN/PCGN without diacritics); Ukrainian г as g, so one name has one form.
CYRILLIC_TO_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "е": "e", "ё": "e",
    "є": "e", "ж": "zh", "з": "z", "и": "i", "і": "i", "ї": "i", "й": "y", "к": "k",
    "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "",
    "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
}  # fmt: skip
LATIN_TABLE = str.maketrans(CYRILLIC_TO_LATIN)
# Latin spellings that vary between sources for the same Cyrillic letters, reduced to one.
LATIN_VARIANTS = (("ye", "e"), ("yo", "e"), ("iy", "i"), ("yy", "y"), ("j", "y"))
CYRILLIC_ENDING = re.compile(r"[аеёиоуыэюяйьіїє]+$")
LATIN_ENDING = re.compile(r"(?:ing|ed|es|s)$")
# Shorter words are matched whole, never as the beginning of a word ("и", "at").
MIN_STEM = 4


def uses_full_text():
    return connection.vendor == "postgresql"


def search_words(query):
    return WORD_RE.findall(query)[:MAX_WORDS]


def latin(text):
    """A deterministic Latin "skeleton" of `text`: Cyrillic transliterated, the spelling
    variants of transliterations reduced to one form, lowercase."""
    text = text.lower().translate(LATIN_TABLE)
    for variant, form in LATIN_VARIANTS:
        text = text.replace(variant, form)
    return text


# The words of a document repeat across cases (and across a COPY batch of a million).
_latin_word = functools.lru_cache(maxsize=100_000)(latin)


def stem(word):
    """`word` without its inflected ending, for matching as the beginning of a word
    ("псковская" → "псковск", "refused" → "refus"); short words stay whole."""
    word = word.lower()
    if len(word) <= MIN_STEM:
        return word
    ending = CYRILLIC_ENDING if re.search(r"[а-яёіїєґ]$", word) else LATIN_ENDING
    stemmed = ending.sub("", word)
    return stemmed if len(stemmed) >= MIN_STEM else word[:MIN_STEM]


def word_forms(word):
    """The beginnings of words that `word` matches: its stem and the stem's skeleton."""
    stemmed = stem(word)
    return list(dict.fromkeys([stemmed, latin(stemmed)]))


@functools.cache
def _label_versions(name, value):
    """The label of a choice in every language (computed once per process: switching
    languages per row would cost `generate_cases` more than the rest of a row)."""
    from tracker.models import Country, Force, RefusalKind, ServiceStatus

    # The choice classes, not get_<name>_display(): a migration's historical model (0009
    # writes the first documents) has no translated labels.
    choices = {
        "force": Force,
        "refusal_kind": RefusalKind,
        "service_status": ServiceStatus,
        "location_country": Country,
    }[name]
    if value not in choices.values:
        return ()
    versions = []
    for language in ("en", "ru", "uk"):
        with translation.override(language):
            versions.append(str(choices(value).label))
    return tuple(versions)


def _labels(case):
    return [
        label for name in LABELLED_FIELDS for label in _label_versions(name, getattr(case, name))
    ]


# Where an outcome's Russian or Ukrainian label is a noun ("увольнение") but readers type
# the participle ("уволен"), whose stem is not the noun's: the forms search should match
# too. Never shown; only matched.
OUTCOME_WORDS = {
    "dismissed": ("уволен", "уволены", "звільнений", "звільнені"),
    "contract_terminated": ("расторгнут", "розірвано"),
    "criminal_case": ("возбуждено", "порушено"),
    "sent_back": ("возвращён", "повернуто"),
}


@functools.cache
def _outcome_label_versions(value):
    """An outcome's label in every language ("dismissed", "увольнение", "звільнення"),
    with the forms of OUTCOME_WORDS."""
    from tracker.models import CaseOutcome

    if value not in CaseOutcome.Outcome.values:
        return ()
    versions = []
    for language in ("en", "ru", "uk"):
        with translation.override(language):
            versions.append(str(CaseOutcome.Outcome(value).label))
    return (*versions, *OUTCOME_WORDS.get(value, ()))


def _timeline_and_outcomes(case):
    """The case's timeline events and outcome codes as stored (two queries; none for a
    case not saved yet, or where they were prefetched)."""
    if case.pk is None:
        return [], []
    events = list(case.events.all())
    # Without the default ordering, which would join the case table (CaseOutcome orders
    # by its case) for nothing; search_document sorts them.
    outcomes = list(case.outcome_rows.order_by().values_list("outcome", flat=True))
    return events, outcomes


def search_document(case, region=None, events=None, outcomes=None):
    """The text search matches for `case`: see the module's docstring. `region`: the
    case's home region, when the caller has it at hand (no query); `events` (objects or
    dicts with description_<language>) and `outcomes` (codes): its timeline and what
    followed, when the caller has them (otherwise read from the database)."""
    from tracker.models import CONTENT_LANGUAGES, TRANSLATED_FACTS, translated

    if events is None or outcomes is None:
        stored_events, stored_outcomes = _timeline_and_outcomes(case)
        events = stored_events if events is None else events
        outcomes = stored_outcomes if outcomes is None else outcomes
    parts = [
        getattr(case, translated(name, language))
        for name in TRANSLATED_FACTS
        for language in CONTENT_LANGUAGES
    ]
    parts += [getattr(case, name) for name in SEARCH_FIELDS]
    if region is None and case.home_region_id:
        region = case.home_region
    if region is not None:
        parts += [region.name_en, region.name_ru, region.name_uk]
    parts += _labels(case)
    # The timeline in every language, and the labels of what followed in every language.
    for event in events:
        for language in CONTENT_LANGUAGES:
            name = translated("description", language)
            parts.append(event[name] if isinstance(event, dict) else getattr(event, name))
    parts += [label for outcome in sorted(outcomes) for label in _outcome_label_versions(outcome)]
    text = " ".join(part for part in parts if part).lower()
    # The Latin skeleton only of the words it changes: English words mostly stay as they
    # are, and repeating them would double the document for nothing.
    words = dict.fromkeys(WORD_RE.findall(text))
    changed = [form for word in words if (form := _latin_word(word)) != word]
    return f"{text} {' '.join(dict.fromkeys(changed))}".strip()


class SearchVectorColumn(Expression):
    """`tracker_case.search_vector`, qualified with whatever alias the case table has in
    the query it ends up in (exports and the pagination subquery relabel it to U0)."""

    def __init__(self, alias="tracker_case"):
        super().__init__(output_field=SearchVectorField())
        self.alias = alias

    def relabeled_clone(self, change_map):
        return self.__class__(change_map.get(self.alias, self.alias))

    def as_sql(self, compiler, connection):
        column = connection.ops.quote_name("search_vector")
        return f"{compiler.quote_name_unless_alias(self.alias)}.{column}", []

    def get_group_by_cols(self):
        return [self]

    def __eq__(self, other):
        return isinstance(other, SearchVectorColumn) and other.alias == self.alias

    def __hash__(self):
        return hash((self.__class__, self.alias))


def _word_query(word):
    query = SearchQuery(word.lower(), search_type="raw", config="russian")
    if len(word) < MIN_STEM:
        # A stop word ("the", "и") stemmed is an empty query, which PostgreSQL drops from
        # the AND, as long as nothing else is asked of it; a short name ("Уфа") still
        # crosses scripts.
        if len(word) >= 3 and latin(word) != word.lower():
            query |= SearchQuery(latin(word), search_type="raw", config="simple")
        return query
    for form in word_forms(word):
        # `simple` leaves the form as it is (a Russian stem of a stem could be shorter
        # than the stored one and miss it).
        query |= SearchQuery(f"{form}:*", search_type="raw", config="simple")
    return query


class Unindexed(Expression):
    """The search vector as a value the GIN index cannot serve (`vector || ''`): a
    condition on it is checked on the rows the other conditions found."""

    def __init__(self, vector):
        super().__init__(output_field=SearchVectorField())
        self.vector = vector

    def get_source_expressions(self):
        return [self.vector]

    def set_source_expressions(self, expressions):
        (self.vector,) = expressions

    def as_sql(self, compiler, connection):
        sql, params = compiler.compile(self.vector)
        return f"({sql} || ''::tsvector)", params


def _all_of(words):
    tsquery = None
    for word in words:
        tsquery = _word_query(word) if tsquery is None else tsquery & _word_query(word)
    return tsquery


def search_cases(queryset, query):
    """Cases that match every word of `query`; on PostgreSQL, annotated with a rank."""
    words = search_words(query)
    if not words:
        return queryset
    if uses_full_text():
        tsquery = _all_of(words)
        ranked = queryset.annotate(
            **{RANK: SearchRank(SearchVectorColumn(), tsquery, cover_density=False)}
        )
        # A word with a digit (a unit number: "military unit 3723") is rare: the index
        # finds its few cases and the other words are checked on those. Through the
        # index, every word's beginning ("unit…", "military…": half the record) was
        # collected before intersecting them (50–90 ms at a million cases).
        rare = [word for word in words if any(char.isdigit() for char in word)]
        common = [word for word in words if word not in rare]
        if rare and common:
            return ranked.filter(
                SearchVectorExact(SearchVectorColumn(), _all_of(rare)),
                SearchVectorExact(Unindexed(SearchVectorColumn()), _all_of(common)),
            )
        return ranked.filter(SearchVectorExact(SearchVectorColumn(), tsquery))
    for word in words:
        match = Q()
        for form in word_forms(word):
            match |= Q(search_document__contains=form)
        queryset = queryset.filter(match)
    return queryset


def is_ranked(queryset):
    return RANK in queryset.query.annotations


def order_by_relevance(queryset, fallback):
    """Best match first where search ranked the results, otherwise `fallback` order."""
    if is_ranked(queryset):
        return queryset.order_by(f"-{RANK}", "-id")
    return queryset.order_by(*fallback)


def rebuild_search_documents(
    case_model, event_model, outcome_model, *, chunk_size=2000, progress=None
):
    """Write every case's search document again, chunk by chunk (three reads and one bulk
    update per chunk; outside a transaction each chunk is committed on its own). Takes the
    model classes so that a migration can pass its historical ones; `manage.py
    rebuild_search_documents` passes the real ones. `progress(cases)` is called after
    each chunk with the number of cases it wrote. Returns how many cases it wrote."""
    from collections import defaultdict

    from tracker.models import CONTENT_LANGUAGES, translated

    descriptions = [translated("description", language) for language in CONTENT_LANGUAGES]
    done, last = 0, 0
    while True:
        cases = list(
            case_model.objects.filter(pk__gt=last)
            .select_related("home_region")
            .order_by("pk")[:chunk_size]
        )
        if not cases:
            return done
        ids = [case.pk for case in cases]
        events, outcomes = defaultdict(list), defaultdict(list)
        for event in (
            event_model.objects.filter(case_id__in=ids)
            .order_by("case_id", "date", "id")
            .values("case_id", *descriptions)
        ):
            events[event["case_id"]].append(event)
        for case_id, outcome in outcome_model.objects.filter(case_id__in=ids).values_list(
            "case_id", "outcome"
        ):
            outcomes[case_id].append(outcome)
        for case in cases:
            case.search_document = search_document(
                case, region=case.home_region, events=events[case.pk], outcomes=outcomes[case.pk]
            )
        case_model.objects.bulk_update(cases, ["search_document"])
        done += len(cases)
        if progress is not None:
            progress(len(cases))
        last = ids[-1]
