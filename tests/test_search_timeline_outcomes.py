"""Search covers a case's timeline in every language and the labels of its outcomes in
every language, and follows them when the moderation services change them. Runs on the
database the tests use (SQLite by default, PostgreSQL with DATABASE_URL)."""

import pytest
from django.core.management import call_command

from moderation import services
from tests.conftest import make_case, make_submission
from tracker.models import Case, CaseEvent, CaseOutcome
from tracker.search import search_cases

pytestmark = pytest.mark.django_db


def found(query):
    return set(search_cases(Case.objects.public(), query).values_list("pk", flat=True))


@pytest.fixture
def dismissed(region):
    return make_case(title="Guardsmen of unit 3723", outcomes=["dismissed"], home_region=region)


@pytest.fixture
def prosecuted(region):
    return make_case(
        title="Contract soldiers refused", outcomes=["criminal_case"], home_region=region
    )


def test_a_word_only_in_a_russian_timeline_entry_finds_the_case(dismissed, prosecuted):
    CaseEvent.objects.create(
        case=dismissed,
        date="2022-06-01",
        kind="ruling",
        description_en="The garrison court rejected the claim.",
        description_ru="Гарнизонный суд в Нальчике отклонил иск.",
    )
    # Timeline rows added outside a service: the document is written again by the case.
    dismissed.refresh_search_document()

    assert found("Нальчике") == {dismissed.pk}
    assert found("гарнизонный") == {dismissed.pk}
    assert found("Nalchik") == {dismissed.pk}


@pytest.mark.parametrize("query", ["уволен", "dismissed", "звільнен", "увольнение"])
def test_an_outcome_label_in_any_language_finds_the_dismissed_case(dismissed, prosecuted, query):
    assert found(query) == {dismissed.pk}


def test_an_event_added_by_a_merge_is_searchable_at_once(moderator, dismissed, region):
    submission = make_submission(
        home_region=region, sources=[{"url": "https://example.org/appeal", "verified": True}]
    )
    services.claim(submission, moderator=moderator)
    assert found("апелляцию") == set()

    services.merge(
        submission,
        moderator=moderator,
        case=dismissed,
        merge_data={
            "outcomes": ["court_rejected"],
            "event": {
                "date": "2022-09-01",
                "date_precision": "day",
                "kind": "appeal",
                "description": {"ru": "Суд отклонил апелляцию."},
            },
        },
    )

    assert found("апелляцию") == {dismissed.pk}
    # The outcome the merge added is searchable in every language too.
    assert dismissed.pk in found("відхилено")


def test_outcomes_changed_by_an_edit_are_searchable(moderator, prosecuted):
    assert found("уволен") == set()
    services.edit_case(prosecuted, moderator=moderator, changes={"outcomes": ["dismissed"]})
    assert found("уволен") == {prosecuted.pk}
    assert found("возбуждение") == set()


def test_the_rebuild_command_writes_every_document_again(dismissed):
    CaseOutcome.objects.filter(case=dismissed).update(outcome="sent_back")
    assert found("фронт") == set()
    call_command("rebuild_search_documents", verbosity=0)
    assert found("фронт") == {dismissed.pk}


def test_the_rebuild_command_shows_its_progress(dismissed, capsys):
    total = Case.objects.count()
    call_command("rebuild_search_documents")
    # tqdm's bar on the terminal's error stream: "…| 2/2 [00:00<…] cases".
    assert f"{total}/{total}" in capsys.readouterr().err


def test_the_migration_writing_the_documents_reports_its_progress(dismissed, capsys, monkeypatch):
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "tracker.migrations.0013_search_covers_timeline_and_outcomes"
    )
    monkeypatch.setattr(migration, "PROGRESS_EVERY", 1)
    CaseOutcome.objects.filter(case=dismissed).update(outcome="sent_back")

    migration.rebuild(apps, None)

    total = Case.objects.count()
    assert f"search documents: {total:,} of {total:,} cases" in capsys.readouterr().out
    assert found("фронт") == {dismissed.pk}
