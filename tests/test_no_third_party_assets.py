import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

# Attributes through which a page makes the browser fetch something by itself.
FETCHING_ATTRIBUTES = re.compile(
    r'<(script|link|img|iframe|source|video|audio|embed|object)\b[^>]*?\b(src|href|data|srcset)="([^"]*)"',
    re.I,
)


def external_fetches(content):
    found = []
    for tag, _attr, value in FETCHING_ATTRIBUTES.findall(content):
        if (
            tag.lower() == "link"
            and 'rel="canonical"' in content
            and value.startswith("http://testserver")
        ):
            continue
        if value.startswith("//") or re.match(r"^[a-z][a-z0-9+.-]*:", value, re.I):
            found.append((tag, value))
    return found


def test_no_public_page_loads_anything_from_another_origin(client, published_case):
    published_case.sources.update(url="https://evil.example/article")
    for url in [
        reverse("tracker:home"),
        reverse("tracker:case_list"),
        reverse("tracker:case_list") + "?force=army&q=x",
        published_case.get_absolute_url(),
    ]:
        content = client.get(url).content.decode()
        assert external_fetches(content) == [], url
        assert "<script" not in content, url


def test_the_checker_notices_an_external_stylesheet():
    page = '<link rel="stylesheet" href="https://cdn.example/bootstrap.css">'
    assert external_fetches(page) == [("link", "https://cdn.example/bootstrap.css")]
