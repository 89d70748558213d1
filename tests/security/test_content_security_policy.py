"""The Content-Security-Policy: exactly our directives, nothing inline, no other origin."""

import pytest
from django.urls import reverse

from .conftest import parse_csp

pytestmark = pytest.mark.django_db

EXPECTED = {
    "default-src": ["'self'"],
    "base-uri": ["'none'"],
    "object-src": ["'none'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}


def test_the_policy_has_exactly_our_directives(client):
    response = client.get(reverse("tracker:home"))
    assert parse_csp(response["Content-Security-Policy"]) == EXPECTED


def test_the_policy_allows_no_inline_code_and_no_eval(client):
    header = client.get(reverse("tracker:case_list"))["Content-Security-Policy"]
    assert "unsafe-inline" not in header
    assert "unsafe-eval" not in header
    assert "nonce-" not in header


def test_the_policy_names_no_other_origin(client):
    directives = parse_csp(client.get(reverse("tracker:home"))["Content-Security-Policy"])
    sources = {source for values in directives.values() for source in values}
    assert sources == {"'self'", "'none'"}


def test_the_policy_is_enforced_not_only_reported(client):
    response = client.get(reverse("tracker:home"))
    assert "Content-Security-Policy-Report-Only" not in response


def test_the_case_page_has_the_same_policy(client, published_case):
    response = client.get(published_case.get_absolute_url())
    assert parse_csp(response["Content-Security-Policy"]) == EXPECTED


def test_error_pages_have_the_same_policy(client):
    response = client.get("/cases/999999/")
    assert response.status_code == 404
    assert parse_csp(response["Content-Security-Policy"]) == EXPECTED
