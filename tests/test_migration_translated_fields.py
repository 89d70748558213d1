"""Moving the per-language columns to django-modeltranslation keeps every row's data:
the columns keep their names and values, the original-language columns are filled from
each case's original language, a correction's note becomes its version in the case's
original language, and the search documents are written again with the timeline and
outcomes."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("tracker", "0011_retraction_reason_languages")]
AFTER = [("tracker", "0013_search_covers_timeline_and_outcomes")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def back_to_the_latest_migrations():
    """The tests after this one need the schema of every migration, not just AFTER."""
    yield
    executor = MigrationExecutor(connection)
    migrate(executor.loader.graph.leaf_nodes())


# serialized_rollback: the rows migrations load (regions, content types) come back for
# the tests after this one.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_keeps_every_version_and_fills_the_new_columns(
    back_to_the_latest_migrations,
):
    old = migrate(BEFORE)
    Case = old.get_model("tracker", "Case")
    case = Case.objects.create(
        original_language="ru",
        title_ru="Гвардейцы отказались",
        summary_ru="Группа гвардейцев отказалась.",
        title_en="Guardsmen refused",
        summary_en="A group refused.",
        refusal_kind="refused_deploy",
        status="published",
        published_at=timezone.now(),
    )
    old.get_model("tracker", "CaseEvent").objects.create(
        case=case,
        date=datetime.date(2022, 3, 1),
        kind="dismissal",
        description_en="They were dismissed.",
        description_ru="Их уволили в Нальчике.",
    )
    old.get_model("tracker", "CaseOutcome").objects.create(case=case, outcome="dismissed")
    old.get_model("tracker", "CaseCorrection").objects.create(case=case, note="Уточнена часть.")

    new = migrate(AFTER)

    case = new.get_model("tracker", "Case").objects.get(pk=case.pk)
    assert (case.title_ru, case.title_en, case.title_uk) == (
        "Гвардейцы отказались",
        "Guardsmen refused",
        "",
    )
    assert (case.title, case.summary) == ("Гвардейцы отказались", "Группа гвардейцев отказалась.")
    event = case.events.get()
    assert (event.description_ru, event.description) == ("Их уволили в Нальчике.",) * 2
    note = case.corrections.get()
    assert (note.note_ru, note.note_en, note.note) == ("Уточнена часть.", "", "Уточнена часть.")
    assert "нальчике" in case.search_document
    assert "увольнение" in case.search_document and "звільнення" in case.search_document
