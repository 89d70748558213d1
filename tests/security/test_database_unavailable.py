"""While the database is unreachable readers get a friendly 503 with Retry-After, rendered
without the database, instead of a 500."""

import pytest
from django.db import InterfaceError, OperationalError, connection
from django.test import RequestFactory
from django.urls import reverse

from tracker.security import server_error

pytestmark = pytest.mark.django_db


def refuse(error):
    def wrapper(execute, sql, params, many, context):
        raise error

    return wrapper


@pytest.fixture
def database_down():
    message = "connection to server at 10.1.2.3, port 5432 failed: Connection refused"
    with connection.execute_wrapper(refuse(OperationalError(message))):
        yield


def test_the_listing_answers_503_when_the_database_is_down(client, database_down):
    response = client.get(reverse("tracker:case_list"))
    assert response.status_code == 503


def test_the_503_asks_the_reader_to_retry_later(client, database_down):
    response = client.get(reverse("tracker:home"))
    assert response["Retry-After"] == "30"
    assert "The site is temporarily unavailable" in response.content.decode()


def test_the_503_page_is_not_cached(client, database_down):
    response = client.get(reverse("tracker:home"))
    assert response["Cache-Control"] == "no-store"


def test_the_503_page_shows_nothing_of_the_database_error(client, database_down):
    content = client.get(reverse("tracker:case_list")).content.decode()
    assert "10.1.2.3" not in content
    assert "5432" not in content
    assert "Connection refused" not in content


def test_the_503_page_keeps_the_security_headers(client, database_down):
    response = client.get(reverse("tracker:home"))
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


def test_a_closed_connection_is_a_503_too(client, published_case):
    with connection.execute_wrapper(refuse(InterfaceError("connection already closed"))):
        response = client.get(published_case.get_absolute_url())
    assert response.status_code == 503


def test_the_site_answers_again_when_the_database_is_back(client, published_case):
    with connection.execute_wrapper(refuse(OperationalError("the database system is starting"))):
        assert client.get(reverse("tracker:case_list")).status_code == 503
    assert client.get(reverse("tracker:case_list")).status_code == 200


def test_a_database_error_outside_a_view_also_gets_the_503_page():
    request = RequestFactory().get("/")
    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        response = server_error(request)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"


def test_other_errors_are_not_disguised_as_an_outage(quiet_client, crashing_site):
    assert quiet_client.get("/test-crash/").status_code == 500


def test_in_development_the_database_error_is_not_hidden(client, settings, database_down):
    settings.DEBUG = True
    with pytest.raises(OperationalError):
        client.get(reverse("tracker:case_list"))


def test_a_503_page_that_cannot_render_still_answers_503(client, database_down, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("Missing staticfiles manifest entry for 'css/site.css'")

    monkeypatch.setattr("tracker.security.loader.render_to_string", broken)
    response = client.get(reverse("tracker:case_list"))
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "temporarily unavailable" in response.content.decode()


def test_an_outage_does_not_send_an_error_email_per_request(client, settings, database_down):
    from django.core import mail

    settings.ADMINS = [("ops", "ops@refusals.example")]
    for _ in range(3):
        assert client.get(reverse("tracker:case_list")).status_code == 503
    assert mail.outbox == []


def test_the_outage_is_logged_in_one_line_per_request(client, database_down, caplog):
    client.get(reverse("tracker:case_list"))
    (record,) = [r for r in caplog.records if r.name == "tracker.security"]
    assert record.levelname == "WARNING"
    assert record.getMessage().startswith("database unavailable (OperationalError)")
    assert record.exc_info is None
