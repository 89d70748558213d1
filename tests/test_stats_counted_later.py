"""/stats/ of a selection nothing keeps (a search, an outlet, a combination) is counted in
the reader's request only while that takes at most STATS_COUNT_TIMEOUT_MS on PostgreSQL;
past it the task worker counts it once, and meanwhile the page says so and looks again by
itself (tracker/stats.py::_counted). At a million cases a common word's statistics took
longer than the request's statement limit: the reader got a 503."""

import time

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import make_case, run_queued_tasks
from tracker import stats

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

URL = "/stats/?outlet=Mediazona&kind=refused_deploy"
FIGURE = "Confirmed and reported cases</dt><dd>{}</dd>"


@pytest.fixture
def slow_statistics(monkeypatch, settings):
    """The statistics statement made to sleep 0.3 s, past a limit of 50 ms."""
    settings.STATS_COUNT_TIMEOUT_MS = 50
    one_statement_sql = stats.one_statement_sql

    def slow(cases, **options):
        statement, params = one_statement_sql(cases, **options)
        slept = f"SELECT q.* FROM ({statement}) AS q CROSS JOIN (SELECT pg_sleep(0.3)) AS s"  # noqa: S608
        return slept, params

    monkeypatch.setattr(stats, "one_statement_sql", slow)


@pytest.fixture
def cases(region):
    for number in range(3):
        make_case(title=f"Case {number}", home_region=region)


def counting(sql_queries):
    return [query for query in sql_queries if "GROUPING" in query["sql"]]


def test_a_slow_selection_is_counted_by_the_worker_and_the_page_says_so(
    client, cases, slow_statistics, large_record
):
    with CaptureQueriesContext(connection) as first:
        waiting = client.get(URL, HTTP_ACCEPT_LANGUAGE="ru")
    with CaptureQueriesContext(connection) as again:
        still_waiting = client.get(URL, HTTP_ACCEPT_LANGUAGE="ru")

    # The reader's statement was given up; the page says why and looks again by itself.
    page = waiting.content.decode()
    assert waiting.status_code == 200
    assert "их статистика сейчас подсчитывается" in page
    assert '<meta http-equiv="refresh" content="5">' in page
    assert "<svg" not in page
    # Asked once: the next reader neither counts again nor gets a kept page.
    assert len(counting(first.captured_queries)) == 1
    assert not counting(again.captured_queries)
    assert "их статистика сейчас подсчитывается" in still_waiting.content.decode()
    assert len(large_record.results) == 1
    # A chart downloaded meanwhile: try again shortly.
    chart = client.get(URL.replace("/stats/", "/stats/cases-by-month.svg"))
    assert chart.status_code == 503 and chart["Retry-After"] == "5"

    run_queued_tasks(large_record)  # the worker's turn, under its own statement limit
    counted = client.get(URL, HTTP_ACCEPT_LANGUAGE="ru").content.decode()

    assert "подсчитывается" not in counted and "http-equiv" not in counted
    assert "Случаи (подтверждено или сообщается)</dt><dd>3</dd>" in counted


def test_a_slow_selection_counted_before_is_shown_while_it_is_counted_again(
    client, cases, slow_statistics, large_record
):
    client.get(URL)
    run_queued_tasks(large_record)
    # Five minutes later the numbers are due again; a new case has been published.
    make_case(title="Case 3")
    cache.delete(stats._cache_key([("kind", "refused_deploy"), ("outlet", "Mediazona")]))

    shown = client.get(f"{URL}&sort=-people").content.decode()

    # The last numbers, not a page without any, while the worker counts the new ones.
    assert FIGURE.format(3) in shown
    assert len(large_record.results) == 1
    run_queued_tasks(large_record)
    cache.delete(stats._cache_key([("kind", "refused_deploy"), ("outlet", "Mediazona")]))
    assert FIGURE.format(4) in client.get(f"{URL}&sort=people").content.decode()


def test_with_no_worker_the_reader_counts_after_a_while(
    client, cases, slow_statistics, large_record
):
    selection = [("kind", "refused_deploy"), ("outlet", "Mediazona")]
    # Asked long ago, and no worker has delivered: counted in the request, as before.
    cache.set(stats._cache_key(selection, "counting"), time.time() - 3600, 60)

    page = client.get(URL).content.decode()

    assert FIGURE.format(3) in page


def test_a_selection_counted_within_the_limit_is_counted_in_the_request(
    client, cases, large_record
):
    page = client.get(URL).content.decode()

    assert FIGURE.format(3) in page
    assert not large_record.results


def test_only_so_many_slow_selections_wait_for_the_worker_at_once(
    client, cases, slow_statistics, large_record, monkeypatch
):
    monkeypatch.setattr(stats, "STATS_COUNTS_WAITING_MAX", 1)
    other = "/stats/?outlet=Mediazona&kind=left_unit"

    client.get(URL)
    second = client.get(other).content.decode()

    # The second is not queued behind the first; its page says it is being counted.
    assert [result.args for result in large_record.results] == [
        ["kind=refused_deploy&outlet=Mediazona"]
    ]
    assert "their statistics are being counted now" in second
    run_queued_tasks(large_record)
    # Once the first is counted, the second is queued when its page looks again.
    client.get(other)
    queued = [result.args for result in large_record.results]
    assert queued == [["kind=left_unit&outlet=Mediazona"]]
