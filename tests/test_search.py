"""Search as readers use it, on every database; PostgreSQL-only behaviour (stemming,
ranking, plans) is in test_search_postgres.py."""

import pytest
from django.urls import reverse

from tests.conftest import make_case
from tests.helpers import listed_titles
from tracker.models import Case
from tracker.search import search_cases, search_words

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases():
    return {
        "pskov": make_case(
            title="Pskov paratroopers refused to deploy",
            summary="About sixty contract soldiers refused to go to Ukraine.",
            unit="76th Guards air assault division",
            location="Pskov",
        ),
        "buryatia": make_case(
            title="Бурятские контрактники отказались воевать",
            summary="Военнослужащие из Бурятии вернулись домой и подали рапорты.",
            unit="в/ч 46108",
            location="Улан-Удэ",
        ),
    }


def titles(client, q):
    return set(listed_titles(client.get(reverse("tracker:case_list"), {"q": q})))


def test_search_finds_english_and_russian_words(client, cases):
    assert titles(client, "paratroopers") == {cases["pskov"].title}
    assert titles(client, "бурятии") == {cases["buryatia"].title}


def test_every_word_must_match(client, cases):
    assert titles(client, "Pskov sixty") == {cases["pskov"].title}
    assert titles(client, "Pskov Бурятии") == set()


def test_search_looks_in_the_unit_and_the_place(client, cases):
    assert titles(client, "46108") == {cases["buryatia"].title}
    assert titles(client, "Улан") == {cases["buryatia"].title}


def test_a_partial_word_matches(client, cases):
    assert titles(client, "paratroop") == {cases["pskov"].title}
    # (Not "контрактн": both are contract soldiers, and the labels of choices are
    # searchable in every language.)
    assert titles(client, "бурятск") == {cases["buryatia"].title}


@pytest.mark.parametrize("query", ["'", "&|!", "a:* | b", "(((", "\\", "pskov & !"])
def test_search_syntax_in_the_query_is_taken_as_plain_text(client, cases, query):
    response = client.get(reverse("tracker:case_list"), {"q": query})
    assert response.status_code == 200


def test_search_only_returns_published_cases(client, cases, draft_case):
    assert titles(client, "canary") == set()


def test_query_words_are_letters_and_digits_only():
    assert search_words("a:*|B & 'c' _d_ 3723") == ["a", "B", "c", "d", "3723"]


def test_an_empty_query_leaves_the_cases_as_they_are(cases):
    assert search_cases(Case.objects.all(), " :: ").count() == 2
