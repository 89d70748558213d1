import pytest
from django.core.management import CommandError, call_command
from django.db import models
from django.urls import reverse

from tests.helpers import listed_titles
from tracker.models import Case, CaseEvent, CaseOutcome, Source, needs_translation_q
from tracker.search import search_document

pytestmark = pytest.mark.django_db


def test_it_adds_published_synthetic_cases_with_sources_outcomes_and_events(client):
    call_command("generate_cases", 60, verbosity=0)
    cases = Case.objects.filter(is_synthetic=True)
    assert cases.count() == 60
    assert set(cases.values_list("status", flat=True)) == {Case.Status.PUBLISHED}
    for case in cases.prefetch_related("sources", "outcome_rows", "events"):
        assert 1 <= len(case.sources.all()) <= 3
        assert 1 <= len(case.outcome_rows.all()) <= 3
        assert len(case.events.all()) <= 4
        assert all(s.url.startswith("https://example.org/synthetic/") for s in case.sources.all())
    assert len(listed_titles(client.get(reverse("tracker:case_list")))) == 25


def test_the_cases_vary_like_real_ones():
    call_command("generate_cases", 300, verbosity=0)
    cases = Case.objects.filter(is_synthetic=True)
    assert cases.values("force").distinct().count() >= 8
    assert cases.values("refusal_kind").distinct().count() == len(Case.RefusalKind.values)
    assert cases.values("home_region").distinct().count() >= 50
    years = {
        date.year for date in cases.exclude(event_date=None).values_list("event_date", flat=True)
    }
    assert {2022, 2023, 2024, 2025} <= years
    # Written first in each of the three languages; most translated, some waiting.
    assert {"en", "ru", "uk"} == set(cases.values_list("original_language", flat=True))
    assert any("отказались" in summary for summary in cases.values_list("summary_ru", flat=True))
    assert any("refused" in summary for summary in cases.values_list("summary_en", flat=True))
    assert any("відмовилися" in s for s in cases.values_list("summary_uk", flat=True))
    waiting = cases.filter(needs_translation_q()).count()
    assert 0 < waiting < cases.count() / 2
    # Each has the document search matches, written like save() writes it.
    case = cases.first()
    assert case.search_document == search_document(case)
    assert CaseEvent.objects.filter(case__in=cases).exists()


def test_a_cached_listing_shows_the_new_cases(client):
    client.get(reverse("tracker:case_list"))
    call_command("generate_cases", 3, verbosity=0)
    assert len(listed_titles(client.get(reverse("tracker:case_list")))) == 3


def test_delete_removes_the_synthetic_cases_and_nothing_else(published_case):
    call_command("generate_cases", 20, verbosity=0)
    call_command("generate_cases", delete=True, verbosity=0)
    assert list(Case.objects.all()) == [published_case]
    assert Source.objects.filter(case=published_case).exists()
    assert CaseOutcome.objects.count() == published_case.outcome_rows.count()


def test_a_dry_run_deletes_nothing(capsys):
    call_command("generate_cases", 5, verbosity=0)
    call_command("generate_cases", delete=True, dry_run=True)
    assert "Would delete 5 synthetic cases" in capsys.readouterr().out
    assert Case.objects.filter(is_synthetic=True).count() == 5


def test_it_asks_for_a_number():
    with pytest.raises(CommandError) as error:
        call_command("generate_cases", verbosity=0)
    assert "how many" in str(error.value)


def test_the_original_language_columns_hold_the_original_and_search_covers_the_timeline():
    call_command("generate_cases", 40, verbosity=0)
    cases = Case.objects.filter(is_synthetic=True).prefetch_related("events", "outcome_rows")
    for case in cases:
        original = case.original_language
        assert case.__dict__["title"] == getattr(case, f"title_{original}") != ""
        assert case.__dict__["summary"] == getattr(case, f"summary_{original}") != ""
        for event in case.events.all():
            assert event.__dict__["description"] == getattr(event, f"description_{original}")
            assert event.__dict__["description"].lower() in case.search_document
        # Written like save() writes it: the timeline and outcome labels included.
        assert case.search_document == search_document(case)
    dismissed = cases.filter(outcome_rows__outcome="dismissed").first()
    assert "увольнение" in dismissed.search_document
    assert "звільнення" in dismissed.search_document


def test_the_generated_cases_can_be_found_by_the_date_filters():
    # On PostgreSQL the cases go in with COPY: the database computes their possible dates.
    call_command("generate_cases", 40, verbosity=0)
    dated = Case.objects.filter(is_synthetic=True, event_date__isnull=False)
    assert dated.exists()
    assert not dated.filter(event_date_earliest__isnull=True).exists()
    assert not dated.filter(event_date_earliest__gt=models.F("event_date")).exists()
    assert not dated.filter(event_date_latest__lt=models.F("event_date")).exists()
