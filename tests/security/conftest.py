import re

import pytest

from tests.conftest import make_case
from tracker.models import Case

CANARY = "CANARY7f3a"


def parse_csp(header):
    """{'default-src': ["'self'"], ...}: directive order in the header is not fixed."""
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.fixture
def crashing_site(settings):
    """The site's URLs plus /test-crash/, /test-denied/ and /test-database-down/."""
    settings.ROOT_URLCONF = "tests.security.urls"


@pytest.fixture
def quiet_client(client):
    """A client that gets the error page instead of the exception, like a browser."""
    client.raise_request_exception = False
    return client


@pytest.fixture
def canary_cases(region, other_region):
    """Unpublished cases whose every text field carries the canary, next to a published
    case that names one of them as related."""
    texts = {
        "summary": f"{CANARY} summary",
        "unit": f"{CANARY} unit",
        "location": f"{CANARY} place",
        "named_people": f"{CANARY} Ivanov",
        "legal_articles": f"{CANARY} 337",
    }
    source = {"outlet": f"{CANARY} outlet", "title": f"{CANARY} article"}
    draft = make_case(
        title=f"{CANARY} draft title",
        status=Case.Status.DRAFT,
        home_region=other_region,
        sources=[source],
        **texts,
    )
    retracted = make_case(
        title=f"{CANARY} retracted title",
        status=Case.Status.RETRACTED,
        retraction_reason="The source withdrew its report.",
        home_region=other_region,
        sources=[source],
        **texts,
    )
    published = make_case(title="Published neighbour", home_region=region)
    published.related_cases.add(draft, retracted)
    return {"draft": draft, "retracted": retracted, "published": published}


INLINE_CODE = {
    # A script element without src runs inline (a JSON data block does not run).
    "inline script": re.compile(
        r"<script(?![^>]*\b(?:src=|type=\"application/json\"))[^>]*>", re.I
    ),
    "style element": re.compile(r"<style\b", re.I),
    "style attribute": re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I),
    "event handler attribute": re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I),
    "javascript: URL": re.compile(r"(href|src|action)\s*=\s*[\"']?\s*javascript:", re.I),
}


def inline_code(content):
    """What in a page a CSP without 'unsafe-inline' would block."""
    return [name for name, pattern in INLINE_CODE.items() if pattern.search(content)]
