"""A case's text in English, Russian and Ukrainian: readers see their language or the
original with a label and links to the other versions; moderators translate side by side
and find what needs translation; open data carries every version."""

import csv
import io
import json

import pytest
from django.conf import settings
from django.urls import reverse

from moderation import services
from moderation.models import AuditEvent
from tests.conftest import make_case
from tests.helpers import listed_titles
from tracker.models import Case, CaseCorrection, CaseEvent

pytestmark = pytest.mark.django_db


def reader(client, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.fixture
def english_only(region):
    case = make_case(
        title="Guardsmen refused to cross the border",
        summary="A group of guardsmen refused to take part in the operation.",
        home_region=region,
    )
    CaseEvent.objects.create(
        case=case, date="2022-03-01", kind="dismissal", description_en="They were dismissed."
    )
    return case


@pytest.fixture
def translated(english_only):
    english_only.title_ru = "Гвардейцы отказались пересечь границу"
    english_only.summary_ru = "Группа гвардейцев отказалась участвовать в операции."
    english_only.save()
    english_only.events.update(description_ru="Их уволили.")
    return english_only


def test_a_reader_sees_the_case_in_their_language(client, translated):
    content = reader(client, "ru").get(translated.get_absolute_url()).content.decode()
    assert '<h1 dir="auto" lang="ru">Гвардейцы отказались пересечь границу</h1>' in content
    assert "Группа гвардейцев отказалась" in content
    assert "Их уволили." in content
    assert "Оригинал на английском" not in content
    # The other version is one link away.
    assert '<a href="?text=en" hreflang="en" lang="en">English</a>' in content


def test_a_missing_translation_shows_the_original_with_a_label(client, english_only):
    content = reader(client, "uk").get(english_only.get_absolute_url()).content.decode()
    assert '<h1 dir="auto" lang="en">Guardsmen refused to cross the border</h1>' in content
    assert "Оригінал англійською; української версії ще немає." in content
    assert "They were dismissed." in content


def test_another_version_can_be_read_on_request(client, translated):
    url = translated.get_absolute_url() + "?text=en"
    content = reader(client, "ru").get(url).content.decode()
    assert '<h1 dir="auto" lang="en">Guardsmen refused to cross the border</h1>' in content
    # The interface stays Russian.
    assert "Хронология" in content or "Факты" in content


def test_the_listing_shows_each_case_in_the_readers_language_or_the_original(
    client, translated, region
):
    make_case(title="Only in English", home_region=region)
    response = reader(client, "ru").get(reverse("tracker:case_list"))
    titles = listed_titles(response)
    assert set(titles) == {"Гвардейцы отказались пересечь границу", "Only in English"}
    # The page says why one title is in English (it used to say nothing was translated).
    assert "Каждый случай показан на вашем языке, если у него есть версия на нём" in (
        response.content.decode()
    )


def test_the_csv_and_json_give_every_version_and_the_original_language(client, translated):
    response = client.get(reverse("tracker:case_export_csv"))
    content = b"".join(response.streaming_content).decode("utf-8")[1:]
    row = next(csv.DictReader(io.StringIO(content)))
    assert row["original_language"] == "en"
    assert row["title_en"] == "Guardsmen refused to cross the border"
    assert row["title_ru"] == "Гвардейцы отказались пересечь границу"
    assert row["title_uk"] == ""
    data = json.loads(b"".join(client.get(reverse("tracker:case_export_json")).streaming_content))
    assert data["cases"][0]["summary_ru"] == translated.summary_ru


def test_the_api_gives_every_version_of_the_text_and_the_timeline(client, translated):
    data = client.get(reverse("api:case_detail", args=[translated.pk])).json()
    assert data["original_language"] == "en"
    assert data["title_ru"] == "Гвардейцы отказались пересечь границу"
    assert data["events"][0]["description_ru"] == "Их уволили."
    assert data["events"][0]["description_en"] == "They were dismissed."


def test_the_feed_uses_the_requested_language(client, translated):
    content = client.get(reverse("tracker:case_feed"), {"lang": "ru"}).content.decode()
    assert "<title>Гвардейцы отказались пересечь границу</title>" in content
    assert 'xml:lang="ru"' in content


def test_the_data_dictionary_documents_the_language_columns(client):
    content = client.get(reverse("tracker:data_dictionary")).content.decode()
    for column in ("original_language", "title_ru", "summary_uk"):
        assert column in content


def test_adding_a_translation_is_kept_in_the_history_but_is_no_public_correction(
    moderator, english_only
):
    services.edit_case(
        english_only, moderator=moderator, changes={"title_uk": "Гвардійці відмовилися"}
    )

    english_only.refresh_from_db()
    assert english_only.title_uk == "Гвардійці відмовилися"
    assert not CaseCorrection.objects.exists()
    event = AuditEvent.objects.get(action=AuditEvent.Action.EDIT_CASE)
    assert event.details["changes"] == {"title_uk": ["", "Гвардійці відмовилися"]}


def test_changing_a_published_translation_is_a_public_correction(moderator, translated):
    services.edit_case(
        translated, moderator=moderator, changes={"title_ru": "Гвардейцы не пересекли границу"}
    )

    assert CaseCorrection.objects.get().changes == {"fields": ["title_ru"]}


def test_the_edit_form_shows_the_three_languages_side_by_side(moderator_client, english_only):
    response = moderator_client.get(reverse("moderation:case_edit", args=[english_only.pk]))
    content = response.content.decode()
    columns = content.index('class="language-columns"')
    for language in ("en", "ru", "uk"):
        assert content.index(f'name="title_{language}"') > columns
    assert 'lang="ru"' in content


def test_a_case_written_in_one_language_is_published_and_listed_as_needing_translation(
    moderator_client, english_only, translated_everywhere
):
    url = reverse("moderation:case_list")
    needed = moderator_client.get(url, {"translation": "needed"}).content.decode()
    done = moderator_client.get(url, {"translation": "done"}).content.decode()
    assert english_only.title in needed and translated_everywhere.title not in needed
    assert translated_everywhere.title in done and english_only.title not in done
    assert "needs translation" in needed


@pytest.fixture
def translated_everywhere(region):
    return make_case(
        title="Fully translated case",
        title_ru="Полностью переведённый случай",
        title_uk="Повністю перекладений випадок",
        summary_ru="Текст.",
        summary_uk="Текст.",
        home_region=region,
    )


def test_the_original_language_version_is_required(moderator_client, english_only):
    url = reverse("moderation:case_edit", args=[english_only.pk])
    form = moderator_client.get(url).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(original_language="ru", outcomes=english_only.outcomes)
    data["event_date"] = english_only.event_date.isoformat()
    data["home_region"] = english_only.home_region_id

    response = moderator_client.post(url, data)

    assert response.status_code == 200
    assert "Write this in the original language (Russian)" in response.content.decode()
    english_only.refresh_from_db()
    assert english_only.original_language == "en"


def test_a_retraction_reason_is_written_in_the_original_language_and_may_be_translated(
    moderator_client, client, english_only
):
    url = reverse("moderation:case_retract", args=[english_only.pk])
    form_page = moderator_client.get(url).content.decode()
    assert "Why the case is withdrawn, in English" in form_page

    moderator_client.post(
        url, {"reason": "The source withdrew its report.", "reason_ru": "Источник отозвал."}
    )

    english_only.refresh_from_db()
    assert english_only.status == Case.Status.RETRACTED
    assert english_only.retraction_reason_en == "The source withdrew its report."
    assert english_only.retraction_reason_uk == ""
    page = reader(client, "ru").get(english_only.get_absolute_url()).content.decode()
    assert "Источник отозвал." in page
    page = reader(client, "uk").get(english_only.get_absolute_url()).content.decode()
    assert "The source withdrew its report." in page


def test_the_moderators_case_list_pages_through_in_russian_keeping_the_filter(
    moderator_client, monkeypatch, region
):
    from moderation.views import cases as case_views

    monkeypatch.setattr(case_views, "CASES_PER_PAGE", 2)
    for number in range(5):
        make_case(title=f"Case {number}")
    url = reverse("moderation:case_list")

    page = moderator_client.get(
        url, {"translation": "needed", "page": 2}, HTTP_ACCEPT_LANGUAGE="ru"
    ).content.decode()

    # Both links keep the filter and carry no empty cursor; the page says where it is.
    assert '<a rel="prev" href="?translation=needed">← Назад</a>' in page
    assert '<a rel="next" href="?translation=needed&amp;page=3">Дальше →</a>' in page
    assert "<span>Страница 2</span>" in page
