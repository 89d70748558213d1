"""Possible duplicates of a submission: the review screen's candidates, the queue's hint,
and the search a moderator uses to choose the case to merge into.

A candidate is found by any of three signals, and ranked by all four:

- the same unit: a shared unit number (three or more digits, from the unit field or the
  report's text) or the same unit text;
- the same home region;
- similar text: on PostgreSQL, trigram similarity (pg_trgm) of the case's title and summary
  with the report's text; on SQLite, the share of normalised words they have in common;
- a near date (within MODERATION_DUPLICATE_WINDOW_DAYS) adds to the score. No date
  excludes anything when either side is undated; when both are dated and far apart the
  candidate is left out (another episode of the same unit).

Cost stays bounded at a million cases: each way of finding a candidate (the unit, two of
the report's longest words, the region) is its own query of at most CHANNEL_ROWS ids,
served on PostgreSQL by the full-text GIN index of cases (tracker migration 0003) or the
region's index; the text score is then computed on those few hundred rows only (trigram
similarity in SQL on PostgreSQL, word overlap in Python on SQLite).
"""

import datetime
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.db.models import Case as Conditional
from django.db.models import Q, TextField, Value, When
from django.db.models.functions import Concat, Greatest, Left
from django.utils.translation import gettext_lazy as _

from submissions.models import Submission
from tracker.models import CONTENT_LANGUAGES, Case, translated
from tracker.search import order_by_relevance, search_cases

UNIT_NUMBER = re.compile(r"(?<!\d)\d{3,}(?!\d)")
WORD = re.compile(r"[^\W_]+")
LIMIT = 10
# Rows read per way of finding a candidate (unit, words, region): bounds the text scoring.
CHANNEL_ROWS = 100
# Published cases read for the queue's hints, for the whole page.
CANDIDATE_ROWS = 200
# Words of the report the database looks for: the longest ones (long words are rare).
DISTINCTIVE_WORDS = 6
DISTINCTIVE_MIN_LENGTH = 6
# Russian and Ukrainian words change their endings; the first letters stand for the word.
STEM_LENGTH = 6
REPORT_TEXT_CHARS = 600

# Text scores: trigram similarity on PostgreSQL, word overlap on SQLite.
SIMILAR_TEXT = {"postgresql": 0.25, "sqlite": 0.3}
VERY_SIMILAR_TEXT = {"postgresql": 0.4, "sqlite": 0.5}
MIN_SHARED_WORDS = 3

# Function words of the three languages: they say nothing about which episode it is.
_STOP_WORDS = """
    and are but for from had has have her his its not our she that the their them then
    there they this was were which who will with would about after into over when what
    без был была были было для его еще или как когда который которые которых мне над
    нас нее него нет они она оно под при про так там тем того тоже только уже чем что
    это эти этот мой моя мои наш ваш все всех его чтобы если даже потом после
    також або але вже від все для його крім між мене навіть над нас неї них тому під при
    про так там теж тих цей цього ця що щоб які який яка якщо після
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())


def words(text):
    """Normalised word tokens: casefolded, ё as е, short and function words dropped,
    numbers kept whole, other words cut to their first letters (a crude stem)."""
    found = set()
    for word in WORD.findall(text.casefold().replace("ё", "е")):
        if word.isdigit():
            found.add(word)
        elif len(word) >= 3 and word not in STOP_WORDS:
            found.add(word[:STEM_LENGTH])
    return found


def overlap(report_words, candidate_words):
    """Share of the smaller text's words found in the other (0 when fewer than three)."""
    shared = len(report_words & candidate_words)
    if shared < MIN_SHARED_WORDS:
        return 0.0
    return shared / min(len(report_words), len(candidate_words))


def unit_numbers(*texts):
    numbers = set()
    for text in texts:
        numbers.update(n for n in UNIT_NUMBER.findall(text or "") if not _is_year(n))
    return numbers


def _is_year(number):
    return len(number) == 4 and 1900 <= int(number) <= 2099


class Reason:
    """Why a candidate is listed; said in words on the review screen."""

    UNIT_NUMBER = _("same unit number")
    UNIT = _("same unit")
    REGION = _("same region")
    NEAR_DATE = _("near date")
    TEXT = _("similar text")


CONFIDENCE_LABELS = {"high": _("high"), "medium": _("medium"), "low": _("low")}


@dataclass
class Candidate:
    """A case or submission that may report the same episode, with how sure the match is."""

    item: object
    score: float
    reasons: list = field(default_factory=list)
    level: str = "low"

    @property
    def confidence(self):
        return CONFIDENCE_LABELS[self.level]


@dataclass
class _Report:
    submission: Submission
    text: str
    words: set
    numbers: set
    distinctive: list

    @classmethod
    def of(cls, submission):
        text = submission.what_happened[:REPORT_TEXT_CHARS]
        unique = sorted(
            {
                word
                for word in WORD.findall(submission.what_happened.casefold().replace("ё", "е"))
                if len(word) >= DISTINCTIVE_MIN_LENGTH and not word.isdigit()
            },
            key=lambda word: (-len(word), word),
        )
        return cls(
            submission=submission,
            text=text,
            words=words(f"{submission.unit} {submission.what_happened}"),
            numbers=unit_numbers(submission.unit, submission.what_happened),
            distinctive=unique[:DISTINCTIVE_WORDS],
        )


def _window():
    return datetime.timedelta(days=settings.MODERATION_DUPLICATE_WINDOW_DAYS)


def _is_near(report_date, other_date):
    if report_date is None or other_date is None:
        return None  # unknown: neither near nor far
    return abs(report_date - other_date) <= _window()


def _same_unit_q(report):
    same = Q(pk__in=[])
    unit = report.submission.unit.strip()
    if unit:
        same |= Q(unit__iexact=unit)
    for number in report.numbers:
        same |= Q(unit__contains=number)
    return same


def _date_q(report):
    """Dated reports leave out dated candidates far from their date; undated ones nothing."""
    date = report.submission.event_date
    if date is None:
        return Q()
    window = _window()
    return Q(event_date__isnull=True) | Q(event_date__range=(date - window, date + window))


def _word_hits(report, fields):
    """An SQL count of the report's distinctive words (their stems) found in `fields`."""
    hits = []
    for word in report.distinctive:
        stem = word[:STEM_LENGTH]
        match = Q()
        # SQLite's LIKE folds ASCII letters only: try the usual spellings of a Cyrillic stem.
        for spelling in {stem, stem.capitalize()}:
            for name in fields:
                match |= Q(**{f"{name}__contains": spelling})
        hits.append(Conditional(When(match, then=Value(1)), default=Value(0)))
    return sum(hits, Value(0)) if hits else Value(0)


def _needed_hits(report):
    return min(2, len(report.distinctive)) or 1_000  # no distinctive word: no text channel


def _full_text(*parts):
    """On PostgreSQL: cases whose search vector (title, unit, place, summary; GIN-indexed,
    tracker migration 0003) matches any of `parts`, raw tsquery terms made only of letters
    and digits (WORD), stemmed by the `russian` configuration."""
    from django.contrib.postgres.search import SearchQuery, SearchVectorExact

    from tracker.search import SearchVectorColumn

    query = SearchQuery(" | ".join(parts), search_type="raw", config="russian")
    return SearchVectorExact(SearchVectorColumn(), query)


def _channels(queryset, report, text_fields, full_text):
    """Each way a row can be found, as a queryset of its own: the same unit, two shared
    distinctive words, the same region. On PostgreSQL each is served by an index at a
    million cases (the full-text GIN index of cases, the region's); what they find is
    checked again in Python by _rank."""
    submission = report.submission
    channels = []
    if full_text:
        unit_terms = sorted(report.numbers)
        unit_words = WORD.findall(submission.unit.casefold())
        if unit_words:
            unit_terms.append("(" + " & ".join(unit_words) + ")")
        found = report.distinctive
        text_terms = [f"({a} & {b})" for i, a in enumerate(found) for b in found[i + 1 :]]
        if len(found) == 1:
            text_terms = found
        channels += [
            queryset.filter(_full_text(*terms)) for terms in (unit_terms, text_terms) if terms
        ]
    else:
        if submission.unit.strip() or report.numbers:
            channels.append(queryset.filter(_same_unit_q(report)))
        if report.distinctive:
            hits = queryset.annotate(word_hits=_word_hits(report, text_fields))
            channels.append(hits.filter(word_hits__gte=_needed_hits(report)))
    if submission.home_region_id:
        channels.append(queryset.filter(home_region_id=submission.home_region_id))
    return channels


def _candidates(queryset, report, text_fields, *, full_text=False):
    """At most CHANNEL_ROWS rows from each channel, within the date window (when the report
    is dated: nearest dates first is approximated by the newest inside the window), so the
    text is scored on a bounded set whatever the size of the table."""
    order = ["-event_date", "-id"] if report.submission.event_date else ["-id"]
    ids = set()
    for channel in _channels(queryset, report, text_fields, full_text):
        rows = channel.filter(_date_q(report)).order_by(*order)
        ids.update(rows.values_list("pk", flat=True)[:CHANNEL_ROWS])
    return queryset.filter(pk__in=sorted(ids))


def _trigram(queryset, report, *texts):
    """Annotate how alike the report's text is to the most alike of `texts`."""
    from django.contrib.postgres.search import TrigramSimilarity

    similarities = [TrigramSimilarity(text, report.text) for text in texts]
    similarity = Greatest(*similarities) if len(similarities) > 1 else similarities[0]
    return queryset.annotate(similarity=similarity)


def _rank(report, rows, text_of, vendor):
    """Candidates with their reasons and confidence, best first, at most LIMIT."""
    submission = report.submission
    candidates = []
    for row in rows:
        reasons, score = [], 0.0
        row_numbers = unit_numbers(row.unit)
        if report.numbers & row_numbers:
            reasons.append(Reason.UNIT_NUMBER)
            score += 4
        elif submission.unit.strip() and row.unit.strip().casefold() == (
            submission.unit.strip().casefold()
        ):
            reasons.append(Reason.UNIT)
            score += 4
        same_region = bool(submission.home_region_id) and (
            row.home_region_id == submission.home_region_id
        )
        if same_region:
            reasons.append(Reason.REGION)
            score += 1
        near = _is_near(submission.event_date, row.event_date)
        if near:
            reasons.append(Reason.NEAR_DATE)
            score += 1
        elif near is False:
            continue  # both dated, far apart: left out in SQL already, except rounding
        if vendor == "postgresql":
            text_score = row.similarity or 0.0
        else:
            text_score = overlap(report.words, words(text_of(row)))
        similar = text_score >= SIMILAR_TEXT[vendor]
        very_similar = text_score >= VERY_SIMILAR_TEXT[vendor]
        if similar:
            reasons.append(Reason.TEXT)
        score += 4 * text_score
        has_unit = bool(reasons) and reasons[0] in (Reason.UNIT_NUMBER, Reason.UNIT)
        if not (has_unit or same_region or similar):
            continue
        if (has_unit and (similar or near)) or (very_similar and (same_region or near)):
            level = "high"
        elif has_unit or similar or (same_region and near):
            level = "medium"
        else:
            level = "low"
        candidates.append(Candidate(row, score, reasons, level))
    candidates.sort(key=lambda candidate: -candidate.score)
    return candidates[:LIMIT]


# Every language version of a case's title and summary.
CASE_TEXT_FIELDS = tuple(
    translated(name, language) for name in ("title", "summary") for language in CONTENT_LANGUAGES
)


def _case_text(case):
    return " ".join([case.unit, *(getattr(case, name) for name in CASE_TEXT_FIELDS)])


def _submission_text(other):
    return f"{other.unit} {other.what_happened}"


def possible_duplicates(submission):
    """(published cases, other submissions) that may report the same episode, best first,
    as `Candidate`s: the case or submission, its reasons and the match's confidence."""
    report = _Report.of(submission)
    vendor = connection.vendor if connection.vendor == "postgresql" else "sqlite"
    cases = _candidates(
        Case.objects.public().select_related("home_region"),
        report,
        CASE_TEXT_FIELDS,
        full_text=vendor == "postgresql",
    )
    others = _candidates(
        Submission.objects.exclude(pk=submission.pk).select_related("home_region"),
        report,
        ("what_happened",),
    )
    if vendor == "postgresql":
        # The case's text in whichever language is most alike (a report may be written in
        # any of them, whatever its interface language was).
        versions = [
            Concat(
                translated("title", language),
                Value(" "),
                translated("summary", language),
                output_field=TextField(),
            )
            for language in CONTENT_LANGUAGES
        ]
        cases = _trigram(cases, report, *versions)
        others = _trigram(others, report, Left("what_happened", REPORT_TEXT_CHARS))
    return (
        _rank(report, cases, _case_text, vendor),
        _rank(report, others, _submission_text, vendor),
    )


def duplicate_hints(submissions):
    """For the queue: {submission id: (case ids, submission ids)} of published cases and of
    other reports on the same page that share a unit number with the report (and are near
    its date or undated). One query for the whole page, whatever its length."""
    numbers = {s.pk: unit_numbers(s.unit) for s in submissions}
    wanted = set().union(*numbers.values()) if numbers else set()
    hints = {pk: ([], []) for pk in numbers}
    if not wanted:
        return hints
    if connection.vendor == "postgresql":
        match = _full_text(*sorted(wanted))  # the GIN index, not a scan of every unit
    else:
        match = Q()
        for number in sorted(wanted):
            match |= Q(unit__contains=number)
    rows = (
        Case.objects.public().filter(match).order_by("-id").values_list("pk", "unit", "event_date")
    )
    by_number = {}
    for pk, unit, date in rows[:CANDIDATE_ROWS]:
        for number in unit_numbers(unit) & wanted:
            by_number.setdefault(number, []).append((pk, date))
    for submission in submissions:
        cases, reports = hints[submission.pk]
        for number in sorted(numbers[submission.pk]):
            for pk, date in by_number.get(number, []):
                if _is_near(submission.event_date, date) is not False and pk not in cases:
                    cases.append(pk)
            for other in submissions:
                if (
                    other.pk != submission.pk
                    and number in numbers[other.pk]
                    and _is_near(submission.event_date, other.event_date) is not False
                    and other.pk not in reports
                ):
                    reports.append(other.pk)
    return hints


def find_cases(query, limit=LIMIT):
    """Published cases a moderator looks for to merge into: by number, or by the words of
    the public search (title, summary, unit, place, names)."""
    cases = Case.objects.public().select_related("home_region")
    number = query.strip().lstrip("#")
    by_number = list(cases.filter(pk=int(number))) if number.isdigit() else []
    if query.strip().startswith("#"):
        return by_number
    # A bare number may be a case's or a unit's ("3723"): the case with that number first,
    # then the cases whose words match it.
    found = search_cases(cases.exclude(pk__in=[case.pk for case in by_number]), query)
    ordered = order_by_relevance(found, fallback=["-event_date", "-id"])
    return by_number + list(ordered[: limit - len(by_number)])


def find_case(number):
    """The published case with this number, for the merge page's preview, or None."""
    try:
        return Case.objects.public().select_related("home_region").get(pk=int(number))
    except (TypeError, ValueError, Case.DoesNotExist):
        return None
