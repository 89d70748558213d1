import datetime
import re

import pytest
from django.urls import reverse

from tests.conftest import make_case
from tests.helpers import listed_titles
from tracker.models import Case, CaseOutcome

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(region, other_region):
    """Four published cases that differ on every filter."""
    return {
        "nalchik": make_case(
            title="Nalchik guardsmen dismissed",
            summary="Guardsmen of a Rosgvardiya unit returned from Ukraine.",
            unit="military unit 3723",
            home_region=region,
            force=Case.Force.ROSGVARDIA_OTHER,
            service_status=Case.ServiceStatus.CONTRACT,
            refusal_kind=Case.RefusalKind.LEFT_COMBAT,
            confidence=Case.Confidence.CONFIRMED,
            event_date=datetime.date(2022, 2, 25),
            people_count=115,
            outcomes=[CaseOutcome.Outcome.DISMISSED, CaseOutcome.Outcome.COURT_REJECTED],
            sources=[{"outlet": "Mediazona"}, {"outlet": "The Wall Street Journal"}],
        ),
        "pskov": make_case(
            title="Pskov paratroopers refused",
            summary="About sixty contract soldiers refused to go.",
            home_region=other_region,
            force=Case.Force.ARMY_AIRBORNE,
            service_status=Case.ServiceStatus.CONTRACT,
            refusal_kind=Case.RefusalKind.REFUSED_DEPLOY,
            confidence=Case.Confidence.REPORTED,
            event_date=datetime.date(2022, 3, 20),
            people_count=60,
            people_qualifier=Case.PeopleQualifier.ABOUT,
            outcomes=[CaseOutcome.Outcome.THREATENED_PROSECUTION],
            sources=[{"outlet": "Kharkiv Human Rights Protection Group"}],
        ),
        "conscript": make_case(
            title="Conscript objected",
            summary="A conscript asked for alternative civilian service.",
            home_region=None,
            force=Case.Force.ARMY_GROUND,
            service_status=Case.ServiceStatus.CONSCRIPT,
            refusal_kind=Case.RefusalKind.CONSCIENTIOUS_OBJECTION,
            confidence=Case.Confidence.UNCONFIRMED,
            event_date=datetime.date(2022, 5, 1),
            people_count=1,
            outcomes=[CaseOutcome.Outcome.NOTHING_KNOWN],
            sources=[{"outlet": "Meduza"}],
        ),
        "omon": make_case(
            title="Khakassia riot police refused",
            summary="Eleven OMON officers refused to enter Ukraine.",
            home_region=other_region,
            force=Case.Force.ROSGVARDIA_OMON,
            service_status=Case.ServiceStatus.OFFICER,
            refusal_kind=Case.RefusalKind.REFUSED_DEPLOY,
            confidence=Case.Confidence.CONFIRMED,
            event_date=datetime.date(2022, 2, 24),
            people_count=11,
            outcomes=[CaseOutcome.Outcome.DISMISSED],
            sources=[{"outlet": "Mediazona"}],
        ),
    }


def titles_for(client, **params):
    response = client.get(reverse("tracker:case_list"), params)
    assert response.status_code == 200
    return set(listed_titles(response))


def titles_of(cases, *keys):
    return {cases[key].title for key in keys}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["nalchik", "pskov", "conscript", "omon"]),
        ({"q": "3723"}, ["nalchik"]),
        ({"q": "alternative civilian"}, ["conscript"]),
        # Nalchik's kind of refusal reads "refused to continue / left the combat zone":
        # the labels of choices are searchable text.
        ({"q": "REFUSED"}, ["nalchik", "pskov", "omon"]),
        ({"date_from": "2022-03-01"}, ["pskov", "conscript"]),
        ({"date_to": "2022-02-25"}, ["nalchik", "omon"]),
        ({"region": "RU-KB"}, ["nalchik"]),
        ({"region": "RU-PSK"}, ["pskov", "omon"]),
        ({"force": "rosgvardia"}, ["nalchik", "omon"]),
        ({"force": "army"}, ["pskov", "conscript"]),
        ({"force": "army_airborne"}, ["pskov"]),
        ({"service_status": "conscript"}, ["conscript"]),
        ({"kind": "refused_deploy"}, ["pskov", "omon"]),
        ({"outcome": "dismissed"}, ["nalchik", "omon"]),
        ({"outcome": "court_rejected"}, ["nalchik"]),
        ({"confidence": "confirmed"}, ["nalchik", "omon"]),
        ({"people": "60"}, ["nalchik", "pskov"]),
        ({"outlet": "mediazona"}, ["nalchik", "omon"]),
        ({"outlet": "Wall Street"}, ["nalchik"]),
    ],
)
def test_each_filter_narrows_the_listing_to_the_matching_cases(client, cases, params, expected):
    assert titles_for(client, **params) == titles_of(cases, *expected)


def test_filters_combine(client, cases):
    titles = titles_for(
        client, force="rosgvardia", confidence="confirmed", region="RU-PSK", date_to="2022-03-01"
    )
    assert titles == titles_of(cases, "omon")


def test_combined_filters_can_match_nothing(client, cases):
    response = client.get(reverse("tracker:case_list"), {"region": "RU-KB", "force": "army"})
    assert listed_titles(response) == []
    assert "No published case matches these filters." in response.content.decode()


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("-event_date", ["conscript", "pskov", "nalchik", "omon"]),
        ("event_date", ["omon", "nalchik", "pskov", "conscript"]),
        ("-people", ["nalchik", "pskov", "omon", "conscript"]),
    ],
)
def test_the_listing_sorts_by_the_chosen_order(client, cases, sort, expected):
    response = client.get(reverse("tracker:case_list"), {"sort": sort})
    assert listed_titles(response) == [cases[key].title for key in expected]


def test_recently_published_sort_puts_the_newest_publication_first(client, cases):
    latest = cases["conscript"]
    Case.objects.filter(pk=latest.pk).update(
        published_at=latest.published_at + datetime.timedelta(days=1)
    )
    response = client.get(reverse("tracker:case_list"), {"sort": "-published"})
    assert listed_titles(response)[0] == latest.title


def test_filtered_url_is_shareable_and_the_form_keeps_the_values(client, cases):
    response = client.get(reverse("tracker:case_list") + "?force=army&people=5")
    content = response.content.decode()
    assert set(listed_titles(response)) == titles_of(cases, "pskov")
    assert '<option value="army" selected>' in content
    assert 'name="people" value="5"' in content


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"date_from": "yesterday"}, "date_from"),
        ({"date_to": "2022-13-45"}, "date_to"),
        ({"force": "tanks"}, "force"),
        ({"kind": "refused\x00deploy"}, "kind"),
        ({"region": "RU-\x00KB"}, "region"),
        ({"region": "XX-NOPE"}, "region"),
        ({"people": "-5"}, "people"),
        ({"people": "many"}, "people"),
        ({"q": "x" * 10_000}, "q"),
        ({"q": "guard\x00smen"}, "q"),
        ({"outlet": "Medi\x00azona"}, "outlet"),
        ({"sort": "password"}, "sort"),
    ],
)
def test_bad_filter_values_show_the_error_instead_of_failing(client, cases, params, field):
    response = client.get(reverse("tracker:case_list"), params)
    assert response.status_code == 200
    assert field in response.context["filter"].form.errors
    assert "could not be understood" in response.content.decode()
    # The other cases are still listed: the bad filter is ignored, not obeyed.
    assert len(listed_titles(response)) == 4


def test_pagination_keeps_the_filter(client, region):
    for number in range(30):
        make_case(title=f"Case number {number:02d}", home_region=region)
    response = client.get(reverse("tracker:case_list"), {"region": "RU-KB", "per_page": 25})
    assert len(listed_titles(response)) == 25
    next_link = re.search(r'<a rel="next" href="([^"]*)"', response.content.decode())[1]
    assert next_link.startswith("?region=RU-KB&amp;per_page=25&amp;page=2&amp;after=")
    second = client.get(reverse("tracker:case_list"), {"region": "RU-KB", "page": 2})
    assert len(listed_titles(second)) == 5


def test_an_impossible_page_number_shows_a_page_not_an_error(client, published_case):
    response = client.get(reverse("tracker:case_list"), {"page": "9999"})
    assert response.status_code == 200
    assert listed_titles(response) == [published_case.title]


def test_regions_are_offered_in_the_readers_language_and_order(client):
    response = client.get(reverse("tracker:case_list"), HTTP_ACCEPT_LANGUAGE="ru")
    choices = [label for _value, label in response.context["filter"].form.fields["region"].choices]
    names = choices[1:]
    assert "Кемеровская область" in names
    assert names == sorted(names)


@pytest.mark.parametrize(
    ("params", "shown"),
    [({}, "-event_date"), ({"force": "army"}, "-event_date"), ({"q": "x"}, "relevance")],
)
def test_the_sort_select_shows_the_order_in_use(client, published_case, params, shown):
    content = client.get(reverse("tracker:case_list"), params).content.decode()
    assert f'<option value="{shown}" selected>' in content
