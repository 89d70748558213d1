import re
from html.parser import HTMLParser

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


class InlineCodeFinder(HTMLParser):
    """Collects, from the parsed page (so text inside attribute values does not count),
    what a CSP without 'unsafe-inline' would block."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        # A JSON data block is not run, so the CSP does not block it.
        is_data = attributes.get("type") == "application/json"
        if tag == "script" and "src" not in attributes and not is_data:
            self.found.append("inline script")
        if tag == "style":
            self.found.append("style element")
        for name, value in attrs:
            if name == "style":
                self.found.append("style attribute")
            if name.startswith("on"):
                self.found.append("event handler attribute")
            if name in URL_ATTRIBUTES and (value or "").strip().lower().startswith("javascript:"):
                self.found.append("javascript: URL")


URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data"}


def inline_code(content):
    finder = InlineCodeFinder()
    finder.feed(content)
    finder.close()
    return finder.found


# --- every URL of the site ---------------------------------------------------------------

ROUTE_PARAMETER = re.compile(r"<(?:\w+:)?\w+>")


def site_urls(object_id=1):
    """Every URL route of the site as (name, path), each parameter filled in with
    `object_id`; read from the URLconf, so a view added later is covered too. The admin's
    two regular-expression routes (an app's index, the catch-all) are left out."""
    from django.urls import URLResolver, get_resolver
    from django.urls.resolvers import RoutePattern

    urls = []

    def walk(patterns, prefix, namespace):
        for pattern in patterns:
            if not isinstance(pattern.pattern, RoutePattern):
                continue
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                inner = ":".join(filter(None, [namespace, pattern.namespace]))
                walk(pattern.url_patterns, route, inner)
                continue
            path = "/" + ROUTE_PARAMETER.sub(str(object_id), route)
            name = ":".join(filter(None, [namespace, pattern.name])) if pattern.name else path
            urls.append((name, path))

    walk(get_resolver().url_patterns, "", "")
    return urls
