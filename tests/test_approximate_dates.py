"""The date filters find a case when the days it can have happened overlap the asked
period: its precision (day, month, year) and its range (not before / not after) count."""

import datetime
import json

import pytest
from django.urls import reverse

from tests.conftest import make_case
from tests.helpers import listed_titles
from tracker.models import Case

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def cases():
    for title, values in {
        "On 26 February 2022": {"event_date": D(2022, 2, 26), "event_date_precision": "day"},
        "In March 2022": {"event_date": D(2022, 3, 1), "event_date_precision": "month"},
        "In 2023": {"event_date": D(2023, 1, 1), "event_date_precision": "year"},
        "In the first days of the war": {
            "event_date": None,
            "event_date_precision": "unknown",
            "event_date_not_before": D(2022, 2, 24),
            "event_date_not_after": D(2022, 3, 5),
        },
        "Before 5 March 2022": {
            "event_date": None,
            "event_date_precision": "unknown",
            "event_date_not_after": D(2022, 3, 5),
        },
        "After 1 June 2024": {
            "event_date": None,
            "event_date_precision": "unknown",
            "event_date_not_before": D(2024, 6, 1),
        },
        "Date unknown": {"event_date": None, "event_date_precision": "unknown"},
    }.items():
        make_case(title=title, **values)


def found(client, **params):
    response = client.get(reverse("tracker:case_list"), {**params, "per_page": 100})
    assert response.status_code == 200
    return set(listed_titles(response))


@pytest.mark.parametrize(
    "params, expected",
    [
        # A month-precise case is found by a day inside its month, from either side.
        (
            {"date_from": "2022-03-15"},
            {"In March 2022", "In 2023", "After 1 June 2024"},
        ),
        (
            {"date_to": "2022-03-01"},
            {
                "On 26 February 2022",
                "In March 2022",
                "In the first days of the war",
                "Before 5 March 2022",
            },
        ),
        # "Not after 5 March" is found until that day and not after it.
        (
            {"date_from": "2022-03-05", "date_to": "2022-03-05"},
            {"In March 2022", "In the first days of the war", "Before 5 March 2022"},
        ),
        (
            {"date_from": "2022-03-06", "date_to": "2022-03-31"},
            {"In March 2022"},
        ),
        # A day-precise case only on its day; the ranges that include that day too.
        (
            {"date_from": "2022-02-26", "date_to": "2022-02-26"},
            {"On 26 February 2022", "In the first days of the war", "Before 5 March 2022"},
        ),
        (
            {"date_from": "2022-02-27", "date_to": "2022-02-28"},
            {"In the first days of the war", "Before 5 March 2022"},
        ),
        # A year-precise case anywhere in its year, not in the next.
        ({"date_from": "2023-12-31"}, {"In 2023", "After 1 June 2024"}),
        ({"date_from": "2024-01-01", "date_to": "2024-05-31"}, set()),
        ({"date_to": "2022-02-23"}, {"Before 5 March 2022"}),
    ],
)
def test_the_date_filters_find_every_case_whose_possible_dates_overlap(
    client, cases, params, expected
):
    assert found(client, **params) == expected


def test_a_case_with_no_known_date_is_left_out_by_any_date_filter(client, cases):
    assert "Date unknown" in found(client)
    assert "Date unknown" not in found(client, date_from="2000-01-01")
    assert "Date unknown" not in found(client, date_to="2100-01-01")


def test_the_possible_dates_follow_an_edit_of_the_date(cases):
    case = Case.objects.get(title_en="In March 2022")
    case.event_date, case.event_date_precision = D(2022, 4, 1), "month"
    case.save()
    case.refresh_from_db()
    assert (case.event_date_earliest, case.event_date_latest) == (D(2022, 4, 1), D(2022, 4, 30))


def test_the_possible_dates_follow_a_bulk_update(cases):
    Case.objects.filter(title_en="In 2023").update(
        event_date=D(2024, 2, 1), event_date_precision="month"
    )
    case = Case.objects.get(title_en="In 2023")
    # 2024 is a leap year: February's last day is the 29th.
    assert (case.event_date_earliest, case.event_date_latest) == (D(2024, 2, 1), D(2024, 2, 29))


def test_a_range_narrows_an_approximate_date(db):
    case = make_case(
        event_date=D(2022, 3, 1),
        event_date_precision="month",
        event_date_not_after=D(2022, 3, 5),
    )
    case.refresh_from_db()
    assert (case.event_date_earliest, case.event_date_latest) == (D(2022, 3, 1), D(2022, 3, 5))


def test_the_api_filters_by_the_possible_dates(client, cases):
    response = client.get("/api/cases/", {"date_to": "2022-03-01", "date_from": "2022-03-01"})
    assert response.status_code == 200
    titles = {case["title_en"] for case in response.json()["results"]}
    assert titles == {"In March 2022", "In the first days of the war", "Before 5 March 2022"}


def test_the_export_filters_by_the_possible_dates(client, cases):
    response = client.get(reverse("tracker:case_export_json"), {"date_from": "2023-06-01"})
    data = json.loads(b"".join(response.streaming_content))
    titles = {case["title_en"] for case in data["cases"]}
    assert titles == {"In 2023", "After 1 June 2024"}


def test_a_month_typed_as_any_day_of_it_is_stored_as_its_first_day(client, db):
    # The date filters rely on it: "until 10 March" finds a case of March 2022.
    case = make_case(title="March", event_date=D(2022, 3, 15), event_date_precision="month")
    case.refresh_from_db()
    assert case.event_date == D(2022, 3, 1)
    assert found(client, date_to="2022-03-10") == {"March"}


@pytest.mark.parametrize(
    "params, expected",
    [
        # Newest first until a date: the dated cases, newest first, then the undated ones.
        (
            {"date_to": "2023-06-30"},
            ["In 2023", "In March 2022", "On 26 February 2022"],
        ),
        # Oldest first from a date: a year-precise case dated before it comes first.
        (
            {"date_from": "2023-06-30", "sort": "event_date"},
            ["In 2023"],
        ),
    ],
)
@pytest.mark.parametrize("per_page", [2, 100])
def test_a_date_filters_first_page_lists_the_cases_in_order_across_pages(
    client, cases, params, expected, per_page
):
    # The first page starts its range at the filter's date (tracker.pagination); the
    # pages that follow by their links, with the undated cases last.
    undated = {
        "date_to": ["In the first days of the war", "Before 5 March 2022"],
        "date_from": ["After 1 June 2024"],
    }["date_to" if "date_to" in params else "date_from"]
    listed, query = [], {**params, "per_page": per_page}
    url = reverse("tracker:case_list")
    while True:
        response = client.get(url, query)
        listed += listed_titles(response)
        page = response.context["page"]
        if not page.has_next:
            break
        query = {**params, "per_page": per_page, "after": page.after, "page": page.number + 1}
    assert listed[: len(expected)] == expected
    assert sorted(listed[len(expected) :]) == sorted(undated)


@pytest.mark.parametrize("url", ["tracker:case_list", "api-cases"])
def test_a_date_from_in_the_first_year_of_the_calendar_is_answered(client, cases, url):
    # Found by the API fuzzer: the first page's range began a year before the date,
    # which for the year 2 is before the first day a date can have.
    path = reverse(url) if url != "api-cases" else "/api/cases/"
    response = client.get(path, {"date_from": "0002-01-01", "date_to": "0001-04-01"})
    assert response.status_code == 200


@pytest.mark.parametrize("per_page", [1, 2, 100])
@pytest.mark.parametrize(
    "params, expected",
    [
        # Oldest first from 15 March 2022: the cases of the year 2022 and of March 2022
        # (dated 1 January and 1 March) come before the days from the 15th on.
        (
            {"date_from": "2022-03-15", "sort": "event_date"},
            ["Year A", "Year B", "March", "20 March", "2 April", "Later, undated"],
        ),
        (
            {"date_from": "2022-03-15", "date_to": "2022-03-31", "sort": "event_date"},
            ["Year A", "Year B", "March", "20 March"],
        ),
        # Newest first, down to the first day of the year of date_from.
        (
            {"date_from": "2022-03-15", "date_to": "2022-03-31"},
            ["20 March", "March", "Year B", "Year A"],
        ),
        # From the first of a month: that month's case is dated that day.
        (
            {"date_from": "2022-03-01", "sort": "event_date"},
            ["Year A", "Year B", "March", "10 March", "20 March", "2 April", "Later, undated"],
        ),
    ],
)
def test_oldest_first_from_a_date_starts_with_its_year_and_month(
    client, db, params, expected, per_page
):
    for title, date, precision in [
        ("Year A", D(2022, 5, 5), "year"),
        ("Year B", D(2022, 1, 1), "year"),
        ("December 2021", D(2021, 12, 1), "month"),
        ("March", D(2022, 3, 31), "month"),
        ("10 March", D(2022, 3, 10), "day"),
        ("20 March", D(2022, 3, 20), "day"),
        ("2 April", D(2022, 4, 2), "day"),
    ]:
        make_case(title=title, event_date=date, event_date_precision=precision)
    make_case(
        title="Later, undated",
        event_date=None,
        event_date_precision="unknown",
        event_date_not_before=D(2022, 6, 1),
    )
    make_case(title="Unknown", event_date=None, event_date_precision="unknown")
    listed, query = [], {**params, "per_page": per_page}
    while True:
        response = client.get(reverse("tracker:case_list"), query)
        listed += listed_titles(response)
        page = response.context["page"]
        if not page.has_next:
            break
        query = {**params, "per_page": per_page, "after": page.after, "page": page.number + 1}
    assert listed == expected
    # The same pages by number, as a typed or shared URL asks for them.
    by_number = []
    for number in range(1, -(-len(expected) // per_page) + 1):
        query = {**params, "per_page": per_page, "page": number}
        by_number += listed_titles(client.get(reverse("tracker:case_list"), query))
    assert by_number == expected
    api = client.get("/api/cases/", {**params, "page_size": 100}).json()
    assert [case["title_en"] for case in api["results"]] == expected
