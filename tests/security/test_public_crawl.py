"""Crawl every public page, following every link, with unpublished cases in the database
whose every text carries a canary: no page may show one."""

import re
from urllib.parse import urljoin, urlsplit

import pytest
from django.http import HttpResponse
from django.urls import reverse

from tests.conftest import make_case
from tracker.models import Case

from .conftest import CANARY

pytestmark = pytest.mark.django_db

HREF = re.compile(r'href="([^"]+)"')
NOT_CRAWLED = ("/admin/", "/static/", "/i18n/")


def crawl(client, start, limit=300):
    """Pages reachable from `start` by following same-site links: {url: response}."""
    seen, queue = {}, list(start)
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        response = client.get(url)
        if response.streaming:  # the CSV and JSON exports: read them whole, check them too
            body = b"".join(response.streaming_content)
            response = HttpResponse(body, status=response.status_code)
        seen[url] = response
        if response.status_code != 200:
            continue
        for href in HREF.findall(response.content.decode()):
            href = urljoin(url, href.replace("&amp;", "&"))
            parts = urlsplit(href)
            if parts.netloc not in ("", "testserver") or parts.path.startswith(NOT_CRAWLED):
                continue
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return seen


def shown_text(url, response):
    """The page, less the form values that echo a canary the reader searched for."""
    content = response.content.decode()
    if CANARY in url:
        content = CHIP_ECHO.sub("", QUERY_ECHO.sub("", FORM_VALUE.sub("", content)))
    return content


FORM_VALUE = re.compile(r'value="[^"]*"')
# Links, feed ids and export headers that carry the reader's own query along.
QUERY_ECHO = re.compile(rf"(?:[?&]|&amp;)\w+={CANARY}")
# The active-filter chips and the filter panel's summary name the reader's own search.
CHIP_ECHO = re.compile(rf"(?:Search|Source outlet): {CANARY}")


@pytest.fixture
def listing_pages(canary_cases, region, other_region):
    # A second published case, so that per_page=1 gives pages to follow.
    make_case(title="Another published case", home_region=region)
    listing = reverse("tracker:case_list")
    return [
        reverse("tracker:home"),
        listing,
        f"{listing}?per_page=1",
        f"{listing}?q={CANARY}",
        f"{listing}?outlet={CANARY}",
        f"{listing}?region={other_region.code}",
        f"{listing}?sort=-published",
        f"{listing}?sort=event_date&per_page=1",
        f"{listing}?confidence=reported&kind=refused_deploy&force=rosgvardia",
    ]


def test_no_crawled_public_page_shows_an_unpublished_case(client, listing_pages, canary_cases):
    pages = crawl(client, listing_pages)
    published = canary_cases["published"].get_absolute_url()
    assert published in pages, "the crawl must reach the published case"
    next_pages = [url for url in pages if url.startswith("/cases/?per_page=1&") and "after=" in url]
    assert next_pages, "the crawl must follow the pagination"
    for url, response in pages.items():
        assert CANARY not in shown_text(url, response), url


def test_the_crawl_reaches_no_unpublished_case_page(client, listing_pages, canary_cases):
    pages = crawl(client, listing_pages)
    for case in (canary_cases["draft"], canary_cases["retracted"]):
        assert not any(url.startswith(f"/cases/{case.pk}/") for url in pages)


def test_search_and_filters_find_no_unpublished_case(client, listing_pages):
    for url in listing_pages[3:6]:
        content = client.get(url).content.decode()
        assert "0 cases" in content, url


def test_a_draft_case_url_is_a_plain_404(client, canary_cases):
    draft = canary_cases["draft"]
    for url in [f"/cases/{draft.pk}/", f"/cases/{draft.pk}/{draft.slug}/"]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert CANARY not in response.content.decode(), url


def test_a_draft_case_url_looks_like_a_case_that_never_existed(client, canary_cases):
    draft = client.get(f"/cases/{canary_cases['draft'].pk}/")
    missing = client.get("/cases/999999/")
    assert draft.status_code == missing.status_code
    assert draft.content == missing.content


def test_a_retracted_case_url_shows_only_the_withdrawal_page(client, canary_cases):
    retracted = canary_cases["retracted"]
    for url in [f"/cases/{retracted.pk}/", f"/cases/{retracted.pk}/{retracted.slug}/"]:
        response = client.get(url)
        content = response.content.decode()
        assert response.status_code == 410, url
        assert "This case was withdrawn" in content
        assert "The source withdrew its report." in content
        assert CANARY not in content, url


def test_the_published_neighbour_lists_no_unpublished_related_case(client, canary_cases):
    response = client.get(canary_cases["published"].get_absolute_url())
    assert response.status_code == 200
    assert CANARY not in response.content.decode()
    assert Case.objects.exclude(status=Case.Status.PUBLISHED).count() == 2
