"""The tile-grid map of the home regions on /stats/ and the home page."""

import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from tests.conftest import make_case
from tracker import tilemap

pytestmark = pytest.mark.django_db

SVG_NS = "{http://www.w3.org/2000/svg}"


def region_codes():
    regions = json.loads(tilemap.REGIONS_FILE.read_text(encoding="utf-8"))
    return {region["code"] for region in regions if region["code"] != "OTHER"}


def the_map(response):
    content = response.content.decode()
    svg = re.search(r'<svg class="tile-map-svg".*?</svg>', content, re.S)[0]
    return ET.fromstring(svg)  # noqa: S314 (our own page)


def tiles(svg):
    return {
        link.findtext(f"{SVG_NS}text"): (link.get("class"), link.get("href"))
        for link in svg.iter(f"{SVG_NS}a")
    }


def test_every_region_has_exactly_one_tile_of_its_own():
    assert set(tilemap.LAYOUT) == region_codes()
    assert len(set(tilemap.LAYOUT.values())) == len(tilemap.LAYOUT)
    labels = [tilemap.label_of(code) for code in tilemap.LAYOUT]
    assert len(set(labels)) == len(labels)


def test_shades_grow_with_the_count_and_none_means_no_case():
    assert tilemap.shade_of(0, 500) == 0
    shades = [tilemap.shade_of(count, 500) for count in (1, 5, 30, 150, 500)]
    assert shades == sorted(shades) and shades[0] >= 1 and shades[-1] == tilemap.SHADES


@pytest.fixture
def cases(region, other_region):
    make_case(title="KB one", home_region=region)
    make_case(title="KB two", home_region=region, confidence="confirmed")
    make_case(title="Pskov", home_region=other_region)


@pytest.mark.parametrize("url", [reverse("tracker:stats"), reverse("tracker:home")])
def test_the_map_shades_each_tile_by_its_cases_and_links_to_them(client, cases, url):
    found = tiles(the_map(client.get(url)))
    assert len(found) == len(tilemap.LAYOUT)
    assert found["KB"] == ("tile tile-5", "/cases/?region=RU-KB")
    assert found["PSK"][0] in ("tile tile-3", "tile tile-4")
    assert found["MOW"] == ("tile tile-0", "/cases/?region=RU-MOW")
    assert found["CRI"] == ("tile tile-0", "/cases/?region=UA-43")


def test_on_stats_the_map_counts_under_the_filter_and_its_tiles_keep_it(client, cases):
    response = client.get(reverse("tracker:stats"), {"confidence": "confirmed"})
    found = tiles(the_map(response))
    assert found["KB"] == ("tile tile-5", "/cases/?confidence=confirmed&region=RU-KB")
    assert found["PSK"][0] == "tile tile-0"


def test_the_table_beside_the_map_gives_the_same_numbers(client, cases):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ru"
    content = client.get(reverse("tracker:stats")).content.decode()
    table = re.search(r'<details class="chart-data map-data">.*?</details>', content, re.S)[0]
    rows = re.findall(
        r'<tr><th scope="row"><a href="[^"]*">(.*?)</a></th>'
        r'<td>(.*?)</td><td class="number">(\d+)</td></tr>',
        table,
    )
    assert rows == [
        ("Кабардино-Балкарская Республика", "RU-KB", "2"),
        ("Псковская область", "RU-PSK", "1"),
    ]
    svg = the_map(client.get(reverse("tracker:stats")))
    kb = next(link for link in svg.iter(f"{SVG_NS}a") if link.findtext(f"{SVG_NS}text") == "KB")
    # The accessible name begins with the visible label (WCAG 2.5.3).
    assert kb.get("aria-label").startswith("KB — Кабардино-Балкарская Республика: 2")
