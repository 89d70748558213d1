"""The interface in English, Russian and Ukrainian: chosen from the browser's
Accept-Language or from the language cookie the switcher sets, on the same URLs."""

import datetime
import html
import re

import pytest
from django.conf import settings

from tests.conftest import make_case
from tracker import pagination
from tracker.models import Case

pytestmark = pytest.mark.django_db

# A few strings a reader of each language would recognise on each page.
EXPECTED = {
    "en": {
        "home": ["Documented refusals to fight in Russia’s war on Ukraine", "Report a case"],
        "submit": ["Report a refusal to fight", "What happened?", "receipt code"],
        "listing": ["1 case", "Kind of refusal", "Rosgvardiya: OMON", "12 people"],
        "date": "Feb. 28, 2022",
        "filter_error": "Ensure this value is greater than or equal to 1.",
        "required_error": "Please tell us what happened.",
    },
    "ru": {
        "home": ["Задокументированные отказы воевать в войне России против Украины"],
        "submit": ["Сообщить об отказе воевать", "Что произошло?", "код квитанции"],
        "listing": ["1 случай", "Вид отказа", "Росгвардия: ОМОН", "12 человек"],
        "date": "28 февраля 2022 г.",
        "filter_error": "Убедитесь, что это значение больше либо равно 1.",
        "required_error": "Пожалуйста, расскажите, что произошло.",
    },
    "uk": {
        "home": ["Задокументовані відмови воювати у війні Росії проти України"],
        "submit": ["Повідомити про відмову воювати", "Що сталося?", "код квитанції"],
        "listing": ["1 випадок", "Вид відмови", "Росгвардія: ОМОН", "12 людей"],
        "date": "28 лютого 2022 р.",
        "filter_error": "Переконайтеся, що це значення більше чи дорівнює 1.",
        "required_error": "Будь ласка, розкажіть, що сталося.",
    },
}
LANGUAGES = list(EXPECTED)
# Screen readers and search engines read the language from the page itself.
HTML_LANG = re.compile(r'<html lang="([a-z-]+)">')


@pytest.fixture
def omon_case(region):
    return make_case(
        title="Guardsmen refused to cross the border",
        event_date=datetime.date(2022, 2, 28),
        people_count=12,
        force=Case.Force.ROSGVARDIA_OMON,
        home_region=region,
    )


def by_browser(client, language):
    """A client whose browser asks for `language` first."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = f"{language},en;q=0.5"
    return client


def by_cookie(client, language):
    """A client that chose `language` with the switcher, in a browser that asks for
    another one: the remembered choice wins."""
    other = "uk" if language != "uk" else "ru"
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = other
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


CHOOSERS = [by_browser, by_cookie]


def page_text(response):
    return html.unescape(response.content.decode())


def assert_in_language(response, language, strings):
    text = page_text(response)
    assert HTML_LANG.search(text).group(1) == language
    for string in strings:
        assert string in text, f"{string!r} not on the {language} page"


@pytest.mark.parametrize("choose", CHOOSERS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_home_page_is_in_the_chosen_language(client, omon_case, language, choose):
    response = choose(client, language).get("/")

    assert response.status_code == 200
    assert_in_language(response, language, EXPECTED[language]["home"])


@pytest.mark.parametrize("choose", CHOOSERS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_submission_form_is_in_the_chosen_language(client, language, choose):
    response = choose(client, language).get("/submit/")

    assert response.status_code == 200
    assert_in_language(response, language, EXPECTED[language]["submit"])


@pytest.mark.parametrize("choose", CHOOSERS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_listing_is_in_the_chosen_language(client, omon_case, language, choose):
    response = choose(client, language).get("/cases/")

    assert response.status_code == 200
    expected = EXPECTED[language]
    assert_in_language(response, language, [*expected["listing"], expected["date"]])
    region_name = getattr(omon_case.home_region, f"name_{language}")
    assert region_name in page_text(response)


@pytest.mark.parametrize("choose", CHOOSERS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_filter_error_on_the_listing_is_in_the_chosen_language(client, language, choose):
    response = choose(client, language).get("/cases/", {"people": "-5"})

    assert response.status_code == 200
    assert_in_language(response, language, [EXPECTED[language]["filter_error"]])


@pytest.mark.parametrize("choose", CHOOSERS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_required_field_error_on_the_form_is_in_the_chosen_language(client, language, choose):
    response = choose(client, language).post("/submit/", {"what_happened": ""})

    assert response.status_code == 200
    assert_in_language(response, language, [EXPECTED[language]["required_error"]])


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_case_page_gives_dates_in_the_chosen_language(client, omon_case, language):
    response = by_browser(client, language).get(omon_case.get_absolute_url())

    assert response.status_code == 200
    assert_in_language(response, language, [EXPECTED[language]["date"]])


def test_numbers_are_grouped_the_way_each_language_writes_them(client, region):
    make_case(people_count=1200, people_qualifier=Case.PeopleQualifier.AT_LEAST)

    english = page_text(by_browser(client, "en").get("/cases/"))
    russian = page_text(by_browser(client, "ru").get("/cases/"))

    assert "at least 1,200 people" in english
    assert "не менее 1\xa0200 человек" in russian


@pytest.mark.parametrize(
    ("count", "qualifier", "russian"),
    [
        (1, Case.PeopleQualifier.EXACT, "1 человек"),
        (3, Case.PeopleQualifier.EXACT, "3 человека"),
        (3, Case.PeopleQualifier.AT_LEAST, "не менее 3 человек"),
        (21, Case.PeopleQualifier.ABOUT, "около 21 человека"),
        (60, Case.PeopleQualifier.UP_TO, "до 60 человек"),
    ],
)
def test_people_counts_take_the_russian_plural_their_qualifier_needs(
    client, count, qualifier, russian
):
    make_case(people_count=count, people_qualifier=qualifier)

    response = by_browser(client, "ru").get("/cases/")

    assert f"· {russian}\n" in page_text(response)


@pytest.mark.parametrize(
    ("language", "heading"),
    [("en", "more than 5 cases"), ("ru", "более 5 случаев"), ("uk", "понад 5 випадків")],
)
def test_a_count_past_the_cap_reads_naturally_in_each_language(
    client, monkeypatch, language, heading
):
    monkeypatch.setattr(pagination, "COUNT_CAP", 5)
    for _number in range(6):
        make_case(people_count=3)

    response = by_browser(client, language).get("/cases/", {"people": 1})

    assert heading in page_text(response)


def test_the_case_page_says_when_a_case_has_no_version_in_the_readers_language(client, omon_case):
    response = by_browser(client, "ru").get(omon_case.get_absolute_url())

    assert "Оригинал на английском; русской версии пока нет." in page_text(response)


def test_a_source_title_carries_the_language_it_is_written_in(client, region):
    case = make_case(sources=[{"outlet": "Meduza", "title": "Отказники", "language": "ru"}])

    response = by_browser(client, "en").get(case.get_absolute_url())

    assert '<cite lang="ru">Отказники</cite>' in response.content.decode()


@pytest.mark.parametrize("language", ["ru", "uk"])
def test_the_switcher_keeps_the_page_and_its_filter(client, language):
    by_browser(client, "en")

    response = client.post("/i18n/setlang/", {"language": language, "next": "/cases/?force=army"})

    assert response.status_code == 302
    assert response["Location"] == "/cases/?force=army"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == language
    following = client.get(response["Location"])
    assert_in_language(following, language, [EXPECTED[language]["listing"][1]])
    assert 'value="army" selected' in following.content.decode()


def test_every_page_offers_the_switcher_back_to_the_same_address(client):
    response = by_browser(client, "ru").get("/cases/", {"force": "army"})

    text = response.content.decode()
    assert 'action="/i18n/setlang/"' in text
    assert '<input name="next" type="hidden" value="/cases/?force=army">' in text
    for name in ("English", "Русский", "Українська"):
        assert name in text


def test_the_links_on_a_page_are_the_same_in_every_language(client, omon_case):
    def links(language):
        response = by_browser(client, language).get("/")
        return sorted(re.findall(r'href="([^"]+)"', response.content.decode()))

    english = links("en")

    assert omon_case.get_absolute_url() in english
    assert links("ru") == english
    assert links("uk") == english


@pytest.mark.parametrize("language", ["ru", "uk", "en"])
def test_there_is_no_language_prefix_in_addresses(client, language):
    assert client.get(f"/{language}/cases/").status_code == 404


@pytest.mark.parametrize(
    ("language", "site_name"), [("ru", "Реестр отказов"), ("uk", "Реєстр відмов")]
)
def test_the_feed_names_the_site_in_the_reader_s_language(client, omon_case, language, site_name):
    response = by_browser(client, language).get("/cases/feed/")

    text = page_text(response)
    assert f"<title>{site_name}: " in text
    assert f"<author><name>{site_name}</name></author>" in text
