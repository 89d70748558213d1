"""The public side in a real browser: accessibility, third parties, page weight, no JS."""

import gzip
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import run_axe

pytestmark = pytest.mark.e2e

PUBLIC_PATHS = ["/", "/cases/", "/cases/?force=rosgvardia&sort=-people", "/cases/1/"]


def other_origins(page, server):
    own = urlsplit(server.url).netloc
    return sorted(
        {
            request.url
            for request in page.recorder.requests
            if urlsplit(request.url).scheme in ("http", "https", "ws", "wss")
            and urlsplit(request.url).netloc != own
        }
    )


@pytest.mark.parametrize("path", PUBLIC_PATHS)
def test_public_pages_have_no_serious_accessibility_violations(page, server, screenshot, path):
    page.goto(server.url + path)
    screenshot(page, "page")
    assert run_axe(page) == []


@pytest.mark.parametrize("path", PUBLIC_PATHS)
def test_public_pages_request_nothing_from_another_origin(page, server, path):
    page.goto(server.url + path, wait_until="networkidle")
    assert other_origins(page, server) == []


def transferred_bytes(page, server, path):
    """Bytes on the wire for a page and everything it loads (compressed where served so)."""
    sizes = {}

    def on_response(response):
        sizes[response.url] = response.request.sizes()["responseBodySize"] + len(
            str(response.headers)
        )

    page.on("response", on_response)
    page.goto(server.url + path, wait_until="networkidle")
    page.remove_listener("response", on_response)
    return sizes


def test_the_listing_is_light_on_first_load_and_lighter_on_the_second(page, server):
    first = transferred_bytes(page, server, "/cases/")
    assert sum(first.values()) <= 60 * 1024, first
    second = transferred_bytes(page, server, "/cases/")
    # Static files come from the browser cache (hashed names, far-future expiry): only the
    # HTML travels again.
    assert sum(second.values()) <= 15 * 1024, second
    css_url = next(url for url in first if url.endswith(".css"))
    css = page.request.get(css_url)
    assert "max-age=315360000" in css.headers["cache-control"]
    assert "immutable" in css.headers["cache-control"]


def test_listing_html_and_css_compress_to_a_few_tens_of_kilobytes(page, server):
    page.goto(server.url + "/cases/")
    html = page.content().encode()
    css_url = page.eval_on_selector("link[rel=stylesheet]", "link => link.href")
    css = page.request.get(css_url).body()
    assert len(gzip.compress(html)) + len(gzip.compress(css)) <= 40 * 1024


def test_filtering_works_with_javascript_disabled(make_page, server, screenshot):
    page = make_page(java_script_enabled=False, locale="en-GB")
    page.goto(server.url + "/cases/")
    page.select_option("#id_force", "rosgvardia")
    page.get_by_role("button", name="Apply").click()
    screenshot(page, "filtered")
    assert "force=rosgvardia" in page.url
    titles = page.locator(".case-title").all_inner_texts()
    assert titles and all(title for title in titles)
    assert page.locator("#id_force").input_value() == "rosgvardia"


@pytest.mark.parametrize("javascript", [True, False])
def test_the_language_switcher_works_in_a_real_browser_and_keeps_the_filter(
    make_page, server, javascript
):
    # No CSRF token: the browser's own Sec-Fetch-Site and Origin headers protect it.
    page = make_page(java_script_enabled=javascript, locale="en-GB")
    page.goto(server.url + "/cases/?force=rosgvardia")
    assert page.context.cookies() == []  # a reader who chose nothing carries nothing
    page.select_option("#language-select", "ru")
    page.locator(".language-switcher button").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "ru"
    assert page.url.endswith("/cases/?force=rosgvardia")
    assert page.locator("#id_force").input_value() == "rosgvardia"
    assert [cookie["name"] for cookie in page.context.cookies()] == ["django_language"]


def test_a_phone_sized_screen_shows_the_listing_without_sideways_scrolling(
    make_page, server, screenshot
):
    page = make_page(viewport={"width": 360, "height": 740}, is_mobile=True, locale="en-GB")
    page.goto(server.url + "/cases/")
    screenshot(page, "phone")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360


PRESERVE_FIRST_SOURCE = """
import hashlib
from django.utils import timezone
from tracker.models import Source
from tracker.preservation.models import SourceSnapshot, SourceStatus
source = Source.objects.filter(case_id=1).order_by("pk").first()
now = timezone.now()
snapshot = SourceSnapshot.objects.create(
    source=source, outcome="captured", requested_url="https://example.org/a", status_code=200,
    content_type="text/html", size=4, sha256=hashlib.sha256(b"page").hexdigest(),
    content="snapshots/e2e/page", fetched_at=now,
)
SourceStatus.objects.update_or_create(
    source=source,
    defaults={"snapshot": snapshot, "link_status": "offline", "link_checked_at": now,
              "offline_since": now},
)
"""


def test_an_offline_source_with_its_hash_fits_a_phone_screen(make_page, server, screenshot):
    server.manage("shell", "-c", PRESERVE_FIRST_SOURCE)
    page = make_page(viewport={"width": 360, "height": 740}, is_mobile=True, locale="ru-RU")
    page.goto(server.url + "/cases/1/")
    expect(page.get_by_text("Недоступна с").first).to_be_visible()
    expect(page.get_by_text("Архивная копия сохранена").first).to_be_visible()
    screenshot(page, "phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert run_axe(page) == []
