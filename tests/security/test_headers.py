"""Every public page carries the security headers, error pages included."""

import pytest
from django.urls import reverse

from tests.conftest import log_in, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def public_urls(published_case):
    return [
        reverse("tracker:home"),
        reverse("tracker:case_list"),
        reverse("tracker:case_list") + "?force=army&sort=-people",
        published_case.get_absolute_url(),
        "/no-such-page/",
    ]


def responses(client, urls, **extra):
    return [(url, client.get(url, **extra)) for url in urls]


def test_every_public_page_forbids_content_sniffing(client, public_urls):
    for url, response in responses(client, public_urls):
        assert response["X-Content-Type-Options"] == "nosniff", url


def test_every_public_page_refuses_to_be_framed(client, public_urls):
    for url, response in responses(client, public_urls):
        assert response["X-Frame-Options"] == "DENY", url


def test_every_public_page_sends_no_referrer_to_the_sites_it_links_to(client, public_urls):
    # Only to our own pages, so that form posts keep their Origin header for the CSRF check
    # (tests/e2e/test_journey.py posts forms from a real browser).
    for url, response in responses(client, public_urls):
        assert response["Referrer-Policy"] == "same-origin", url


def test_every_public_page_turns_off_camera_microphone_and_location(client, public_urls):
    for url, response in responses(client, public_urls):
        policy = [item.strip() for item in response["Permissions-Policy"].split(",")]
        for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
            assert f"{feature}=()" in policy, (url, feature)


def test_every_public_page_has_a_content_security_policy(client, public_urls):
    for url, response in responses(client, public_urls):
        assert "default-src 'self'" in response["Content-Security-Policy"], url


def test_every_public_page_isolates_its_browsing_context(client, public_urls):
    for url, response in responses(client, public_urls):
        assert response["Cross-Origin-Opener-Policy"] == "same-origin", url


def test_https_pages_tell_the_browser_to_stay_on_https_for_a_year(client, public_urls):
    for url, response in responses(client, public_urls, secure=True):
        assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains", url


def test_static_files_carry_the_headers_too(client):
    response = client.get("/static/css/site.css")
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_plain_http_is_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get(reverse("tracker:case_list") + "?q=unit")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/cases/?q=unit"


def test_behind_a_tls_proxy_the_forwarded_proto_header_prevents_a_redirect_loop(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    response = client.get(reverse("tracker:case_list"), HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200
    assert "Strict-Transport-Security" in response


def test_the_csrf_cookie_is_secure_http_only_and_same_site(client):
    # The report form carries a CSRF token.
    cookie = client.get(reverse("submissions:submit"), secure=True).cookies["csrftoken"]
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_the_language_cookie_is_secure_http_only_and_same_site(client):
    response = client.post(reverse("set_language"), {"language": "ru", "next": "/"}, secure=True)
    cookie = response.cookies["django_language"]
    assert cookie.value == "ru"
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_the_session_cookie_is_secure_http_only_and_same_site(client):
    response = log_in(client, make_user("moderator", moderator=True), secure=True)
    assert response.status_code == 302
    cookie = response.cookies["sessionid"]
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
