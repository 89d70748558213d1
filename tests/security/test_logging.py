"""Logs never hold who a reader is or what they looked for; error reports scrub form data."""

import io
import json
import logging

import pytest
from django.core import mail
from django.test import RequestFactory
from django.urls import reverse

from tracker.logging import (
    JsonFormatter,
    PrivateExceptionReporter,
    RedactPersonalDataFilter,
)

pytestmark = pytest.mark.django_db

IP = "203.0.113.77"
IPV6 = "2001:db8:85a3::8a2e:370:7334"
USER_AGENT = "Mozilla/5.0 (X11; Linux) UniqueAgent/42.7"
WORD = "kadyrovtsy"
READER = {"REMOTE_ADDR": IP, "HTTP_USER_AGENT": USER_AGENT, "HTTP_X_FORWARDED_FOR": IPV6}


@pytest.fixture
def json_log():
    """What the console handler of settings.LOGGING writes, captured in memory."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactPersonalDataFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    yield stream
    root.removeHandler(handler)


@pytest.fixture
def without_safety_net():
    """Takes the redacting filter off the configured handlers (it would otherwise rewrite
    the records before caplog sees them), so a test sees what the code itself logs."""
    removed = []
    for handler in logging.getLogger().handlers:
        for log_filter in list(handler.filters):
            if isinstance(log_filter, RedactPersonalDataFilter):
                handler.removeFilter(log_filter)
                removed.append((handler, log_filter))
    yield
    for handler, log_filter in removed:
        handler.addFilter(log_filter)


def browse(client, published_case):
    listing = reverse("tracker:case_list")
    for url in [
        reverse("tracker:home") + f"?ref={WORD}",
        f"{listing}?q={WORD}",
        f"{listing}?outlet={WORD}&force=army",
        published_case.get_absolute_url() + f"?utm={WORD}",
        f"/no-such-page/?q={WORD}",
    ]:
        client.get(url, **READER)


def test_request_logs_hold_no_ip_no_user_agent_and_no_query(
    client, published_case, caplog, without_safety_net
):
    caplog.set_level(logging.INFO)
    browse(client, published_case)
    # The message and every plain value passed with it (objects never reach the JSON).
    logged = caplog.text + " ".join(
        str(value)
        for record in caplog.records
        for value in vars(record).values()
        if isinstance(value, str | int | float)
    )
    assert caplog.records, "the requests must be logged"
    for secret in (IP, IPV6, USER_AGENT, "UniqueAgent", WORD):
        assert secret not in logged


def test_each_request_is_one_line_with_method_path_status_and_duration(
    client, published_case, caplog, without_safety_net
):
    caplog.set_level(logging.INFO, logger="tracker.requests")
    client.get(reverse("tracker:case_list") + f"?q={WORD}", **READER)
    client.get("/no-such-page/", **READER)
    lines = [r for r in caplog.records if r.name == "tracker.requests"]
    assert [(r.method, r.path, r.status) for r in lines] == [
        ("GET", "/cases/", 200),
        ("GET", "/no-such-page/", 404),
    ]
    assert all(r.duration_ms >= 0 for r in lines)


def test_the_console_log_is_json_lines_without_personal_data(client, published_case, json_log):
    browse(client, published_case)
    lines = [json.loads(line) for line in json_log.getvalue().splitlines()]
    requests = [line for line in lines if line["logger"] == "tracker.requests"]
    assert len(requests) == 5
    assert set(requests[0]) == {
        "time",
        "level",
        "logger",
        "message",
        "method",
        "path",
        "status",
        "duration_ms",
    }
    for secret in (IP, IPV6, USER_AGENT, WORD):
        assert secret not in json_log.getvalue()


def test_the_settings_put_the_redacting_filter_and_json_on_every_handler(settings):
    handlers = settings.LOGGING["handlers"]
    assert all("redact" in handler["filters"] for handler in handlers.values())
    assert handlers["console"]["formatter"] == "json"


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (f"login from {IP} failed", "login from [ip] failed"),
        (f"client {IPV6} said hi", "client [ip] said hi"),
        ("client ::1 and fe80::1", "client [ip] and [ip]"),
        ("write to anna.k+news@mail.example.org now", "write to [email] now"),
        ('"GET /cases/?q=secret HTTP/1.1" 200', '"GET /cases/?[query] HTTP/1.1" 200'),
        ("took 12:30:45 for 3.5 s, version 5.2", "took 12:30:45 for 3.5 s, version 5.2"),
    ],
)
def test_the_safety_net_redacts_addresses_and_query_strings(json_log, message, expected):
    logging.getLogger("tracker.test").warning(message)
    assert json.loads(json_log.getvalue())["message"] == expected


def test_the_safety_net_redacts_arguments_extra_fields_and_tracebacks(json_log):
    try:
        raise ValueError(f"duplicate contact anna@mail.example.org from {IP}")
    except ValueError:
        logging.getLogger("tracker.test").exception(
            "failed for %s", "boris@mail.example.org", extra={"peer": IP}
        )
    entry = json.loads(json_log.getvalue())
    assert entry["message"] == "failed for [email]"
    assert entry["peer"] == "[ip]"
    assert "ValueError: duplicate contact [email] from [ip]" in entry["exception"]
    assert "mail.example.org" not in json_log.getvalue()


def test_objects_passed_to_the_log_are_left_out_of_the_json(json_log):
    request = RequestFactory().get(f"/cases/?q={WORD}")
    logging.getLogger("django.request").warning(
        "Not Found: %s", request.path, extra={"request": request}
    )
    assert WORD not in json_log.getvalue()
    assert "request" not in json.loads(json_log.getvalue())


ERROR_FORM = {"text": "My son refused to go back", "contact": "anna@mail.example.org"}


def test_error_emails_scrub_form_data_query_and_client_details(
    quiet_client, crashing_site, settings
):
    settings.ADMINS = [("ops", "ops@refusals.example")]
    response = quiet_client.post(f"/test-crash/?q={WORD}", ERROR_FORM, **READER)
    assert response.status_code == 500
    (email,) = mail.outbox
    body = email.subject + email.body
    assert "RuntimeError" in body
    assert "contact" in body  # the field name stays, its value goes
    for secret in (*ERROR_FORM.values(), WORD, IP, IPV6, USER_AGENT):
        assert secret not in body


def test_error_reports_keep_variable_names_but_not_their_values():
    request = RequestFactory().post("/submit/", ERROR_FORM)
    submission_text = ERROR_FORM["text"]  # noqa: F841 (read by the reporter from the frame)
    try:
        raise RuntimeError("boom")
    except RuntimeError as error:
        reporter = PrivateExceptionReporter(request, type(error), error, error.__traceback__)
        frames = reporter.get_traceback_data()["frames"]
        html_report = reporter.get_traceback_html()
    names = {name for frame in frames for name, _value in frame["vars"]}
    assert "submission_text" in names
    for secret in ERROR_FORM.values():
        assert secret not in html_report
        assert secret not in str(frames)
