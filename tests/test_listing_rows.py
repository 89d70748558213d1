"""The listing's rows are drawn once per case and language and kept in the shared cache
(tracker/rows.py): a later listing, even with the page cache off, reads only the page's
ids; a change to a case shows at once."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import make_case
from tests.helpers import listed_titles
from tracker.models import CaseOutcome

pytestmark = pytest.mark.django_db

LIST_URL = reverse("tracker:case_list")


@pytest.fixture(autouse=True)
def page_cache_off(settings):
    # What the benchmark calls an uncached listing: the page is drawn for every request.
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0


def outcome_queries(captured):
    return [query for query in captured.captured_queries if "tracker_caseoutcome" in query["sql"]]


def test_a_row_drawn_once_is_not_read_again(client, published_case):
    first = client.get(LIST_URL)
    with CaptureQueriesContext(connection) as captured:
        second = client.get(LIST_URL, {"sort": "-published"})
    assert listed_titles(second) == listed_titles(first) == [published_case.title]
    # Only the page's ids were read: no outcomes, no full rows.
    assert outcome_queries(captured) == []


def test_a_row_shows_an_edit_at_once(client, published_case):
    client.get(LIST_URL)
    published_case.title = "Corrected title"
    published_case.save()
    assert listed_titles(client.get(LIST_URL)) == ["Corrected title"]


def outcome_tags(response):
    return re.findall(r'<span class="tag tag-outcome">([^<]*)</span>', response.content.decode())


def test_a_row_shows_a_new_outcome_at_once(client, published_case):
    assert outcome_tags(client.get(LIST_URL)) == ["dismissed"]
    CaseOutcome.objects.create(case=published_case, outcome=CaseOutcome.Outcome.CRIMINAL_CASE)
    assert sorted(outcome_tags(client.get(LIST_URL))) == ["criminal case opened", "dismissed"]


def test_each_language_gets_its_own_rows(client, region):
    make_case(
        title="Guardsmen refused",
        title_ru="Гвардейцы отказались",
        summary_ru="Группа гвардейцев отказалась.",
        home_region=region,
    )
    english = client.get(LIST_URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    russian = client.get(LIST_URL, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert listed_titles_of(english) == ["Guardsmen refused"]
    assert listed_titles_of(russian) == ["Гвардейцы отказались"]
    assert "12 people" in english and "12 человек" in russian
    assert "refused to deploy" in english and "refused to deploy" not in russian


def listed_titles_of(page):
    class Response:
        content = page.encode()

    return listed_titles(Response)


def test_rows_keep_the_order_of_the_listing(client, region):
    for number in range(3):
        make_case(title=f"Case {number}", people_count=number + 1, home_region=region)
    client.get(LIST_URL)  # every row drawn
    assert listed_titles(client.get(LIST_URL, {"sort": "-people"})) == [
        "Case 2",
        "Case 1",
        "Case 0",
    ]
