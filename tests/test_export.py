import csv
import datetime
import io
import json
import tracemalloc

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone

from tests.conftest import make_case
from tests.helpers import listed_titles
from tracker import exports
from tracker.models import Case, CaseOutcome, Source

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(region, other_region):
    return [
        make_case(
            title="Nalchik guardsmen dismissed",
            home_region=region,
            force=Case.Force.ROSGVARDIA_OTHER,
            event_date=datetime.date(2022, 2, 25),
            people_count=115,
            confidence=Case.Confidence.CONFIRMED,
            outcomes=[CaseOutcome.Outcome.DISMISSED, CaseOutcome.Outcome.COURT_REJECTED],
            sources=[
                {
                    "outlet": "Mediazona",
                    "url": "https://zona.media/a",
                    "published_on": datetime.date(2022, 3, 1),
                },
                {"outlet": "The Wall Street Journal"},
            ],
        ),
        make_case(
            title="Псковские десантники отказались",
            home_region=other_region,
            force=Case.Force.ARMY_AIRBORNE,
            event_date=datetime.date(2022, 3, 20),
            people_count=60,
            people_qualifier=Case.PeopleQualifier.ABOUT,
            outcomes=[CaseOutcome.Outcome.THREATENED_PROSECUTION],
        ),
        make_case(
            title="Conscript objected",
            home_region=None,
            force=Case.Force.ARMY_GROUND,
            event_date=None,
            event_date_precision="unknown",
            people_count=1,
            confidence=Case.Confidence.UNCONFIRMED,
            outcomes=[],
            sources=[],
        ),
    ]


def read_csv(response):
    assert isinstance(response, StreamingHttpResponse)
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(content[1:])))


def read_json(response):
    assert isinstance(response, StreamingHttpResponse)
    return json.loads(b"".join(response.streaming_content))


def listing_titles(client, params):
    response = client.get(reverse("tracker:case_list"), {**params, "per_page": 100})
    return listed_titles(response)


FILTERS = [
    {},
    {"region": "RU-KB"},
    {"force": "army"},
    {"force": "rosgvardia", "confidence": "confirmed"},
    {"outcome": "dismissed"},
    {"q": "десантники"},
    {"people": "50", "sort": "event_date"},
    {"date_from": "2022-03-01"},
    {"region": "RU-KB", "force": "army"},
]


@pytest.mark.parametrize("params", FILTERS)
def test_the_csv_export_has_exactly_the_listings_cases_in_its_order(client, cases, params):
    rows = read_csv(client.get(reverse("tracker:case_export_csv"), params))
    assert [row["title_en"] for row in rows] == listing_titles(client, params)


@pytest.mark.parametrize("params", FILTERS)
def test_the_json_export_has_exactly_the_listings_cases_in_its_order(client, cases, params):
    data = read_json(client.get(reverse("tracker:case_export_json"), params))
    assert [row["title_en"] for row in data["cases"]] == listing_titles(client, params)


def test_unpublished_cases_are_never_exported(client, published_case, draft_case, retracted_case):
    csv_rows = read_csv(client.get(reverse("tracker:case_export_csv")))
    json_rows = read_json(client.get(reverse("tracker:case_export_json")))["cases"]
    assert [row["id"] for row in csv_rows] == [str(published_case.pk)]
    assert [row["id"] for row in json_rows] == [published_case.pk]


def test_the_csv_has_the_documented_columns_a_stable_id_and_the_public_url(client, cases):
    response = client.get(reverse("tracker:case_export_csv"), {"region": "RU-KB"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="refusal-tracker-')
    [row] = read_csv(response)
    nalchik = cases[0]
    assert list(row) == exports.COLUMN_NAMES
    assert row["id"] == str(nalchik.pk)
    assert row["url"] == f"http://testserver/cases/{nalchik.pk}/"
    assert row["event_date"] == "2022-02-25"
    assert row["home_region"] == "RU-KB"
    assert row["force"] == "rosgvardia_other"
    assert row["outcomes"] == "court_rejected | dismissed"
    assert row["sources"] == (
        "Mediazona (2022-03-01) https://zona.media/a | The Wall Street Journal"
    )


def test_cyrillic_survives_the_csv_round_trip(client, cases):
    rows = read_csv(client.get(reverse("tracker:case_export_csv"), {"force": "army_airborne"}))
    assert rows[0]["title_en"] == "Псковские десантники отказались"
    assert rows[0]["home_region_name_ru"] == cases[1].home_region.name_ru


def test_unknown_values_are_empty_cells_not_the_word_none(client, cases):
    [row] = read_csv(client.get(reverse("tracker:case_export_csv"), {"q": "Conscript"}))
    assert row["event_date"] == ""
    assert row["home_region"] == ""
    assert row["sources"] == ""
    assert "None" not in row.values()


def test_the_json_export_keeps_sources_and_outcomes_as_lists(client, cases):
    data = read_json(client.get(reverse("tracker:case_export_json"), {"region": "RU-KB"}))
    [case] = data["cases"]
    assert list(case) == exports.COLUMN_NAMES
    assert case["outcomes"] == ["court_rejected", "dismissed"]
    assert case["sources"][0]["outlet"] == "Mediazona"
    assert case["sources"][0]["published_on"] == "2022-03-01"
    assert data["listing"] == "http://testserver/cases/?region=RU-KB"
    assert data["documentation"] == "http://testserver/data/"


@pytest.mark.parametrize(
    "text",
    ['=HYPERLINK("http://evil.example","x")', "+7 999", "-2+3", "@SUM(A1)", "\t=1", "\r=1"],
)
def test_cells_a_spreadsheet_would_run_as_a_formula_are_neutralised(client, text):
    make_case(title=text, unit=text, location=text, named_people=text, legal_articles=text)
    [row] = read_csv(client.get(reverse("tracker:case_export_csv")))
    for column in ("title_en", "unit", "location", "named_people", "legal_articles"):
        assert row[column] == "'" + text


def test_a_source_outlet_cannot_smuggle_a_formula_into_the_sources_cell(client):
    make_case(sources=[{"outlet": "=cmd|' /C calc'!A0"}])
    [row] = read_csv(client.get(reverse("tracker:case_export_csv")))
    assert row["sources"] == "'=cmd|' /C calc'!A0"


def test_ordinary_text_and_numbers_are_left_alone():
    assert exports.neutralise_formula("Mediazona") == "Mediazona"
    assert exports.neutralise_formula("a = b") == "a = b"
    assert exports.neutralise_formula(12) == 12


@pytest.mark.parametrize("url_name", ["tracker:case_export_csv", "tracker:case_export_json"])
@pytest.mark.parametrize(
    "params", [{"force": "tanks"}, {"date_from": "yesterday"}, {"region": "XX-NOPE"}]
)
def test_a_bad_filter_is_refused_with_the_errors_not_ignored(client, cases, url_name, params):
    response = client.get(reverse(url_name), params)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == list(params)


@pytest.mark.parametrize("url_name", ["tracker:case_export_csv", "tracker:case_export_json"])
def test_the_export_runs_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, region, url_name
):
    make_bulk_cases(120, region)
    # The region check, then the cases, their outcomes, sources and legal steps per chunk.
    with django_assert_max_num_queries(5):
        response = client.get(reverse(url_name), {"region": "RU-KB"})
        content = b"".join(response.streaming_content)
    assert content.count(b"Bulk case") == 120


def make_bulk_cases(count, region):
    now = timezone.now()
    cases = Case.objects.bulk_create(
        Case(
            title=f"Bulk case {number}",
            summary="A summary of moderate length that repeats. " * 4,
            status=Case.Status.PUBLISHED,
            published_at=now,
            refusal_kind=Case.RefusalKind.LEFT_UNIT,
            home_region=region,
        )
        for number in range(count)
    )
    CaseOutcome.objects.bulk_create(
        CaseOutcome(case=case, outcome=CaseOutcome.Outcome.DISMISSED) for case in cases
    )
    Source.objects.bulk_create(
        Source(case=case, outlet="Mediazona", url=f"https://zona.media/{case.pk}") for case in cases
    )


def peak_memory_while_streaming(client, url):
    tracemalloc.start()
    try:
        response = client.get(url)
        size = sum(len(chunk) for chunk in response.streaming_content)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return size, peak


@pytest.mark.parametrize("url_name", ["tracker:case_export_csv", "tracker:case_export_json"])
def test_memory_stays_flat_when_the_export_grows_tenfold(client, region, monkeypatch, url_name):
    monkeypatch.setattr(exports, "CHUNK_SIZE", 50)
    make_bulk_cases(200, region)
    small_size, small_peak = peak_memory_while_streaming(client, reverse(url_name))
    make_bulk_cases(1800, region)
    large_size, large_peak = peak_memory_while_streaming(client, reverse(url_name))
    assert large_size > 9 * small_size
    # Holding every row would cost about ten times as much; a stream costs about the same.
    assert large_peak < 2 * small_peak


def test_the_data_dictionary_documents_every_exported_column(client, cases):
    header = read_csv(client.get(reverse("tracker:case_export_csv")))[0].keys()
    content = client.get(reverse("tracker:data_dictionary")).content.decode()
    for name in header:
        assert f'<tr id="column-{name}">' in content
    assert "<code>rosgvardia_omon</code>" in content
    assert "Rosgvardiya: OMON" in content


def test_the_listing_offers_its_own_results_for_download(client, cases):
    response = client.get(reverse("tracker:case_list"), {"force": "army", "page": "1"})
    content = response.content.decode()
    assert 'href="/cases/export.csv?force=army"' in content
    assert 'href="/cases/export.json?force=army"' in content
    assert 'href="/data/"' in content
