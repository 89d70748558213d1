import datetime

import pytest
from django.urls import reverse

from tests.conftest import is_postgresql, make_case
from tests.helpers import listed_titles
from tracker import pagination as tracker_pagination
from tracker.api import pagination as api_pagination
from tracker.api.throttling import AnonymousRateThrottle
from tracker.models import Case, CaseCorrection, CaseEvent, CaseOutcome

pytestmark = pytest.mark.django_db

API_LIST = "/api/cases/"


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
                {"outlet": "The Wall Street Journal"},
                {"outlet": "Mediazona", "published_on": datetime.date(2022, 3, 1)},
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
            event_date=datetime.date(2022, 5, 1),
            people_count=1,
            confidence=Case.Confidence.UNCONFIRMED,
            outcomes=[CaseOutcome.Outcome.NOTHING_KNOWN],
        ),
    ]


def api_titles(client, params):
    response = client.get(API_LIST, {**params, "per_page": 100})
    assert response.status_code == 200
    return [case["title_en"] for case in response.json()["results"]]


def listing_titles(client, params):
    return listed_titles(client.get(reverse("tracker:case_list"), {**params, "per_page": 100}))


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"region": "RU-KB"},
        {"force": "army"},
        {"force": "rosgvardia", "confidence": "confirmed"},
        {"outcome": "dismissed"},
        {"q": "десантники"},
        {"people": "50", "sort": "event_date"},
        {"date_from": "2022-03-01", "sort": "-people"},
        {"region": "RU-KB", "force": "army"},
    ],
)
def test_the_api_lists_exactly_the_listings_cases_in_its_order(client, cases, params):
    assert api_titles(client, params) == listing_titles(client, params)


def test_the_api_never_lists_unpublished_cases(client, published_case, draft_case, retracted_case):
    assert api_titles(client, {}) == [published_case.title]


@pytest.mark.parametrize("fixture", ["draft_case", "retracted_case"])
def test_an_unpublished_case_is_not_found(client, request, fixture):
    case = request.getfixturevalue(fixture)
    response = client.get(f"/api/cases/{case.pk}/")
    assert response.status_code == 404
    assert case.title not in response.content.decode()


def test_a_case_lists_its_facts_with_codes_and_its_permanent_url(client, cases):
    nalchik = cases[0]
    [case] = client.get(API_LIST, {"region": "RU-KB"}).json()["results"]
    assert case["id"] == nalchik.pk
    assert case["url"] == f"http://testserver/cases/{nalchik.pk}/"
    assert case["home_region"]["code"] == "RU-KB"
    assert case["force"] == "rosgvardia_other"
    assert case["outcomes"] == ["court_rejected", "dismissed"]
    # Dated sources first, on SQLite and PostgreSQL alike.
    assert [source["outlet"] for source in case["sources"]] == [
        "Mediazona",
        "The Wall Street Journal",
    ]


def test_the_detail_adds_timeline_corrections_and_only_public_related_cases(
    client, cases, draft_case
):
    nalchik, pskov, _conscript = cases
    nalchik.related_cases.add(pskov, draft_case)
    CaseEvent.objects.create(
        case=nalchik,
        date="2022-06-01",
        kind=CaseEvent.Kind.RULING,
        description="Appeal lost.",
        court="Nalchik garrison court",
        legal_basis=CaseEvent.LegalBasis.DISMISSAL_CONTRACT,
        claimants=115,
        result=CaseEvent.Result.REJECTED,
    )
    CaseCorrection.objects.create(
        case=nalchik, note_en="Number of people corrected.", note_ru="Число людей уточнено."
    )
    data = client.get(f"/api/cases/{nalchik.pk}/").json()
    assert data["events"] == [
        {
            "date": "2022-06-01",
            "date_precision": "day",
            "kind": "ruling",
            "description_en": "Appeal lost.",
            "description_ru": "",
            "description_uk": "",
            "court": "Nalchik garrison court",
            "legal_basis": "dismissal_contract",
            "claimants": 115,
            "result": "rejected",
            "closed_hearing": None,
        }
    ]
    # The note in every language; empty where it was not written in one.
    assert [
        (correction["note_en"], correction["note_ru"], correction["note_uk"])
        for correction in data["corrections"]
    ] == [("Number of people corrected.", "Число людей уточнено.", "")]
    assert data["related_cases"] == [
        {
            "id": pskov.pk,
            "url": f"http://testserver/cases/{pskov.pk}/",
            "original_language": "en",
            "title_en": pskov.title,
            "title_ru": "",
            "title_uk": "",
        }
    ]


@pytest.mark.parametrize(
    "params",
    [{"force": "tanks"}, {"date_from": "yesterday"}, {"region": "XX-NOPE"}, {"people": "-5"}],
)
def test_a_bad_filter_is_refused_with_the_errors(client, cases, params):
    response = client.get(API_LIST, params)
    assert response.status_code == 400
    assert list(response.json()) == list(params)


def test_the_api_pages_with_the_listings_parameters(client, region):
    for number in range(7):
        make_case(title=f"Case {number}", home_region=region)
    first = client.get(API_LIST, {"per_page": 5}).json()
    assert first["count"] == 7
    assert first["count_more_than"] is None
    assert len(first["results"]) == 5
    assert first["previous"] is None
    # The next link carries the listing's cursor: the same cost on every page.
    assert "after=" in first["next"] and "per_page=5" in first["next"]
    second = client.get(first["next"]).json()
    assert [case["title_en"] for case in second["results"]] == ["Case 1", "Case 0"]
    assert second["next"] is None
    back = client.get(second["previous"]).json()
    assert back["results"] == first["results"]
    # A page by its position, as in the listing's shared URLs.
    assert client.get(API_LIST, {"per_page": 5, "page": 2}).json()["results"] == (second["results"])


def test_past_the_cap_the_api_says_more_than_instead_of_counting(client, region, monkeypatch):
    monkeypatch.setattr(tracker_pagination, "COUNT_CAP", 3)
    monkeypatch.setattr(api_pagination, "COUNT_CAP", 3)
    for number in range(5):
        make_case(title=f"Case {number}", home_region=region)
    page = client.get(API_LIST, {"per_page": 2, "region": "RU-KB"}).json()
    assert page["count"] is None
    assert page["count_more_than"] == 3
    titles = [case["title_en"] for case in page["results"]]
    while page["next"]:
        page = client.get(page["next"]).json()
        titles += [case["title_en"] for case in page["results"]]
    assert titles == [f"Case {number}" for number in (4, 3, 2, 1, 0)]


def test_a_page_too_far_is_not_found(client, cases):
    assert client.get(API_LIST, {"page": 99}).status_code == 404


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_api_is_read_only(client, cases, method):
    url = f"/api/cases/{cases[0].pk}/"
    response = getattr(client, method)(url, {"title": "Changed"}, content_type="application/json")
    assert response.status_code == 403
    cases[0].refresh_from_db()
    assert cases[0].title == "Nalchik guardsmen dismissed"


@pytest.mark.parametrize("count", [1, 30])
def test_the_list_runs_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, region, count
):
    for number in range(count):
        make_case(title=f"Case {number}", home_region=region)
    # Region check, count, cases, outcomes, sources; on PostgreSQL inside the test's
    # transaction the count's time limit ends with a savepoint's release (outside one
    # it ends with the statement).
    with django_assert_max_num_queries(6 if is_postgresql() else 5):
        response = client.get(API_LIST, {"region": "RU-KB", "per_page": 100})
    assert len(response.json()["results"]) == count
    # Kept until the data changes: the next page of the same filter counts nothing.
    with django_assert_max_num_queries(4):
        client.get(API_LIST, {"region": "RU-KB", "per_page": 100, "sort": "-people"})


def test_the_detail_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries, cases):
    cases[0].related_cases.add(cases[1])
    cases[0].possible_duplicates.add(cases[2])
    with django_assert_max_num_queries(6):
        response = client.get(f"/api/cases/{cases[0].pk}/")
    assert [case["id"] for case in response.json()["related_cases"]] == [cases[1].pk]
    assert [case["id"] for case in response.json()["possible_duplicates"]] == [cases[2].pk]


def test_anonymous_clients_are_throttled(client, cases, monkeypatch):
    monkeypatch.setitem(AnonymousRateThrottle.THROTTLE_RATES, "anon", "3/minute")
    statuses = [client.get(API_LIST).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_a_forged_forwarded_for_header_does_not_buy_a_fresh_allowance(client, cases, monkeypatch):
    monkeypatch.setitem(AnonymousRateThrottle.THROTTLE_RATES, "anon", "2/minute")
    statuses = [
        client.get(API_LIST, HTTP_X_FORWARDED_FOR=f"198.51.100.{number}").status_code
        for number in range(3)
    ]
    assert statuses == [200, 200, 429]


def test_the_throttle_never_keeps_the_client_address(rf):
    def cache_key(address):
        request = rf.get(API_LIST, REMOTE_ADDR=address)
        request.user = None  # what DRF sets without authentication
        return AnonymousRateThrottle().get_cache_key(request, view=None)

    key = cache_key("203.0.113.7")
    assert "203.0.113.7" not in key
    assert key == cache_key("203.0.113.7")
    assert key != cache_key("203.0.113.8")


def test_a_request_without_a_client_address_is_still_answered(client, cases):
    response = client.get(API_LIST, REMOTE_ADDR=None)
    assert response.status_code == 200
