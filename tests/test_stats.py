import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from tests.conftest import make_case
from tracker import charts
from tracker.models import Case, CaseOutcome, Region

pytestmark = pytest.mark.django_db

SVG = re.compile(r"<svg\b.*?</svg>", re.S)
CHART_IDS = [
    "cases-by-month",
    "people-by-month",
    "cases-by-region",
    "cases-by-force",
    "cases-by-kind",
    "cases-by-outcome",
    "cases-by-confidence",
]


def stats_page(client, **params):
    response = client.get(reverse("tracker:stats"), params)
    assert response.status_code == 200
    return response


def svgs_of(response):
    """Every chart on the page, parsed as XML (so each one is well-formed); the map of
    the regions is tested in test_tile_map.py."""
    svgs = [
        ET.fromstring(svg)  # noqa: S314 (our own page)
        for svg in SVG.findall(response.content.decode())
    ]
    return [svg for svg in svgs if svg.get("class") == "chart-svg"]


def chart(response, chart_id):
    [found] = [c for c in response.context["charts"] if c.id == chart_id]
    return found


def table_rows(chart_):
    return [(row.label, row.value) for row in chart_.rows]


def test_with_no_cases_every_chart_says_there_is_no_data(client):
    response = stats_page(client)
    content = response.content.decode()
    assert svgs_of(response) == []
    # Every chart and the map of the regions.
    assert content.count("No data for this selection.") == len(CHART_IDS) + 1
    assert "No published case matches these filters." in content


def test_one_case_draws_every_chart_with_one_bar(client, published_case):
    response = stats_page(client)
    svgs = svgs_of(response)
    assert len(svgs) == len(CHART_IDS)
    for svg in svgs:
        assert svg.get("role") == "img"
        assert svg.find("{http://www.w3.org/2000/svg}title").text
        assert svg.find("{http://www.w3.org/2000/svg}desc").text
        assert len(svg.findall(".//{http://www.w3.org/2000/svg}rect")) == 1
    assert table_rows(chart(response, "cases-by-month")) == [("Feb 2022", 1)]
    assert table_rows(chart(response, "cases-by-region")) == [("Kabardino-Balkar Republic", 1)]


@pytest.fixture
def many_cases(region, other_region):
    regions = list(Region.objects.order_by("code")[:25])
    made = []
    for number in range(30):
        made.append(
            make_case(
                title=f"Case {number}",
                home_region=regions[number % 25],
                event_date=datetime.date(2022, 2 + number % 3 * 5, 1),
                event_date_precision="month",
                people_count=number + 1,
                force=Case.Force.ROSGVARDIA_OMON if number < 10 else Case.Force.ARMY_GROUND,
                confidence=Case.Confidence.CONFIRMED if number < 5 else Case.Confidence.REPORTED,
                outcomes=[CaseOutcome.Outcome.DISMISSED]
                + ([CaseOutcome.Outcome.CRIMINAL_CASE] if number % 2 else []),
            )
        )
    make_case(
        title="Undated",
        event_date=None,
        event_date_precision="unknown",
        people_count=None,
        people_qualifier="unknown",
        home_region=None,
        force=Case.Force.ARMY_GROUND,
        outcomes=[],
    )
    return made


def test_many_cases_are_counted_by_month_with_the_empty_months_shown(client, many_cases):
    response = stats_page(client)
    months = table_rows(chart(response, "cases-by-month"))
    # February, July and December 2022, with the months between them at zero.
    assert months[0] == ("Feb 2022", 10)
    assert months[5] == ("Jul 2022", 10)
    assert months[-1] == ("Dec 2022", 10)
    assert len(months) == 11
    assert sum(value for _label, value in months) == 30
    assert "1 cases with an unknown date are not shown." in response.content.decode()
    people = table_rows(chart(response, "people-by-month"))
    assert sum(value for _label, value in people) == sum(range(1, 31))


def test_many_cases_are_counted_by_region_force_outcome_and_confidence(client, many_cases):
    response = stats_page(client)
    regions = table_rows(chart(response, "cases-by-region"))
    assert len(regions) == 20
    assert regions[0][1] == 2
    assert table_rows(chart(response, "cases-by-force")) == [
        ("Armed Forces: ground forces", 21),
        ("Rosgvardiya: OMON", 10),
    ]
    assert table_rows(chart(response, "cases-by-outcome")) == [
        ("dismissed", 30),
        ("criminal case opened", 15),
    ]
    assert table_rows(chart(response, "cases-by-confidence")) == [
        ("reported", 26),
        ("confirmed", 5),
    ]
    assert response.context["figures"]["cases"] == 31


def test_the_listings_filters_apply_to_the_charts(client, many_cases, draft_case):
    response = stats_page(client, force="rosgvardia")
    assert response.context["figures"]["cases"] == 10
    assert table_rows(chart(response, "cases-by-force")) == [("Rosgvardiya: OMON", 10)]
    assert table_rows(chart(response, "cases-by-confidence")) == [
        ("confirmed", 5),
        ("reported", 5),
    ]


def test_unpublished_cases_are_never_counted(client, published_case, draft_case, retracted_case):
    response = stats_page(client)
    assert response.context["figures"]["cases"] == 1
    assert table_rows(chart(response, "cases-by-confidence")) == [("reported", 1)]


def test_a_bad_filter_is_shown_and_ignored_like_on_the_listing(client, published_case):
    response = stats_page(client, force="tanks")
    assert "force" in response.context["filter"].form.errors
    assert response.context["figures"]["cases"] == 1


def test_every_chart_has_a_data_table_fallback(client, many_cases):
    content = stats_page(client).content.decode()
    assert content.count('<details class="chart-data">') == len(CHART_IDS)
    assert '<th scope="row">Rosgvardiya: OMON</th><td class="number">10</td>' in content


def test_the_stats_and_the_listing_link_to_each_other_with_the_filter(client, published_case):
    stats_content = stats_page(client, force="army").content.decode()
    assert 'href="/cases/?force=army"' in stats_content
    listing = client.get(reverse("tracker:case_list"), {"force": "army"}).content.decode()
    assert 'href="/stats/?force=army"' in listing


def test_the_page_has_no_script_and_no_inline_style(client, many_cases):
    content = stats_page(client).content.decode()
    assert "<script" not in content
    assert "style=" not in content
    assert "<style" not in content


def test_svg_coordinates_keep_a_decimal_point_in_russian(client, many_cases):
    with translation.override("ru"):
        response = client.get(reverse("tracker:stats"), HTTP_ACCEPT_LANGUAGE="ru")
    svgs = SVG.findall(response.content.decode())
    assert svgs
    for svg in svgs:
        for attribute in re.findall(r'\b(?:x|y|width|height|y1|y2)="([^"]*)"', svg):
            assert re.fullmatch(r"-?\d+(\.\d+)?%?", attribute), attribute


@pytest.mark.parametrize("count", [1, 30])
def test_the_stats_run_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, region, count
):
    for number in range(count):
        make_case(title=f"Case {number}", home_region=region)
    # The region check and the form's region menu, then four aggregates over the counted
    # cases and the count of the unconfirmed ones they leave out.
    with django_assert_max_num_queries(7):
        stats_page(client, region="RU-KB")


@pytest.mark.parametrize(
    ("largest", "step"), [(0, 1), (1, 1), (4, 1), (5, 2), (10, 5), (37, 10), (1234, 500)]
)
def test_gridlines_fall_on_round_numbers(largest, step):
    assert charts.nice_step(largest) == step


def test_a_bar_is_as_long_as_its_share_of_the_largest():
    bars = charts.bar_chart(
        "x", "Title", [("a", 10), ("b", 5), ("c", 0)], label_heading="L", value_heading="V"
    )
    assert [row.width for row in bars.rows] == [charts.BAR_MAX_WIDTH, charts.BAR_MAX_WIDTH / 2, 0]
    assert bars.height == 3 * charts.BAR_ROW_HEIGHT


def test_a_short_timeline_names_every_month_and_a_long_one_every_year(client, region):
    make_case(event_date=datetime.date(2022, 11, 5), home_region=region)
    make_case(event_date=datetime.date(2023, 2, 5), home_region=region)
    short = chart(stats_page(client), "cases-by-month")
    assert [label.text for label in short.axis_labels] == ["Nov 2022", "Dec", "Jan 2023", "Feb"]
    make_case(event_date=datetime.date(2023, 7, 5), home_region=region)
    cache.clear()
    # Nine months: every third is named, so that the names fit a phone's width.
    nine = chart(stats_page(client), "cases-by-month")
    assert [label.text for label in nine.axis_labels] == ["Nov 2022", "Feb", "May"]
    make_case(event_date=datetime.date(2024, 6, 1), home_region=region)
    cache.clear()  # the figures are cached for a few minutes
    long = chart(stats_page(client), "cases-by-month")
    assert len(long.rows) == 20
    assert long.axis_labels[-1].anchor == "start"
    # The first month (November) is too close to January to carry "2022" as well: on a
    # phone the two labels would run into each other.
    assert [label.text for label in long.axis_labels] == ["2023", "2024"]
    make_case(event_date=datetime.date(2022, 3, 1), home_region=region)
    cache.clear()
    longer = chart(stats_page(client), "cases-by-month")
    assert [label.text for label in longer.axis_labels] == ["2022", "2023", "2024"]


def test_the_same_selection_is_computed_once_for_a_few_minutes(
    client, django_assert_max_num_queries, region
):
    make_case(home_region=region, force=Case.Force.ARMY_GROUND)
    first = stats_page(client, region="RU-KB", force="army")
    make_case(home_region=region, force=Case.Force.ARMY_GROUND)
    # Another URL for the same selection (order, sort, a bad extra value) hits the cache:
    # only the form's region check and menu query the database.
    with django_assert_max_num_queries(2):
        again = stats_page(client, force="army", region="RU-KB", sort="-people", kind="nope")
    assert again.context["figures"] == first.context["figures"]
    cache.clear()
    assert stats_page(client, region="RU-KB", force="army").context["figures"]["cases"] == 2


def test_a_different_selection_is_not_served_from_the_cache(client, region, other_region):
    make_case(home_region=region)
    make_case(home_region=other_region)
    assert stats_page(client, region="RU-KB").context["figures"]["cases"] == 1
    assert stats_page(client).context["figures"]["cases"] == 2
    assert stats_page(client, region="RU-PSK").context["figures"]["cases"] == 1


def test_an_anonymous_reader_gets_the_drawn_charts_from_the_cache_without_queries(
    client, many_cases, django_assert_num_queries
):
    first = client.get(reverse("tracker:stats"), {"force": "army"})
    with django_assert_num_queries(0):
        second = client.get(reverse("tracker:stats"), {"force": "army"})

    def drawn(response):
        page = response.content.decode()
        return page[page.index("<h1>") : page.index("</main>")]

    assert drawn(second) == drawn(first)
    assert drawn(second).count("<svg") > 5
