"""Aggregates over every published case (the whole record's statistics, the home page's
figures, the counts beside the filters: tests/test_listing_facets.py) are never computed
in a reader's request on a large record: readers keep the last value while a task
computes the new one after a change (tracker.cache.aggregate)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import make_case, run_queued_tasks

pytestmark = pytest.mark.django_db

STATS = reverse("tracker:stats")
HOME = reverse("tracker:home")


def figure(response, label):
    return response.context["figures"][label]


def test_the_whole_records_statistics_come_from_a_task_after_a_change(client, region, large_record):
    make_case(title="First", home_region=region)
    assert figure(client.get(STATS), "cases") == 1
    make_case(title="Second", home_region=region)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(STATS)
    # The reader sees the last statistics at once, without counting cases itself ...
    assert figure(response, "cases") == 1
    assert not [query for query in queries.captured_queries if "tracker_case" in query["sql"]]
    assert [result.args for result in large_record.results] == [
        ["tracker.stats.numbers_of_every_case"]
    ]
    # ... and the new ones once the worker has computed them.
    run_queued_tasks(large_record)
    assert figure(client.get(STATS), "cases") == 2


def test_statistics_of_a_filter_are_exact_at_once(client, region, other_region, large_record):
    make_case(title="First", home_region=region)
    client.get(STATS)
    make_case(title="Second", home_region=region)
    assert figure(client.get(STATS, {"region": "RU-KB"}), "cases") == 2


@pytest.mark.postgres
@pytest.mark.parametrize(
    "query",
    [
        {"region": "RU-KB"},
        {"force": "rosgvardia"},
        {"outcome": "dismissed"},
        {"kind": "refused_deploy"},
    ],
)
def test_statistics_of_one_filter_come_from_a_task_after_a_change(
    client, region, large_record, query
):
    make_case(title="First", home_region=region, outcomes=["dismissed"])
    assert figure(client.get(STATS, query), "cases") == 1
    make_case(title="Second", home_region=region, outcomes=["dismissed"])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(STATS, query)
    # Like the whole record's: the last statistics at once, no pass over the cases ...
    assert figure(response, "cases") == 1
    assert not [query for query in queries.captured_queries if "tracker_case" in query["sql"]]
    # ... and the new ones once the worker has computed them, on a page drawn again.
    assert "tracker.stats.numbers_by_single_filter" in [
        result.args[0] for result in large_record.results
    ]
    run_queued_tasks(large_record)
    assert figure(client.get(STATS, query), "cases") == 2


def test_the_home_page_draws_its_figures_again_once_the_task_has_new_ones(
    client, region, large_record
):
    make_case(title="First", home_region=region)
    assert figure(client.get(HOME), "cases") == 1
    make_case(title="Second", home_region=region)
    response = client.get(HOME)
    assert figure(response, "cases") == 1
    # The latest cases are not an aggregate: the new one is listed at once.
    assert "Second" in response.content.decode()
    run_queued_tasks(large_record)
    # The cached home page drawn with the old figures is not served after the new ones.
    assert figure(client.get(HOME), "cases") == 2


def test_on_a_small_record_the_first_reader_after_a_change_computes_them(client, region):
    make_case(title="First", home_region=region)
    assert figure(client.get(STATS), "cases") == 1
    assert figure(client.get(HOME), "cases") == 1
    make_case(title="Second", home_region=region)
    assert figure(client.get(STATS), "cases") == 2
    assert figure(client.get(HOME), "cases") == 2


@pytest.mark.postgres
def test_until_the_task_has_kept_them_a_single_filter_is_counted_on_its_own(
    client, region, large_record
):
    # At a million cases the numbers of every single filter take some 20 s: the
    # first reader is not made to wait for them (nor to hit the statement timeout).
    make_case(title="First", home_region=region)
    make_case(title="Second", home_region=region)
    assert figure(client.get(STATS, {"region": "RU-KB"}), "cases") == 2
    assert [result.args for result in large_record.results] == [
        ["tracker.stats.numbers_by_single_filter"]
    ]


def statement_timeout():
    """An aggregate (no arguments; the value and a number of cases) saying the limit
    its statements run under."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        return cursor.fetchone()[0], 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_task_gives_an_aggregate_longer_than_a_reader_may_wait(settings):
    # The statistics of every single filter take ~20 s at a million cases; a reader's
    # statements are cancelled after DATABASE_STATEMENT_TIMEOUT_MS (5 s).
    from django.core.cache import cache

    from tracker.cache import LATEST_KEY, refresh_aggregate

    settings.AGGREGATE_STATEMENT_TIMEOUT_MS = 123_000
    path = "tests.test_aggregates.statement_timeout"
    refresh_aggregate.call(path)

    assert cache.get(LATEST_KEY.format(path=path))[3] == "123s"
    assert statement_timeout()[0] != "123s"  # only within the task
