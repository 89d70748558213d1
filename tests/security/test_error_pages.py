"""Error pages tell the reader what to do and leak nothing: no path, no exception text, no
settings. They render without the database (tests here without django_db would fail on
any query)."""

import pytest
from django.template import loader
from django.test import RequestFactory
from django.urls import reverse

from tracker.security import server_error

from .urls import SECRET_MESSAGE

LEAKS = ("Traceback", "/srv/app", "hunter2", "DATABASE", "SECRET_KEY", "exception text")


def assert_leaks_nothing(content):
    for leak in LEAKS:
        assert leak not in content


def test_a_missing_page_answers_404_with_our_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "There is no page at this address" in response.content.decode()


def test_the_404_page_does_not_echo_the_path_it_was_asked_for(client):
    response = client.get("/secret-looking-path-<b>x</b>/")
    content = response.content.decode()
    assert response.status_code == 404
    assert "secret-looking-path" not in content
    assert_leaks_nothing(content)


def test_the_500_page_shows_no_exception_text(quiet_client, crashing_site):
    response = quiet_client.get("/test-crash/")
    content = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in content
    assert SECRET_MESSAGE not in content
    assert "test-crash" not in content
    assert_leaks_nothing(content)


def test_the_403_page_shows_no_exception_text(client, crashing_site):
    response = client.get("/test-denied/")
    content = response.content.decode()
    assert response.status_code == 403
    assert "You cannot open this page" in content
    assert_leaks_nothing(content)


def test_too_many_query_parameters_get_the_400_page(client):
    response = client.get("/cases/?" + "&".join(f"x{i}=1" for i in range(1001)))
    content = response.content.decode()
    assert response.status_code == 400
    assert "The request could not be understood" in content
    assert_leaks_nothing(content)


@pytest.mark.parametrize("template", ["400.html", "403.html", "404.html", "500.html", "503.html"])
def test_every_error_page_renders_with_no_context_and_no_database(template):
    content = loader.render_to_string(template)
    assert "Refusal Tracker" in content
    assert 'href="/"' in content


def test_the_500_handler_uses_no_request_context():
    request = RequestFactory().get("/")
    try:
        raise RuntimeError(SECRET_MESSAGE)
    except RuntimeError:
        response = server_error(request)
    assert response.status_code == 500
    assert_leaks_nothing(response.content.decode())


def test_a_csrf_failure_is_still_refused_with_403(db):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(
        reverse("submissions:status"), {"code": "forged"}
    )
    assert response.status_code == 403
    assert "Nothing was sent" in response.content.decode()


def test_the_404_page_renders_without_the_database(client):
    # Without database access here, a user or session lookup by the page would fail this
    # test. (A visitor who has a session still has it loaded: moderators' sessions are
    # saved on every request to expire after inactivity.)
    response = client.get("/no-such-page/")
    assert response.status_code == 404


def test_a_500_page_that_cannot_render_still_answers_with_a_plain_page(monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("Missing staticfiles manifest entry for 'css/site.css'")

    monkeypatch.setattr("tracker.security.loader.render_to_string", broken)
    try:
        raise RuntimeError(SECRET_MESSAGE)
    except RuntimeError:
        response = server_error(RequestFactory().get("/"))
    content = response.content.decode()
    assert response.status_code == 500
    assert "<h1>Server error</h1>" in content
    assert "manifest" not in content
    assert_leaks_nothing(content)
