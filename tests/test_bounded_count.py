"""The listing's count is bounded in time on PostgreSQL (tracker/pagination.py::
bounded_rows): past LISTING_COUNT_TIMEOUT_MS the page still comes, saying "more than N"
with N the rows it has seen, or the exact number when the page is not full."""

import pytest
from django.db import connection
from django.urls import reverse

from tests.conftest import make_case
from tracker import facets, pagination
from tracker.pagination import bounded_rows

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def statement_timeout():
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        return cursor.fetchone()[0]


def test_a_statement_over_its_time_gives_nothing_and_the_connection_goes_on():
    before = statement_timeout()

    assert bounded_rows("default", "SELECT pg_sleep(0.5), 1", [], timeout_ms=20) is None

    assert statement_timeout() == before
    assert bounded_rows("default", "SELECT %s", [7], timeout_ms=1000) == [(7,)]
    # The short limit does not outlive the statement it was set for.
    assert statement_timeout() == before


@pytest.fixture
def slow_counts(monkeypatch, settings):
    """The count statement made to sleep past a limit of 20 ms."""
    settings.LISTING_COUNT_TIMEOUT_MS = 20

    def slow(using, statement, params, timeout_ms):
        statement = f"SELECT q.* FROM ({statement}) AS q CROSS JOIN (SELECT pg_sleep(0.3)) AS s"  # noqa: S608
        return bounded_rows(using, statement, params, timeout_ms)

    monkeypatch.setattr(facets, "bounded_rows", slow)
    monkeypatch.setattr(pagination, "bounded_rows", slow)  # the API's count


def test_a_count_over_its_time_says_more_than_the_rows_seen(client, slow_counts):
    for number in range(30):
        make_case(title=f"Kazan case {number}")

    response = client.get(reverse("tracker:case_list"), {"outcome": "dismissed"})

    assert response.status_code == 200
    assert len(response.context["cases"]) == 25
    assert "more than 25 cases" in response.content.decode()
    assert response.context["page"].has_next


def test_a_count_over_its_time_is_said_in_russian_too(client, slow_counts):
    for number in range(30):
        make_case(title=f"Kazan case {number}")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ru"

    response = client.get(reverse("tracker:case_list"), {"outcome": "dismissed"})

    assert response.status_code == 200
    assert "более 25 случаев" in response.content.decode()


def test_a_page_that_is_not_full_gives_the_exact_count_without_the_statement(client, slow_counts):
    for number in range(3):
        make_case(title=f"Kazan case {number}")

    response = client.get(reverse("tracker:case_list"), {"outcome": "dismissed"})

    assert response.status_code == 200
    page = response.context["page"]
    assert (page.count, page.count_is_capped) == (3, False)
    assert "3 cases" in response.content.decode()


def test_the_apis_count_over_its_time_says_more_than_the_rows_seen(client, slow_counts):
    for number in range(30):
        make_case(title=f"Kazan case {number}")

    body = client.get("/api/cases/", {"outcome": "dismissed"}).json()

    assert len(body["results"]) == 25
    assert body["count"] is None
    assert body["count_more_than"] == 25
    assert body["next"]


def test_the_apis_count_is_kept_until_the_data_changes(client, django_assert_num_queries):
    for number in range(3):
        make_case(title=f"Kazan case {number}")
    assert client.get("/api/cases/", {"outcome": "dismissed"}).json()["count"] == 3

    with django_assert_num_queries(3):  # the page and its cases' prefetches, no count
        assert client.get("/api/cases/", {"outcome": "dismissed"}).json()["count"] == 3
    make_case(title="Kazan case 3")
    assert client.get("/api/cases/", {"outcome": "dismissed"}).json()["count"] == 4
