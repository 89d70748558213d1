import datetime
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from tests.conftest import make_case
from tests.helpers import listed_titles
from tracker import feeds
from tracker.models import Case

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def read_feed(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)  # noqa: S314 (our own feed)
    assert root.tag == f"{ATOM}feed"
    return root


def entry_titles(root):
    return [entry.findtext(f"{ATOM}title") for entry in root.iter(f"{ATOM}entry")]


@pytest.fixture
def cases(region, other_region):
    base = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
    return [
        make_case(
            title=f"Case {number}",
            home_region=region if number % 2 else other_region,
            force=Case.Force.ARMY_GROUND if number < 2 else Case.Force.ROSGVARDIA_OMON,
            published_at=base + datetime.timedelta(days=number),
            summary=f"Summary <b>{number}</b>\n\nSecond paragraph.",
        )
        for number in range(4)
    ]


def test_the_feed_parses_as_atom_with_the_newest_publication_first(client, cases):
    root = read_feed(client.get(reverse("tracker:case_feed")))
    assert root.findtext(f"{ATOM}title") == "Refusal Tracker: newly published cases"
    assert root.findtext(f"{ATOM}id")
    assert root.findtext(f"{ATOM}updated")
    assert root.find(f"{ATOM}author/{ATOM}name").text == "Refusal Tracker"
    assert entry_titles(root) == ["Case 3", "Case 2", "Case 1", "Case 0"]


def test_an_entry_has_the_permanent_url_as_link_and_id(client, cases):
    root = read_feed(client.get(reverse("tracker:case_feed")))
    entry = next(root.iter(f"{ATOM}entry"))
    permanent = f"http://testserver/cases/{cases[3].pk}/"
    assert entry.find(f"{ATOM}link").get("href") == permanent
    assert entry.findtext(f"{ATOM}id") == permanent
    assert entry.findtext(f"{ATOM}published").startswith("2024-01-04")
    terms = {category.get("term") for category in entry.iter(f"{ATOM}category")}
    assert "Armed Forces: ground forces" not in terms
    assert "Rosgvardiya: OMON" in terms


def test_the_summary_is_escaped_text_not_markup(client, cases):
    root = read_feed(client.get(reverse("tracker:case_feed")))
    summary = next(root.iter(f"{ATOM}entry")).findtext(f"{ATOM}summary")
    assert "&lt;b&gt;3&lt;/b&gt;" in summary
    assert "<p>Second paragraph.</p>" in summary


def test_unpublished_cases_never_appear(client, published_case, draft_case, retracted_case):
    root = read_feed(client.get(reverse("tracker:case_feed")))
    assert entry_titles(root) == [published_case.title]


@pytest.mark.parametrize(
    "params", [{"region": "RU-KB"}, {"force": "rosgvardia"}, {"region": "RU-PSK", "force": "army"}]
)
def test_a_filtered_feed_has_exactly_the_listings_cases(client, cases, params):
    root = read_feed(client.get(reverse("tracker:case_feed"), params))
    listing = listed_titles(client.get(reverse("tracker:case_list"), params))
    assert sorted(entry_titles(root)) == sorted(listing)
    assert "matching a filter" in root.findtext(f"{ATOM}title")
    self_link = root.find(f"{ATOM}link[@rel='self']").get("href")
    assert self_link.startswith("http://testserver/cases/feed/?")


def test_a_bad_filter_is_refused(client, cases):
    response = client.get(reverse("tracker:case_feed"), {"region": "XX-NOPE"})
    assert response.status_code == 400
    assert "region" in response.json()["errors"]


def test_the_feed_holds_the_latest_cases_only(client, region, monkeypatch):
    monkeypatch.setattr(feeds, "FEED_SIZE", 3)
    for number in range(5):
        make_case(title=f"Case {number}", home_region=region)
    root = read_feed(client.get(reverse("tracker:case_feed")))
    assert len(entry_titles(root)) == 3


@pytest.mark.parametrize("count", [1, 20])
def test_the_feed_runs_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, region, count
):
    for number in range(count):
        make_case(title=f"Case {number}", home_region=region)
    with django_assert_max_num_queries(2):
        root = read_feed(client.get(reverse("tracker:case_feed"), {"region": "RU-KB"}))
    assert len(entry_titles(root)) == count


def test_the_listing_links_its_feed_in_the_head(client, cases):
    content = client.get(reverse("tracker:case_list"), {"force": "army"}).content.decode()
    head = content.split("</head>")[0]
    assert 'rel="alternate" type="application/atom+xml"' in head
    assert 'href="/cases/feed/?force=army"' in head
