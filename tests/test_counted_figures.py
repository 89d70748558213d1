"""Headline figures and statistics count confirmed and reported cases; the unconfirmed ones
are counted apart, said so next to the figures, with a link that lists them. A reader who
chooses a confidence gets figures of exactly that choice. The listing lists every case."""

import re
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from tests.conftest import make_case, run_queued_tasks
from tests.helpers import listed_titles
from tracker.models import Case

pytestmark = pytest.mark.django_db

CONFIRMED, REPORTED, UNCONFIRMED = (
    Case.Confidence.CONFIRMED,
    Case.Confidence.REPORTED,
    Case.Confidence.UNCONFIRMED,
)


@pytest.fixture
def mixed(region, other_region):
    """Two confirmed and one reported case (20 people, one home region) and two
    unconfirmed ones (500 people, another home region)."""
    make_case(title="Confirmed one", confidence=CONFIRMED, people_count=5, home_region=region)
    make_case(title="Confirmed two", confidence=CONFIRMED, people_count=5, home_region=region)
    make_case(title="Reported one", confidence=REPORTED, people_count=10, home_region=region)
    for title in ("Rumour one", "Rumour two"):
        make_case(title=title, confidence=UNCONFIRMED, people_count=250, home_region=other_region)


def text(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def uncounted_link(response):
    found = re.search(r'<p class="uncounted">.*?<a href="([^"]+)"', response.content.decode(), re.S)
    return found and found.group(1).replace("&amp;", "&")


def test_the_home_figures_count_confirmed_and_reported_cases(client, mixed):
    response = client.get(reverse("tracker:home"))
    figures = response.context["figures"]
    assert (figures["cases"], figures["people"], figures["regions"]) == (3, 20, 1)
    assert "Confirmed and reported cases 3" in text(response)
    assert "Unconfirmed cases, not counted here: 2. Show them" in text(response)


def test_the_home_figures_in_russian(client, mixed):
    response = client.get(reverse("tracker:home"), HTTP_ACCEPT_LANGUAGE="ru")
    assert "Случаи (подтверждено или сообщается) 3" in text(response)
    assert "Неподтверждённые случаи, здесь не учтённые: 2. Показать их" in text(response)


def test_the_show_them_link_lists_the_unconfirmed_cases(client, mixed):
    link = uncounted_link(client.get(reverse("tracker:home")))
    assert sorted(listed_titles(client.get(link))) == ["Rumour one", "Rumour two"]


def test_the_home_page_says_nothing_of_unconfirmed_cases_when_there_are_none(client, region):
    make_case(confidence=REPORTED, home_region=region)
    response = client.get(reverse("tracker:home"))
    assert uncounted_link(response) is None
    assert "not counted" not in text(response)


def test_the_statistics_count_confirmed_and_reported_cases(client, mixed):
    response = client.get(reverse("tracker:stats"))
    figures = response.context["figures"]
    assert (figures["cases"], figures["people"], figures["regions"]) == (3, 20, 1)
    assert "Unconfirmed cases, not counted here: 2." in text(response)
    confidence = next(c for c in response.context["charts"] if c.id == "cases-by-confidence")
    assert [(row.label, row.value) for row in confidence.rows] == [
        ("confirmed", 2),
        ("reported", 1),
    ]
    assert "Unconfirmed cases are not counted in these charts: 2." in text(response)


def test_the_statistics_in_russian(client, mixed):
    response = client.get(reverse("tracker:stats"), HTTP_ACCEPT_LANGUAGE="ru")
    assert "Случаи (подтверждено или сообщается) 3" in text(response)
    assert "Неподтверждённые случаи, здесь не учтённые: 2." in text(response)


def test_the_statistics_of_a_filter_count_its_confirmed_and_reported_cases(
    client, mixed, other_region
):
    response = client.get(reverse("tracker:stats"), {"region": other_region.code})
    assert response.context["figures"]["cases"] == 0
    assert response.context["figures"]["uncounted"] == 2
    # The link keeps the filter and adds the confidence.
    link = uncounted_link(response)
    assert f"region={other_region.code}" in link and "confidence=unconfirmed" in link
    assert sorted(listed_titles(client.get(link))) == ["Rumour one", "Rumour two"]


@pytest.mark.parametrize(
    ("confidence", "cases", "people"), [(UNCONFIRMED, 2, 500), (CONFIRMED, 2, 10)]
)
def test_a_chosen_confidence_counts_exactly_what_is_chosen(
    client, mixed, confidence, cases, people
):
    response = client.get(reverse("tracker:stats"), {"confidence": confidence})
    figures = response.context["figures"]
    assert (figures["cases"], figures["people"], figures["uncounted"]) == (cases, people, 0)
    assert uncounted_link(response) is None
    assert "Cases " + str(cases) in text(response)


def test_the_listing_lists_every_case_and_says_which_the_figures_leave_out(client, mixed):
    response = client.get(reverse("tracker:case_list"))
    assert len(listed_titles(response)) == 5
    assert "5 cases" in text(response)
    assert "Every published case is listed, 2 unconfirmed ones included" in text(response)
    chosen = client.get(reverse("tracker:case_list"), {"confidence": UNCONFIRMED})
    assert "unconfirmed ones included" not in text(chosen)


def test_the_downloaded_chart_says_what_it_counts(client, mixed):
    response = client.get(reverse("tracker:stats_chart_svg", args=["cases-by-kind"]))
    svg = ET.fromstring(response.content)  # noqa: S314 (our own file)
    lines = ["".join(t.itertext()) for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert "All confirmed and reported cases" in lines
    assert any(
        line.startswith("Refusal Tracker · confirmed and reported cases as of")
        and "unconfirmed ones not counted" in line
        for line in lines
    )
    chosen = client.get(
        reverse("tracker:stats_chart_svg", args=["cases-by-kind"]), {"confidence": UNCONFIRMED}
    )
    assert "Refusal Tracker · published cases as of" in chosen.content.decode()


def test_the_figures_follow_a_change_of_confidence(client, mixed, large_record):
    assert client.get(reverse("tracker:home")).context["figures"]["cases"] == 3
    assert client.get(reverse("tracker:stats")).context["figures"]["cases"] == 3
    rumour = Case.objects.get(title_en="Rumour one")
    rumour.confidence = REPORTED
    rumour.save()
    # Readers keep the last figures while the task computes the new ones (tracker.cache).
    assert client.get(reverse("tracker:home")).context["figures"]["uncounted"] == 2
    assert client.get(reverse("tracker:stats")).context["figures"]["uncounted"] == 2
    run_queued_tasks(large_record)
    home = client.get(reverse("tracker:home")).context["figures"]
    stats = client.get(reverse("tracker:stats")).context["figures"]
    assert (home["cases"], home["uncounted"]) == (4, 1)
    assert (stats["cases"], stats["uncounted"]) == (4, 1)
