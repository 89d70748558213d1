import datetime
import html
import re

import pytest
from django.db import connection
from django.urls import reverse

from tests.conftest import is_postgresql, make_case
from tests.helpers import listed_titles
from tracker import pagination
from tracker.api import pagination as api_pagination
from tracker.models import Case

pytestmark = pytest.mark.django_db

LIST_URL = reverse("tracker:case_list")


@pytest.fixture
def cases():
    """Eleven cases with ties and unknowns in every sort key."""
    made = []
    for number in range(11):
        unknown_date = number in (3, 7)
        made.append(
            make_case(
                title=f"Case {number:02d}",
                event_date=None if unknown_date else datetime.date(2022, 1 + number % 4, 1),
                event_date_precision="unknown" if unknown_date else "month",
                people_count=None if number % 5 == 0 else number % 3 + 1,
                people_qualifier="unknown" if number % 5 == 0 else "exact",
            )
        )
    return made


def link(response, rel):
    match = re.search(rf'<a rel="{rel}" href="([^"]*)"', response.content.decode())
    return html.unescape(match[1]) if match else None


def walk(client, params, rel="next", start=None):
    """The titles on every page, following the `rel` links from the first page."""
    response = client.get(start or LIST_URL, params if start is None else None)
    pages = [listed_titles(response)]
    while href := link(response, rel):
        response = client.get(LIST_URL + href)
        pages.append(listed_titles(response))
    return pages, response


def expected_order(client, sort):
    response = client.get(LIST_URL, {"sort": sort, "per_page": 100})
    return listed_titles(response)


@pytest.mark.parametrize("sort", ["-event_date", "event_date", "-people", "-published"])
def test_next_links_visit_every_case_once_in_order(client, cases, sort):
    pages, _last = walk(client, {"sort": sort, "per_page": 3})
    assert [title for page in pages for title in page] == expected_order(client, sort)
    assert [len(page) for page in pages] == [3, 3, 3, 2]


@pytest.mark.parametrize("sort", ["-event_date", "event_date", "-people"])
def test_previous_links_walk_back_through_the_same_pages(client, cases, sort):
    forward, last = walk(client, {"sort": sort, "per_page": 3})
    backward, _first = walk(
        client,
        None,
        rel="prev",
        start=last.request["PATH_INFO"] + "?" + last.request["QUERY_STRING"],
    )
    assert backward == forward[::-1]


def test_next_links_carry_the_page_number_and_keep_the_filters(client, cases):
    response = client.get(LIST_URL, {"sort": "-event_date", "per_page": 3})
    href = link(response, "next")
    assert href.startswith("?sort=-event_date&per_page=3&page=2&after=")
    second = client.get(LIST_URL + href)
    assert "Page 2 of 4" in second.content.decode()


def test_a_page_number_alone_shows_the_same_cases_as_the_links(client, cases):
    pages, _last = walk(client, {"per_page": 3})
    for number, titles in enumerate(pages, start=1):
        response = client.get(LIST_URL, {"per_page": 3, "page": number})
        assert listed_titles(response) == titles


@pytest.mark.parametrize("cursor", ["nonsense", "2022-13-45.1", "", "..", "2022-01-01.x"])
def test_a_broken_cursor_falls_back_to_the_page_number(client, cases, cursor):
    response = client.get(LIST_URL, {"per_page": 3, "page": 2, "after": cursor})
    assert response.status_code == 200
    assert listed_titles(response) == listed_titles(
        client.get(LIST_URL, {"per_page": 3, "page": 2})
    )


def test_a_page_past_the_end_of_an_exact_count_shows_the_last_page(client, cases):
    response = client.get(LIST_URL, {"per_page": 3, "page": 99})
    assert len(listed_titles(response)) == 2
    assert "Page 4 of 4" in response.content.decode()


def test_counts_stop_at_the_cap(client, cases, monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_CAP", 5)
    response = client.get(LIST_URL, {"people": 1, "per_page": 3})
    text = response.content.decode()
    assert "more than 5 cases" in text
    assert "Page 1 of" not in text
    pages, _last = walk(client, {"people": 1, "per_page": 3})
    assert sum(len(page) for page in pages) == Case.objects.filter(people_count__gte=1).count()


def test_the_unfiltered_total_past_the_cap_is_about_every_published_case(
    client, cases, monkeypatch
):
    # Past the cap the listing is not counted; unfiltered, it is every published case,
    # which the counts beside the filters have already counted.
    monkeypatch.setattr(pagination, "COUNT_CAP", 5)
    text = client.get(LIST_URL).content.decode()
    assert f"about {Case.objects.public().count()} cases" in text
    assert "more than 5 cases" not in text


def test_a_filtered_total_past_the_cap_is_not_estimated(client, cases, monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_CAP", 5)
    text = client.get(LIST_URL, {"sort": "-people", "people": 1}).content.decode()
    assert "more than 5 cases" in text
    assert "about" not in text.split('<h2 id="results-heading">')[1].split("</h2>")[0]


def test_the_apis_unfiltered_total_past_the_cap_is_the_planners_estimate(
    client, cases, monkeypatch
):
    monkeypatch.setattr(pagination, "COUNT_CAP", 5)
    monkeypatch.setattr(api_pagination, "COUNT_CAP", 5)
    if is_postgresql():
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE tracker_case")
    body = client.get("/api/cases/").json()
    assert body["count"] is None
    assert body["count_more_than"] == 5
    if is_postgresql():
        assert body["count_estimate"] > 5
    else:
        assert body["count_estimate"] is None  # no planner to ask


def test_the_listing_counts_exactly_below_the_cap(client, cases):
    assert "11 cases" in client.get(LIST_URL).content.decode()


@pytest.mark.parametrize("sort", ["-event_date", "event_date"])
def test_undated_cases_come_last_in_both_directions(client, cases, sort):
    order = expected_order(client, sort)
    assert sorted(order[-2:]) == ["Case 03", "Case 07"]
    dated = [case for case in cases if case.event_date]
    assert set(order[:-2]) == {case.title for case in dated}


def test_cases_with_an_unknown_number_of_people_come_last(client, cases):
    order = expected_order(client, "-people")
    assert order[-3:] == ["Case 10", "Case 05", "Case 00"]


@pytest.mark.parametrize("sort", ["-event_date", "event_date"])
def test_the_pages_by_links_end_with_the_undated_cases(client, cases, sort):
    pages, _last = walk(client, {"sort": sort, "per_page": 4})
    assert sorted(pages[-1][-2:]) == ["Case 03", "Case 07"]
