import pytest
from django.db import connection
from django.urls import reverse

from tests.conftest import make_case
from tracker.models import CaseEvent, CaseOutcome

pytestmark = pytest.mark.django_db


def make_cases(count, region):
    cases = [
        make_case(
            title=f"Case {number}",
            home_region=region,
            outcomes=[CaseOutcome.Outcome.DISMISSED, CaseOutcome.Outcome.CRIMINAL_CASE],
            sources=[{"outlet": "Mediazona"}, {"outlet": "Meduza"}],
        )
        for number in range(count)
    ]
    return cases


@pytest.mark.parametrize("count", [1, 30])
@pytest.mark.parametrize("per_page", [25, 100])
@pytest.mark.parametrize(
    "params",
    [
        {"outcome": "dismissed"},
        {"region": "RU-KB", "q": "case", "outlet": "Meduza"},
        {"page": 2},
        {"sort": "-people", "after": "12.1"},
    ],
)
def test_the_listing_runs_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, region, count, per_page, params
):
    make_cases(count, region)
    # The first request after a change on a small record also counts every filter's
    # values over all cases (tracker.cache.aggregate): one query more, once. On
    # PostgreSQL inside a test's transaction the time-bounded count runs in a savepoint,
    # released by one statement more (in production's autocommit it is not sent:
    # tracker/pagination.py::bounded_rows).
    with django_assert_max_num_queries(8 if connection.vendor == "postgresql" else 7):
        response = client.get(reverse("tracker:case_list"), {"per_page": per_page, **params})
    assert response.status_code == 200
    if "page" not in params and "after" not in params:
        assert len(response.context["cases"]) == min(count, per_page)


@pytest.mark.parametrize("count", [1, 20])
def test_the_home_page_runs_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, region, count
):
    make_cases(count, region)
    # Headline figures (2, cached after the first request), latest cases and their outcomes.
    with django_assert_max_num_queries(4):
        client.get(reverse("tracker:home"))


@pytest.mark.parametrize("related", [0, 10])
def test_the_case_page_runs_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, region, related
):
    case, *others = make_cases(related + 1, region)
    case.related_cases.add(*others)
    for day in range(1, related + 1):
        CaseEvent.objects.create(
            case=case, date=f"2022-03-{day:02d}", kind="other", description="x"
        )
    with django_assert_max_num_queries(7):
        response = client.get(case.get_absolute_url())
    assert response.status_code == 200
