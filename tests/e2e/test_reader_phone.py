"""The reader's experience on a 360 px phone, in Russian (issue 17): results first with
removable chips, the tile map of the regions, charts whose labels fit, the report form's
error banner; also the feed as a page."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import run_axe, translated

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 740}


@pytest.fixture
def phone(make_page):
    # JavaScript stays on so that the test can measure the page; the pages have no script.
    return make_page(locale="ru-RU", viewport=PHONE)


def no_sideways_scrolling(page):
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def test_on_a_phone_the_results_come_first_and_each_filter_is_a_removable_chip(
    phone, server, screenshot
):
    page = phone
    page.goto(server.url + "/cases/")
    first_case = page.locator(".case-row").first
    assert first_case.bounding_box()["y"] < PHONE["height"], "the results start below the fold"
    # The filters are folded: open them, choose the kind with the most cases, apply.
    page.locator(".filter-panel > summary").click()
    kind = page.locator("#id_kind")
    options = kind.locator("option").all_inner_texts()
    counted = [text for text in options[1:] if re.search(r" — \d+$", text)]
    assert len(counted) == len(options) - 1, options  # every value shows its count
    best = max(counted, key=lambda text: int(text.rsplit(" — ", 1)[1]))
    kind.select_option(label=best)
    page.get_by_role("button", name=translated("Apply", "ru")).click()
    screenshot(page, "filtered")

    assert "kind=" in page.url
    expect(page.locator(".filter-panel")).not_to_have_attribute("open", "")
    label = best.rsplit(" — ", 1)[0]
    summary = page.locator(".filter-panel-active")
    expect(summary).to_contain_text(label)
    assert summary.bounding_box()["height"] < 30, "the summary takes one line"
    count = int(best.rsplit(" — ", 1)[1])
    expect(page.locator("#results-heading")).to_contain_text(str(count))
    assert page.locator(".case-row").first.bounding_box()["y"] < PHONE["height"]
    chip = page.locator("a.chip", has_text=label)
    expect(chip).to_be_visible()
    assert no_sideways_scrolling(page)

    chip.click()
    assert "kind" not in parse_qs(urlsplit(page.url).query)
    expect(page.locator("a.chip")).to_have_count(0)
    assert run_axe(page) == []


def test_the_tile_map_links_every_region_to_its_cases(phone, server, screenshot):
    page = phone
    page.goto(server.url + "/stats/")
    tiles = page.locator(".tile-map-svg a.tile")
    expect(tiles).to_have_count(89)
    assert no_sideways_scrolling(page), "the map scrolls inside its own box, not the page"
    # The labels of the tiles are readable: at least 11 px high on the phone.
    height = page.locator(".tile-map-svg text").first.bounding_box()["height"]
    assert height >= 11, height
    darkest = page.locator(".tile-map-svg a.tile-5").first
    name, cases = darkest.get_attribute("aria-label").split(" — ", 1)[1].rsplit(": ", 1)
    number = re.match(r"\d+", cases.replace("\u00a0", ""))[0]
    # The same number is in the table beside the map.
    table = page.locator(".map-data")
    table.locator("summary").click()
    expect(table.locator("tr", has_text=name)).to_contain_text(number)
    screenshot(page, "map")

    darkest.scroll_into_view_if_needed()
    darkest.click()
    assert urlsplit(page.url).path == "/cases/"
    assert "region" in parse_qs(urlsplit(page.url).query)
    expect(page.locator("#results-heading")).to_contain_text(number)
    expect(page.locator("a.chip")).to_contain_text(name)

    page.goto(server.url + "/")
    expect(page.locator(".tile-map-svg a.tile")).to_have_count(89)


CLIPPED_TEXTS = """() => {
    const clipped = [];
    for (const svg of document.querySelectorAll('svg.chart-svg')) {
        const box = svg.getBoundingClientRect();
        for (const text of svg.querySelectorAll('text')) {
            const r = text.getBoundingClientRect();
            if (r.left < box.left - 0.5 || r.right > box.right + 0.5
                || r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5) {
                clipped.push(svg.closest('figure').id + ': ' + text.textContent.trim());
            }
        }
    }
    return clipped;
}"""

# Each tile's label inside its own square, so no code runs into its neighbour's.
CLIPPED_TILE_LABELS = """() => {
    const clipped = [];
    for (const tile of document.querySelectorAll('svg.tile-map-svg a.tile')) {
        const square = tile.querySelector('rect').getBoundingClientRect();
        const label = tile.querySelector('text');
        const r = label.getBoundingClientRect();
        if (r.left < square.left - 0.5 || r.right > square.right + 0.5
            || r.top < square.top - 0.5 || r.bottom > square.bottom + 0.5) {
            clipped.push(label.textContent.trim());
        }
    }
    return clipped;
}"""


@pytest.mark.parametrize("locale", ["ru-RU", "uk-UA", "en-GB"])
def test_no_chart_label_runs_off_its_chart_at_360_px(make_page, server, screenshot, locale):
    page = make_page(locale=locale, viewport=PHONE)
    page.goto(server.url + "/stats/")
    assert page.locator("svg.chart-svg").count() == 7
    assert page.locator("svg.chart-svg text").count() > 20
    screenshot(page, "charts")
    assert page.evaluate(CLIPPED_TEXTS) == []
    assert no_sideways_scrolling(page)


@pytest.mark.parametrize("locale", ["ru-RU", "uk-UA", "en-GB"])
def test_every_tile_label_fits_its_square_at_360_px(make_page, server, locale):
    page = make_page(locale=locale, viewport=PHONE)
    page.goto(server.url + "/stats/")
    expect(page.locator(".tile-map-svg a.tile")).to_have_count(89)
    assert page.evaluate(CLIPPED_TILE_LABELS) == []


def test_each_chart_downloads_as_an_svg_with_a_credit_line(phone, server):
    page = phone
    page.goto(server.url + "/stats/")
    links = page.locator(".chart-download a")
    expect(links).to_have_count(7)
    href = links.first.get_attribute("href")
    assert href.startswith("/stats/") and href.endswith(".svg")
    response = page.goto(server.url + href)  # opens in the browser, under the same CSP
    assert response.headers["content-type"] == "image/svg+xml; charset=utf-8"
    texts = page.locator("svg text").all_text_contents()
    # The chart counts confirmed and reported cases only, and its credit line says so.
    assert "Все случаи со статусом «подтверждено» или «сообщается»" in texts
    credit = "Refusal Tracker · случаи со статусом «подтверждено» или «сообщается» на"
    assert any(text.startswith(credit) for text in texts)


def test_the_report_forms_error_banner_takes_the_focus_and_leads_to_each_field(
    phone, server, screenshot
):
    page = phone
    page.goto(server.url + "/submit/")
    # The introduction names the required answers; the three are marked.
    expect(page.locator(".asteriskField")).to_have_count(3)
    consent = page.locator("label[for=id_consent_to_publish]")
    box = consent.bounding_box()
    assert box["x"] + box["width"] <= PHONE["width"], "the consent runs off the screen"
    size = consent.evaluate("label => parseFloat(getComputedStyle(label).fontSize)")
    assert size >= 14
    page.get_by_role("button", name=translated("Send report", "ru")).click()

    banner = page.locator("#error-summary")
    expect(banner).to_be_focused()
    links = banner.locator("a")
    texts = links.all_inner_texts()
    assert texts[0] == translated("What happened?", "ru")
    assert len(texts) == 3, texts  # what happened, how you know, consent
    screenshot(page, "errors")
    assert no_sideways_scrolling(page)
    for index in range(len(texts)):
        target = links.nth(index).get_attribute("href")
        assert page.locator(target).count() == 1, target
    links.nth(2).click()
    assert page.url.endswith("#id_consent_to_publish")
    expect(page.locator("#id_consent_to_publish")).to_be_in_viewport()
    assert run_axe(page) == []


def test_the_feed_opens_as_a_readable_page_with_how_to_subscribe(phone, server):
    page = phone
    page.goto(server.url + "/cases/feed/")
    expect(page.get_by_role("heading", level=2).first).to_have_text(
        "Это лента новостей: подпишитесь, чтобы узнавать о новых случаях"
    )
    assert page.locator(".case-row").count() > 0
    # The page's own stylesheet applied under the strict CSP (Chromium itself adds a
    # banner about XSLT's deprecation, whose inline style that CSP refuses), and nothing
    # came from another origin.
    header = page.locator(".site-header")
    assert header.evaluate("h => getComputedStyle(h).backgroundColor") == "rgb(243, 245, 247)"
    own = server.url.split("//", 1)[1]
    assert all(own in request.url for request in page.recorder.requests)
