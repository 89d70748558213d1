"""On PostgreSQL /stats/ computes its numbers in one statement (GROUPING SETS over the
selected cases): the same numbers as the four portable queries, for any filter."""

import datetime

import pytest
from django.http import QueryDict

from tests.conftest import make_case
from tracker import stats
from tracker.filters import CaseFilter
from tracker.models import Case, CaseOutcome

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture
def cases(region, other_region):
    make_case(
        home_region=region,
        event_date=datetime.date(2022, 3, 5),
        outcomes=[CaseOutcome.Outcome.DISMISSED, CaseOutcome.Outcome.CRIMINAL_CASE],
    )
    make_case(
        home_region=other_region,
        force=Case.Force.ARMY_GROUND,
        event_date=datetime.date(2022, 7, 1),
        people_count=None,
        people_qualifier=Case.PeopleQualifier.UNKNOWN,
        outcomes=[CaseOutcome.Outcome.SENT_BACK],
    )
    make_case(
        event_date=None,
        event_date_precision="unknown",
        confidence=Case.Confidence.CONFIRMED,
        outcomes=[],
    )
    make_case(status=Case.Status.DRAFT, force=Case.Force.ARMY_NAVY)


@pytest.mark.parametrize(
    "query",
    ["", "force=army_ground", "outcome=dismissed", "q=guardsmen&confidence=reported", "kind=x"],
)
def test_one_statement_gives_the_numbers_of_the_four_queries(cases, query):
    case_filter = CaseFilter(QueryDict(query) or None, queryset=Case.objects.public())
    selected = case_filter.qs.order_by()

    one = stats._numbers_in_one_statement(selected)

    assert one == stats._numbers_in_four_queries(selected)


def test_the_numbers_of_every_case_say_what_the_cases_are(cases):
    numbers = stats._numbers_in_one_statement(Case.objects.public())

    assert numbers["figures"] == {"cases": 3, "people": 24, "regions": 2, "undated": 1}
    assert numbers["outcomes"] == {"dismissed": 1, "criminal_case": 1, "sent_back": 1}
    assert numbers["counts"]["force"]["army_ground"] == 1
    assert [(month.month, n) for month, n, _people in numbers["months"]][:2] == [(3, 1), (4, 0)]


def single_filter_queries():
    """Every single filter whose statistics are kept for each value, with every value."""
    from tracker.filters import FORCE_GROUPS

    choices = {
        "force": [*dict(FORCE_GROUPS), *Case.Force.values],
        "service_status": Case.ServiceStatus.values,
        "kind": Case.RefusalKind.values,
        "confidence": Case.Confidence.values,
        "region": ["RU-KB", "RU-PSK", "RU-MOW"],
        "outcome": CaseOutcome.Outcome.values,
    }
    return [(name, value) for name, values in choices.items() for value in values]


def test_the_statistics_kept_for_each_single_filter_are_those_of_the_filter(cases, region):
    # Unconfirmed cases are left out of the figures and counted apart, unless the
    # filter chooses a confidence.
    make_case(
        home_region=region,
        confidence=Case.Confidence.UNCONFIRMED,
        force=Case.Force.ROSGVARDIA_OTHER,
        outcomes=[CaseOutcome.Outcome.DISMISSED],
    )
    kept, total = stats.numbers_by_single_filter()

    assert total == 4
    for name, value in single_filter_queries():
        case_filter = CaseFilter(QueryDict(f"{name}={value}"), queryset=Case.objects.public())
        expected = stats.counted_numbers(
            case_filter.qs.order_by(), everything=stats.confidence_chosen(case_filter)
        )
        assert kept.get((name, value), stats.NO_NUMBERS) == expected, (name, value)


@pytest.mark.parametrize("query", ["", "force=army_ground", "outcome=sent_back", "kind=x"])
def test_the_unconfirmed_are_counted_apart_in_the_same_statement(cases, region, query):
    # A region, a month and an outcome that only an unconfirmed case has: left out of
    # the charts, counted apart.
    make_case(
        home_region=region,
        force=Case.Force.ARMY_GROUND,
        event_date=datetime.date(2023, 1, 9),
        confidence=Case.Confidence.UNCONFIRMED,
        outcomes=[CaseOutcome.Outcome.SENT_BACK, CaseOutcome.Outcome.DISMISSED],
    )
    make_case(
        force=Case.Force.ARMY_GROUND,
        event_date=datetime.date(2024, 5, 1),
        confidence=Case.Confidence.UNCONFIRMED,
        outcomes=[CaseOutcome.Outcome.CRIMINAL_CASE],
    )
    selected = CaseFilter(QueryDict(query) or None, queryset=Case.objects.public()).qs.order_by()

    one = stats.counted_numbers(selected)

    assert one == {
        **stats._numbers_in_four_queries(selected.counted()),
        "uncounted": selected.uncounted().count(),
    }
    # (An invalid value is ignored, as the listing ignores it.)
    assert one["uncounted"] == {
        "": 2,
        "force=army_ground": 2,
        "outcome=sent_back": 1,
        "kind=x": 2,
    }.get(query, 0)


def test_broad_combinations_are_kept_with_the_numbers_a_reader_would_get(
    cases, region, monkeypatch
):
    make_case(home_region=region, confidence=Case.Confidence.UNCONFIRMED)
    # Every combination selecting more than one case counts as broad here.
    monkeypatch.setattr(stats, "BROAD_SELECTION", 1)
    kept, total = stats.numbers_of_broad_combinations()

    assert total == 4
    # Two of the three published cases are contract soldiers of the Rosgvardiya (OMON)
    # who refused to deploy, as reported; the unconfirmed one is counted apart.
    assert (("force", "rosgvardia"), ("service_status", "contract")) in kept
    assert (("force", "army_ground"), ("service_status", "contract")) not in kept  # one case
    assert all(len(selection) >= 2 for selection in kept)
    for selection, numbers in kept.items():
        query = QueryDict(mutable=True)
        query.update(dict(selection))
        case_filter = CaseFilter(query, queryset=Case.objects.public())
        expected = stats.counted_numbers(
            case_filter.qs.order_by(), everything=stats.confidence_chosen(case_filter)
        )
        assert numbers == expected, selection


def test_a_reader_gets_a_broad_combination_from_what_is_kept(client, cases, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    monkeypatch.setattr(stats, "BROAD_SELECTION", 1)
    url = "/stats/?force=rosgvardia_omon&service_status=contract"
    client.get(url)  # the task keeps the broad combinations (run at once in tests)
    with CaptureQueriesContext(connection) as kept:
        kept_page = client.get(f"{url}&sort=-people")  # not from the page cache
    # A narrower combination (one case) is counted when asked.
    with CaptureQueriesContext(connection) as counted:
        counted_page = client.get("/stats/?force=army_ground&service_status=contract")

    assert not any("GROUPING" in query["sql"] for query in kept.captured_queries)
    assert any("GROUPING" in query["sql"] for query in counted.captured_queries)
    figure = "Confirmed and reported cases</dt><dd>{}</dd>"
    assert figure.format(2) in kept_page.content.decode()
    assert figure.format(1) in counted_page.content.decode()


@pytest.fixture
def dated_cases(region, other_region):
    """Cases whose possible days begin and end in different months: exact days, a
    month, a year, ranges with an open side, no date at all; unconfirmed ones too."""
    D = datetime.date
    for index, dates in enumerate(
        [
            {"event_date": D(2022, 2, 26)},
            {"event_date": D(2022, 3, 1)},
            {"event_date": D(2022, 3, 15)},
            {"event_date": D(2022, 3, 31)},
            {"event_date": D(2022, 3, 1), "event_date_precision": "month"},
            {"event_date": D(2023, 1, 1), "event_date_precision": "year"},
            {"event_date": D(2024, 5, 20)},
            {
                "event_date": None,
                "event_date_precision": "unknown",
                "event_date_not_before": D(2022, 2, 24),
                "event_date_not_after": D(2022, 3, 5),
            },
            {
                "event_date": None,
                "event_date_precision": "unknown",
                "event_date_not_after": D(2022, 3, 5),
            },
            {
                "event_date": None,
                "event_date_precision": "unknown",
                "event_date_not_before": D(2024, 6, 1),
            },
            {"event_date": None, "event_date_precision": "unknown"},
        ]
    ):
        make_case(
            home_region=(region, other_region, None)[index % 3],
            force=(Case.Force.ARMY_GROUND, Case.Force.ROSGVARDIA_OMON)[index % 2],
            confidence=(Case.Confidence.REPORTED, Case.Confidence.UNCONFIRMED)[index % 4 == 3],
            people_count=(None, 3, 40)[index % 3],
            people_qualifier=(Case.PeopleQualifier.UNKNOWN, *[Case.PeopleQualifier.EXACT] * 2)[
                index % 3
            ],
            outcomes=[
                [CaseOutcome.Outcome.DISMISSED],
                [CaseOutcome.Outcome.SENT_BACK, CaseOutcome.Outcome.CRIMINAL_CASE],
                [],
            ][index % 3],
            **dates,
        )


# Whole months and parts of months, from one side, the other or both.
DATE_RANGES = [
    "date_from=2022-03-01",
    "date_from=2022-03-02",
    "date_from=2022-03-31",
    "date_to=2022-03-31",
    "date_to=2022-03-05",
    "date_to=2022-02-28",
    "date_from=2022-02-25&date_to=2022-03-15",
    "date_from=2022-03-01&date_to=2022-03-31",
    "date_from=2022-03-06&date_to=2022-03-06",
    "date_from=2023-06-15&date_to=2024-05-31",
    "date_from=2024-06-02",
]
BROAD = ["", "force=army", "force=rosgvardia_omon", "outcome=dismissed", "confidence=reported"]


@pytest.mark.parametrize("broad", BROAD)
def test_a_date_range_over_a_broad_selection_adds_up_to_the_numbers_counted(
    dated_cases, monkeypatch, broad
):
    # Every selection counts as broad here: its numbers are kept by possible months.
    monkeypatch.setattr(stats, "BROAD_SELECTION", 0)
    keys, total = stats.numbers_by_possible_months()
    monkeypatch.setattr(stats, "aggregate", lambda path, **options: keys)

    assert total == 11
    for dates in DATE_RANGES:
        query = QueryDict(f"{broad}&{dates}" if broad else dates)
        case_filter = CaseFilter(query, queryset=Case.objects.public())
        expected = stats.counted_numbers(
            case_filter.qs.order_by(), everything=stats.confidence_chosen(case_filter)
        )

        added = stats._numbers_of_date_range(stats._selection(case_filter), case_filter)

        assert added == expected, (broad, dates)


def test_a_reader_counts_only_the_edge_months_of_a_date_range(client, dated_cases, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    monkeypatch.setattr(stats, "BROAD_SELECTION", 0)
    client.get("/stats/?force=army&date_from=2022-01-01")  # the task keeps the months
    with CaptureQueriesContext(connection) as whole:
        whole_page = client.get("/stats/?force=army&date_from=2022-03-01")
    with CaptureQueriesContext(connection) as edge:
        edge_page = client.get("/stats/?force=army&date_from=2022-03-06")
    counting = [query["sql"] for query in edge.captured_queries if "GROUPING" in query["sql"]]

    # From 1 March: the army's cases of 15 March 2022, of March 2022, of 20 May 2024 and
    # of "before 5 March 2022", all added up from the kept months.
    assert not any("GROUPING" in query["sql"] for query in whole.captured_queries)
    figure = "Confirmed and reported cases</dt><dd>{}</dd>"
    assert figure.format(4) in whole_page.content.decode()
    # From 6 March the case "before 5 March" is not found; only the cases whose possible
    # days end in March were counted.
    assert len(counting) == 1 and '"event_date_latest" <= ' in counting[0]
    assert figure.format(3) in edge_page.content.decode()
