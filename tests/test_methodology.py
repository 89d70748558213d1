"""The methodology page: scope, the confidence rule with worked examples graded by the
rule's own code, and how to cite and correct; linked from every page, in every language."""

import pytest
from django.conf import settings
from django.urls import reverse

from tests.conftest import make_case
from tracker import grading
from tracker.grading import Account
from tracker.models import AccountFrom

pytestmark = pytest.mark.django_db

URL = "/methodology/"


def test_the_methodology_page_answers_at_its_stable_address(client):
    assert reverse("tracker:methodology") == URL
    content = client.get(URL).content.decode()
    for heading in [
        "What counts as a case",
        "The confidence rule",
        "Independent sources and hearsay",
        "How sources are verified and preserved",
        "Kinds of refusal",
        "Corrections",
        "How to cite",
        "How to report an error",
    ]:
        assert heading in content, heading
    assert "arson attacks on military enlistment offices" in content
    assert "refusing to go back after a first tour" in content
    assert reverse("submissions:submit") in content


def test_the_worked_examples_are_graded_by_the_rule_itself(client, monkeypatch):
    monkeypatch.setattr(
        grading,
        "WORKED_EXAMPLES",
        [("A lone claim by a ministry.", (Account("Ministry", AccountFrom.PARTY_OFFICIAL),))],
    )
    content = client.get(URL).content.decode()
    assert "A lone claim by a ministry." in content
    assert "only officials of a party to the war claim it" in content
    assert 'class="tag tag-unconfirmed"' in content


@pytest.mark.parametrize(
    ("language", "heading", "example_grade"),
    [
        ("en", "What counts as a case", "confirmed"),
        ("ru", "Что считается случаем", "подтверждено"),
        ("uk", "Що вважається випадком", "підтверджено"),
    ],
)
def test_the_methodology_page_speaks_the_readers_language(client, language, heading, example_grade):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    content = client.get(URL).content.decode()
    assert f'<html lang="{language}">' in content
    assert heading in content
    assert example_grade in content


@pytest.mark.parametrize(
    ("language", "named"),
    [
        ("en", ["Mediazona (8 June 2022)", "Kharkiv Human Rights Protection Group (April"]),
        ("ru", ["«Медиазоны» (8 июня 2022)", "Харьковской правозащитной группы (апрель"]),
    ],
)
def test_the_page_names_the_documents_the_first_cases_come_from(client, language, named):
    """The seed cases' provenance (seeds/README.md) cites these five documents."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    content = client.get(URL).content.decode()
    for words in named:
        assert words in content


@pytest.mark.parametrize("page", ["/", "/cases/", "/stats/", "/data/", "/submit/", "case"])
def test_every_page_links_to_the_methodology(client, region, page):
    if page == "case":
        page = make_case(home_region=region).get_absolute_url()
    content = client.get(page).content.decode()
    assert f'href="{URL}"' in content
