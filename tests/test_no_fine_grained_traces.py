"""No fine-grained trace of a submitter: times to the hour, no access line dating a report,
no address in gunicorn's logs, no lasting cookie, nothing remembered by the browser, and
submitted text that cannot turn the page around it (right-to-left override)."""

import datetime
import io
import logging
import socket
import subprocess
import sys
import time
from types import SimpleNamespace

import pytest
from django.urls import reverse
from gunicorn.config import Config

from moderation.models import AuditEvent
from submissions.models import Message, Submission, UsedFormToken
from tests.conftest import log_in, make_case, make_submission, submission_form_data
from tracker.ops import gunicorn as gunicorn_config

pytestmark = pytest.mark.django_db

ADDRESS = "203.0.113.77"
RLO = "\u202e"


def on_the_hour(moment, step=3600):
    return moment.timestamp() % step == 0


def test_a_report_and_its_senders_actions_are_stored_to_the_hour(client):
    client.post("/submit/", submission_form_data())
    submission = Submission.objects.get()
    submission.status = Submission.Status.NEEDS_INFO
    submission.save()
    Message.objects.create(submission=submission, author_kind="moderator", text="Which unit?")
    code = make_submission(status=Submission.Status.NEEDS_INFO, questions=["Q?"])
    client.post(
        reverse("submissions:answer"), {"code": code.receipt_code, "text": "The 2nd company."}
    )

    times = [
        submission.created_at,
        submission.updated_at,
        *UsedFormToken.objects.values_list("used_at", flat=True),
        *AuditEvent.objects.filter(actor=None).values_list("at", flat=True),
        *Message.objects.filter(author_kind="submitter").values_list("created_at", flat=True),
    ]
    assert len(times) >= 6
    assert all(on_the_hour(moment) for moment in times), times


def test_the_resolution_can_be_coarser(client, settings):
    settings.SUBMITTER_TIME_RESOLUTION_SECONDS = 24 * 3600
    client.post("/submit/", submission_form_data())
    created = Submission.objects.get().created_at
    assert created.time() == datetime.time(0, 0)


def test_no_request_log_line_is_written_for_what_a_submitter_sends(client, caplog):
    caplog.set_level(logging.INFO, logger="tracker.requests")
    client.post("/submit/", submission_form_data())
    client.post(reverse("submissions:status"), {"code": "2345-6789-ABCD-EFGH-JKMN"})
    client.get("/submit/")

    lines = [
        (record.method, record.path)
        for record in caplog.records
        if record.name == "tracker.requests"
    ]
    assert lines == [("GET", "/submit/")]


def gunicorn_logger(stream, **settings):
    config = Config()
    config.set("accesslog", "-")
    config.set(
        "access_log_format", '%(h)s %(t)s "%(r)s" %(s)s "%(a)s" %(q)s %({x-forwarded-for}i)s'
    )
    for name, value in settings.items():
        config.set(name, value)
    logger = gunicorn_config.PrivateLogger(config)
    for log in (logger.error_log, logger.access_log):
        for handler in log.handlers:
            handler.setStream(stream)
    return logger


def test_gunicorns_logger_writes_no_address_even_with_a_format_that_asks_for_it():
    stream = io.StringIO()
    logger = gunicorn_logger(stream)
    request = SimpleNamespace(headers=[("X-FORWARDED-FOR", ADDRESS), ("USER-AGENT", "Canary/1")])
    response = SimpleNamespace(status="200 OK", headers=[], sent=10)
    environ = {
        "REMOTE_ADDR": ADDRESS,
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/cases/?q=secret",
        "PATH_INFO": "/cases/",
        "QUERY_STRING": "q=secret",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_USER_AGENT": "Canary/1",
    }

    logger.access(response, request, environ, datetime.timedelta(milliseconds=5))
    logger.warning("Invalid request from ip={ip}: {error}".format(ip=ADDRESS, error="bad"))
    logger.error("Error handling request from %s", "2001:db8::7")
    logger.access(
        response,
        request,
        {**environ, "REQUEST_METHOD": "POST", "PATH_INFO": "/submit/"},
        datetime.timedelta(milliseconds=5),
    )

    written = stream.getvalue()
    assert '"GET /cases/"' in written
    assert "Invalid request from ip=[ip]" in written
    for secret in (ADDRESS, "2001:db8::7", "Canary", "secret", "/submit/"):
        assert secret not in written


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_real_gunicorn_logs_a_malformed_request_without_the_address(tmp_path):
    port = free_port()
    log = tmp_path / "gunicorn.log"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "python:tracker.ops.gunicorn",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--error-logfile",
            str(log),
            "--access-logfile",
            str(log),
            "--log-level",
            "debug",
            "tests.gunicorn_app:app",
        ],
    )
    try:
        for _attempt in range(100):
            try:
                connection = socket.create_connection(("127.0.0.1", port), timeout=5)
                break
            except OSError:
                time.sleep(0.1)  # waiting for the server to start, not timing a result
        with connection:
            connection.sendall(b"GARBAGE \x00 / HTTP/9\r\n\r\n")
            answer = connection.recv(1000)
        assert answer.startswith(b"HTTP/1.1 400")
    finally:
        server.terminate()
        server.wait(20)
    written = log.read_text()
    assert "Invalid request from ip=[ip]" in written
    assert "127.0.0.1" not in written.replace(f"127.0.0.1:{port}", "")


def test_the_csrf_cookie_lives_only_as_long_as_the_browser_session(client):
    response = client.get("/submit/")
    cookie = response.cookies["csrftoken"]
    assert cookie.value
    assert not cookie["expires"] and not cookie["max-age"]


def test_the_browser_is_asked_not_to_remember_what_the_report_says(client):
    html = client.get("/submit/").content.decode()
    for name in (
        "what_happened",
        "location",
        "unit",
        "contact",
        "sources-0-outlet",
        "sources-0-url",
    ):
        tag = html[html.index(f'name="{name}"') - 300 : html.index(f'name="{name}"') + 300]
        assert 'autocomplete="off"' in tag, name


def test_submitted_text_cannot_turn_the_moderation_and_public_pages_around(client, moderator):
    evil = f"unit 3723 {RLO}exe.daolnwod"
    submission = make_submission(
        what_happened=f"Refused. {RLO}txet desrever",
        unit=evil,
        location=evil,
        sources=[{"url": "https://example.org/a", "outlet": evil}],
    )
    case = make_case(
        title=evil,
        summary=f"Summary {RLO}txet",
        unit=evil,
        location=evil,
        sources=[{"outlet": evil}],
    )
    log_in(client, moderator)

    pages = [
        client.get(reverse("moderation:review", args=[submission.pk])).content.decode(),
        client.get(reverse("moderation:queue")).content.decode(),
        client.get(case.get_absolute_url()).content.decode(),
        client.get("/cases/").content.decode(),
    ]
    for page in pages:
        html = page[page.index("<body") :]  # (a <title> holds text only, no markup)
        assert RLO in html
        for position in [i for i, char in enumerate(html) if char == RLO]:
            before = html[:position]
            opened = before.rfind("<bdi>"), before.rfind('dir="auto"')
            closed = before.rfind("</bdi>")
            assert max(opened) > closed, html[max(position - 200, 0) : position + 50]
