"""Possible duplicates of a submission, for the review screen.

A candidate shares the unit (the same unit number, or the same unit text) or the home
region, and its date is near the report's. On PostgreSQL, text similarity (pg_trgm) also
finds candidates and ranks them; SQLite gets the simpler match only.
"""

import datetime
import re

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.db.models.functions import Greatest

from submissions.models import Submission
from tracker.models import CONTENT_LANGUAGES, Case, translated
from tracker.search import order_by_relevance, search_cases

UNIT_NUMBER = re.compile(r"\d{3,}")
SIMILARITY_THRESHOLD = 0.3
LIMIT = 10


def _criteria(submission):
    window = datetime.timedelta(days=settings.MODERATION_DUPLICATE_WINDOW_DAYS)
    near = Q()
    if submission.event_date:
        near = Q(event_date__range=(submission.event_date - window, submission.event_date + window))
    same = Q(pk__in=[])
    if submission.home_region_id:
        same |= Q(home_region_id=submission.home_region_id)
    if submission.unit.strip():
        same |= Q(unit__iexact=submission.unit.strip())
    for number in UNIT_NUMBER.findall(submission.unit):
        same |= Q(unit__contains=number)
    return same, near


def _trigram(queryset, submission, *text_fields):
    """On PostgreSQL: rank by how alike unit and text are, and let similar text count."""
    from django.contrib.postgres.search import TrigramSimilarity

    similarity = [TrigramSimilarity(field, submission.what_happened[:500]) for field in text_fields]
    if submission.unit.strip():
        similarity.append(TrigramSimilarity("unit", submission.unit))
    expression = Greatest(*similarity) if len(similarity) > 1 else similarity[0]
    return queryset.annotate(similarity=expression)


def possible_duplicates(submission):
    """(published cases, other submissions) that may report the same episode, best first."""
    same, near = _criteria(submission)
    cases = Case.objects.public().select_related("home_region")
    others = Submission.objects.exclude(pk=submission.pk).select_related("home_region")
    if connection.vendor == "postgresql":
        # The case's summary in whichever language is most alike (a report's text may be in
        # any of them, whatever its interface language was).
        summaries = [translated("summary", language) for language in CONTENT_LANGUAGES]
        cases = _trigram(cases, submission, *summaries)
        others = _trigram(others, submission, "what_happened")
        similar = Q(similarity__gte=SIMILARITY_THRESHOLD)
        cases = cases.filter((same | similar) & near).order_by("-similarity", "-event_date")
        others = others.filter((same | similar) & near).order_by("-similarity", "-created_at")
    else:
        cases = cases.filter(same & near).order_by("-event_date", "-id")
        others = others.filter(same & near).order_by("-created_at")
    return list(cases[:LIMIT]), list(others[:LIMIT])


def find_cases(query, limit=LIMIT):
    """Published cases a moderator looks for to merge into: by number, or by the words of
    the public search (title, summary, unit, place, names)."""
    cases = Case.objects.public().select_related("home_region")
    if query.strip().lstrip("#").isdigit():
        return list(cases.filter(pk=int(query.strip().lstrip("#"))))
    found = search_cases(cases, query)
    return list(order_by_relevance(found, fallback=["-event_date", "-id"])[:limit])


def find_case(number):
    """The published case with this number, for the merge page's preview, or None."""
    try:
        return Case.objects.public().select_related("home_region").get(pk=int(number))
    except (TypeError, ValueError, Case.DoesNotExist):
        return None
