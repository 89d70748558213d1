"""Search across languages and scripts, on the seed cases as readers search them: a query
in Russian, Ukrainian or English finds a case whatever language its text is in, and a name
in Cyrillic finds it in Latin letters and back. Runs on whichever database the tests use
(SQLite by default, PostgreSQL with DATABASE_URL), so each example holds on both."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.helpers import listed_titles
from tracker.models import Case
from tracker.search import latin, search_cases, stem

pytestmark = pytest.mark.django_db

PSKOV = "pskov-60-contract-soldiers-refused"
SAKHIBGAREYEV = ("sakhibgareyev-left-unit-belgorod", "sakhibgareyev-unit-four-seek-discharge")
UNIT_3723 = "kbr-rosgvardia-3723-dismissed"


@pytest.fixture
def seeds(db):
    call_command("load_seeds", verbosity=0)
    return {case.seed_id: case for case in Case.objects.all()}


def found(query):
    return set(search_cases(Case.objects.public(), query).values_list("seed_id", flat=True))


@pytest.mark.parametrize("query", ["Псков", "Pskov", "Псковская", "Pskov oblast", "Пскові"])
def test_the_pskov_case_is_found_in_every_language_and_script(seeds, query):
    assert PSKOV in found(query)


@pytest.mark.parametrize("query", ["отказ", "відмова", "refused"])
def test_refusals_are_found_by_the_word_in_each_language(seeds, query):
    refusals = found(query)
    # Most seed cases say "refused" in English; the word in each language finds them in
    # their Russian and Ukrainian versions (and in the labels of the kinds of refusal).
    assert len(refusals) >= 20
    assert PSKOV in refusals


@pytest.mark.parametrize("query", ["Сахибгареев", "Sakhibgareev", "Sakhibgareyev", "Сахібгареєв"])
def test_a_named_person_is_found_in_cyrillic_and_latin_spellings(seeds, query):
    assert found(query) == set(SAKHIBGAREYEV)


def test_a_unit_number_is_found(seeds):
    assert found("3723") == {UNIT_3723}


def test_region_names_in_every_language_are_searchable(seeds):
    # Kabardino-Balkaria is the home region of unit 3723; its Ukrainian name is nowhere
    # in the case's own text.
    assert UNIT_3723 in found("Кабардино-Балкарська")


def test_the_labels_of_choices_are_searchable_in_every_language(seeds):
    # "Росгвардия: ОМОН" is the Russian label of the force of the Krasnodar OMON case.
    assert "krasnodar-omon-plastun-dismissed" in found("Росгвардия ОМОН")


def test_the_listing_finds_a_case_by_its_russian_version_and_shows_it_in_russian(client, seeds):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ru"
    response = client.get(reverse("tracker:case_list"), {"q": "Сахибгареев"})
    assert set(listed_titles(response)) == {seeds[seed_id].title_ru for seed_id in SAKHIBGAREYEV}


def test_a_cyrillic_word_and_its_transliteration_meet_in_one_form():
    assert latin("Сахибгареев") == latin("Sakhibgareyev") == "sakhibgareev"
    assert latin("Псков") == "pskov"
    assert stem("Псковская") == "псковск"
    assert stem("відмова") == "відмов"
    assert stem("3723") == "3723"
