"""The translated fields through django-modeltranslation (tracker/translation.py): the
per-language columns are the package's; what a moderator edits in any interface language
is exactly the versions they edited; the original-language column holds the original;
readers get their version or the case's original; correction notes exist in every
language."""

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import translation
from modeltranslation.fields import TranslationField
from modeltranslation.translator import translator

from tests.conftest import make_case
from tests.test_moderation_decisions import edit_form
from tracker.models import Case, CaseCorrection, CaseEvent

pytestmark = pytest.mark.django_db


def column(table, name, pk):
    """A column's stored value, read with SQL (no descriptor, no query rewriting)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {name} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def russian(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    return client


@pytest.mark.parametrize(
    ("model", "name"),
    [
        (Case, "title"),
        (Case, "summary"),
        (Case, "retraction_reason"),
        (CaseEvent, "description"),
        (CaseCorrection, "note"),
    ],
)
def test_the_package_manages_every_language_column(model, name):
    assert name in translator.get_options_for_model(model).fields
    for language in ("en", "ru", "uk"):
        field = model._meta.get_field(f"{name}_{language}")
        assert isinstance(field, TranslationField)
        # An empty version is "", never NULL: "needs translation" is one comparison.
        assert not field.null and field.editable


def test_the_columns_keep_their_labels_and_descriptions_in_russian():
    with translation.override("ru"):
        field = Case._meta.get_field("title_uk")
        assert str(field.verbose_name) == "название (на украинском)"
        assert "украинск" in str(field.help_text)


def test_the_original_column_holds_the_original_language_whatever_language_is_active(region):
    with translation.override("uk"):
        case = Case.objects.create(
            original_language="ru",
            title_ru="Гвардейцы отказались",
            summary_ru="Группа гвардейцев отказалась.",
            title_en="Guardsmen refused",
            summary_en="A group refused.",
            refusal_kind=Case.RefusalKind.REFUSED_DEPLOY,
            home_region=region,
        )
        event = CaseEvent.objects.create(
            case=case, date="2022-03-01", kind="dismissal", description_ru="Их уволили."
        )
    assert column("tracker_case", "title", case.pk) == "Гвардейцы отказались"
    assert column("tracker_case", "summary", case.pk) == "Группа гвардейцев отказалась."
    assert column("tracker_caseevent", "description", event.pk) == "Их уволили."
    # Editing a version keeps the column in step, also when saving only some fields.
    case.title_ru = "Гвардейцы отказались ехать"
    case.save(update_fields=["title_ru"])
    assert column("tracker_case", "title", case.pk) == "Гвардейцы отказались ехать"


def test_reading_a_translated_field_gives_the_readers_version_or_the_case_original(region):
    case = make_case(
        original_language="ru",
        title_ru="Гвардейцы отказались",
        summary_ru="Группа гвардейцев отказалась.",
        title_en="Guardsmen refused",
        home_region=region,
    )
    with translation.override("en"):
        assert (case.title, case.summary) == ("Guardsmen refused", "Группа гвардейцев отказалась.")
    # No Ukrainian version: the case's original (Russian), not the package's default (en).
    with translation.override("uk"):
        assert case.title == "Гвардейцы отказались"
        assert str(case) == "Гвардейцы отказались"


def test_a_russian_speaking_moderators_edit_changes_exactly_the_versions_they_edited(
    moderator_client, published_case
):
    published_case.title_ru = "Гвардейцы отказались пересечь границу"
    published_case.summary_ru = "Группа гвардейцев отказалась участвовать."
    published_case.save()
    data = edit_form(
        published_case,
        title_ru=published_case.title_ru,
        summary_ru=published_case.summary_ru,
        title_en="Guardsmen refused to cross the border into Ukraine",
    )

    russian(moderator_client).post(reverse("moderation:case_edit", args=[published_case.pk]), data)

    published_case.refresh_from_db()
    assert published_case.title_en == "Guardsmen refused to cross the border into Ukraine"
    assert published_case.title_ru == "Гвардейцы отказались пересечь границу"
    correction = CaseCorrection.objects.get(case=published_case)
    assert correction.changes == {"fields": ["title_en"]}


def test_a_correction_note_is_written_in_each_language_and_read_in_the_readers(
    moderator_client, client, published_case
):
    data = edit_form(
        published_case,
        unit="military unit 3724",
        correction_note_en="The unit number was misread.",
        correction_note_ru="Номер части был прочитан неверно.",
    )

    russian(moderator_client).post(reverse("moderation:case_edit", args=[published_case.pk]), data)

    correction = CaseCorrection.objects.get(case=published_case)
    assert (correction.note_en, correction.note_ru, correction.note_uk) == (
        "The unit number was misread.",
        "Номер части был прочитан неверно.",
        "",
    )
    url = published_case.get_absolute_url()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    page = client.get(url).content.decode()
    assert '<q dir="auto" lang="ru">Номер части был прочитан неверно.</q>' in page
    # No Ukrainian note: the original's (English, the case's language), said so.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "uk"
    page = client.get(url).content.decode()
    assert '<q dir="auto" lang="en">The unit number was misread.</q>' in page
    assert "(Оригінал англійською; української версії ще немає.)" in page


def test_a_note_written_in_one_language_goes_to_the_cases_original_language(moderator, region):
    from moderation import services

    case = make_case(
        original_language="ru",
        title_ru="Гвардейцы отказались",
        summary_ru="Группа гвардейцев отказалась.",
        home_region=region,
    )
    services.edit_case(
        case, moderator=moderator, changes={"unit": "в/ч 3723"}, correction_note="Уточнена часть."
    )
    correction = CaseCorrection.objects.get(case=case)
    assert (correction.note_ru, correction.note_en) == ("Уточнена часть.", "")
    assert column("tracker_casecorrection", "note", correction.pk) == "Уточнена часть."
