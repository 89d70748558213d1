"""Full-text search on PostgreSQL: stemming in both languages, ranking, and plans that
use the indexes at a realistic size."""

import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from tests.conftest import make_case
from tests.helpers import listed_titles
from tracker import views
from tracker.filters import DEFAULT_SORT, SORTS, CaseFilter
from tracker.models import Case
from tracker.pagination import capped_count
from tracker.search import is_ranked
from tracker.stats import one_statement_sql

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def titles(client, **params):
    return listed_titles(client.get(reverse("tracker:case_list"), params))


def test_english_words_match_other_forms_of_the_same_word(client):
    case = make_case(title="Soldiers deserted", summary="They were deserting in groups.")
    assert titles(client, q="desertion") == [case.title]


def test_russian_words_match_other_forms_of_the_same_word(client):
    case = make_case(title="Отказ от участия", summary="Десантники отказались ехать на фронт.")
    assert titles(client, q="десантник отказался") == [case.title]


def test_a_title_match_ranks_above_a_summary_match(client):
    in_summary = make_case(title="Soldiers left", summary="A Kadyrovite unit met them.")
    in_title = make_case(title="Kadyrovite unit refused", summary="No details.")
    assert titles(client, q="kadyrovite") == [in_title.title, in_summary.title]


def test_choosing_a_sort_replaces_the_ranking(client):
    older = make_case(title="Omon refused", event_date="2022-03-01")
    newer = make_case(title="Soldiers refused", summary="Omon men too.", event_date="2023-03-01")
    assert titles(client, q="omon") == [older.title, newer.title]
    assert titles(client, q="omon", sort="-event_date") == [newer.title, older.title]


def test_too_many_matches_to_rank_are_shown_newest_first_and_the_page_says_so(client, monkeypatch):
    monkeypatch.setattr(views, "RANKED_MATCHES_MAX", 1)
    older = make_case(title="Omon refused", event_date="2022-03-01")
    newer = make_case(title="Soldiers refused", summary="Omon men too.", event_date="2023-03-01")
    response = client.get(reverse("tracker:case_list"), {"q": "omon"})
    assert listed_titles(response) == [newer.title, older.title]
    assert "too many to rank" in response.content.decode()


def test_search_works_in_a_subquery_and_on_a_deep_page(client):
    for number in range(5):
        make_case(title=f"Marine {number} refused")
    response = client.get(reverse("tracker:case_list"), {"q": "marine", "per_page": 2, "page": 2})
    assert len(listed_titles(response)) == 2
    queryset = CaseFilter({"q": "marine"}, queryset=Case.objects.public()).qs
    assert Case.objects.filter(pk__in=queryset.values("pk")).count() == 5


def test_a_stop_word_alone_does_not_empty_the_listing(client):
    make_case(title="Marines refused")
    assert titles(client, q="the marines") == ["Marines refused"]


# --- Plans at a realistic size -------------------------------------------------------

FILTERS = [
    {},
    {"q": "гомель"},
    {"q": "airborne"},
    {"q": "46108"},
    {"date_from": "2026-01-01"},
    {"date_to": "2022-03-01"},
    {"region": "RU-KB"},
    {"force": "army_navy"},
    {"force": "rosgvardia"},
    {"service_status": "officer"},
    {"kind": "self_injury"},
    {"outcome": "court_partly_granted"},
    {"confidence": "unconfirmed"},
    {"people": "50"},
    {"outlet": "Kyiv Independent"},
    {"outlet": "no such outlet"},
    {"sort": "event_date"},
    {"sort": "-people"},
    {"sort": "-published"},
    {"region": "RU-KB", "kind": "left_unit", "outcome": "dismissed"},
]


@pytest.fixture(scope="module")
def realistic_table(django_db_setup, django_db_blocker):
    """4,000 generated cases (committed, removed afterwards), VACUUMed and ANALYZEd, so
    the planner has the statistics it would have in production."""
    with django_db_blocker.unblock():
        call_command("generate_cases", 4000, verbosity=0)
        yield
        call_command("generate_cases", delete=True, verbosity=0)


# The listing counts up to 1,000 of a million cases (0.1 %); here, about the same share.
SCALED_CAP = 5


def plans(params, per_page=25):
    """The plans of the listing's two queries: the capped count and the first page."""
    queryset = CaseFilter(params, queryset=Case.objects.public().for_listing()).qs
    if is_ranked(queryset) and capped_count(queryset, cap=SCALED_CAP) > SCALED_CAP:
        # As the listing does (tracker.views): more matches than the cap are listed
        # newest first, not ranked (ranking them all is what a million cases cannot do).
        queryset = queryset.order_by(*SORTS[DEFAULT_SORT][1])
    count_query = queryset.order_by().values("pk")[: SCALED_CAP + 1]
    page_query = queryset[: per_page + 1]
    result = []
    for query in (count_query, page_query):
        sql, query_params = query.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", query_params)
            result.append(cursor.fetchone()[0])
    return result


@pytest.mark.parametrize(
    "params", FILTERS, ids=lambda params: "&".join(f"{k}={v}" for k, v in params.items()) or "none"
)
def test_no_listing_filter_scans_the_cases_table(realistic_table, params):
    for plan in plans(params):
        assert not _full_scans_of(plan, "tracker_case"), json.dumps(plan, indent=1)


def _full_scans_of(plan, table):
    """Sequential scans of `table`, except one right under a LIMIT that the planner
    expects to stop within the first tenth of the table (e.g. the first few rows of a
    common search word): that reads less than an index would."""
    found = []
    stack = [(node["Plan"], None) for node in plan]
    while stack:
        node, parent = stack.pop()
        if node["Node Type"] == "Seq Scan" and node.get("Relation Name") == table:
            stops_early = (
                parent is not None
                and parent["Node Type"] == "Limit"
                and parent["Total Cost"] < node["Total Cost"] / 10
            )
            if not stops_early:
                found.append(node)
        stack.extend((child, node) for child in node.get("Plans", []))
    return found


STATISTICS_COMBINATIONS = [
    {"force": "army", "kind": "left_unit", "outcome": "dismissed"},
    {"force": "rosgvardia", "service_status": "contract"},
    {"region": "RU-KB", "kind": "left_unit"},
    {"kind": "self_injury", "date_from": "2024-01-01"},
    {"service_status": "officer", "outcome": "court_partly_granted"},
    {"confidence": "unconfirmed", "force": "army_ground"},
    # No filter with an index column but a date (migration 0017).
    {"outcome": "dismissed", "date_from": "2026-01-01"},
    {"outcome": "criminal_case", "date_to": "2022-06-30"},
]


@pytest.mark.parametrize(
    "params",
    STATISTICS_COMBINATIONS,
    ids=lambda params: "&".join(f"{k}={v}" for k, v in params.items()),
)
def test_the_statistics_of_a_combination_read_an_index_not_the_cases(realistic_table, params):
    # Only single filters are kept by a task; a combination is counted when asked, from
    # the narrowest filter's index, which carries every column read (migration 0016).
    cases = CaseFilter(params, queryset=Case.objects.public()).qs.order_by()
    # The statement /stats/ runs: counted cases and the unconfirmed apart, in one pass.
    sql, sql_params = one_statement_sql(cases, uncounted_apart=True)
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", sql_params)
        plan = cursor.fetchone()[0]
    reads = _reads_of(plan, "tracker_case")
    assert reads and {node["Node Type"] for node in reads} == {"Index Only Scan"}, json.dumps(
        plan, indent=1
    )
    if params.get("outcome") and {"date_from", "date_to"} & set(params):
        # A range of the date's index, not every entry of another one.
        assert {node["Index Name"] for node in reads} <= {
            "case_pub_latest_idx",
            "case_pub_earliest_idx",
        }, json.dumps(plan, indent=1)


def _reads_of(plan, table):
    found, stack = [], [node["Plan"] for node in plan]
    while stack:
        node = stack.pop()
        if node.get("Relation Name") == table:
            found.append(node)
        stack.extend(node.get("Plans", []))
    return found


def test_the_count_stops_at_the_cap(realistic_table):
    assert capped_count(Case.objects.public(), cap=100) == 101


def test_a_unit_number_drives_the_search_and_every_word_still_counts(client):
    make_case(title="Soldiers of military unit 3723 refused", unit="military unit 3723")
    make_case(title="Guardsmen of unit 3723 refused", unit="3723")
    make_case(title="Military unit 46108 refused", unit="military unit 46108")
    assert titles(client, q="military unit 3723") == ["Soldiers of military unit 3723 refused"]
    assert sorted(titles(client, q="3723")) == [
        "Guardsmen of unit 3723 refused",
        "Soldiers of military unit 3723 refused",
    ]
    # The index serves the number alone; the other words are checked on its few cases
    # (the index would collect every case with a word beginning "unit" or "military").
    queryset = CaseFilter({"q": "military unit 3723"}, queryset=Case.objects.public()).qs
    sql = str(queryset.query)
    assert "|| ''::tsvector) @@" in sql
    assert sql.count("@@") == 2  # the number through the index, the other words not
