"""Nothing is stored that the sender never saw a receipt for: a body cut off on the way, a
report that could not be stored before the deadline, a database that is down, read-only or
locked. The sender gets the page back with the draft, never a 500; and the empty form
renders without the database at all."""

import io

import pytest
from django.db import InternalError, OperationalError, connection
from django.test.client import encode_multipart

from submissions import services
from submissions.models import Attachment, Submission
from tests import submission_helpers as files
from tests.conftest import make_submission, submission_form_data

BOUNDARY = "----refusals-test-boundary"


@pytest.mark.django_db
def test_a_body_shorter_than_its_content_length_stores_nothing(client, settings):
    data = submission_form_data(
        unit="cut-off unit", attachments=[files.upload("a.jpg", files.jpeg_with_metadata())]
    )
    body = encode_multipart(BOUNDARY, data)
    # The form fields come first; the connection breaks in the middle of the photo.
    cut = body[: body.index(b"filename=") + 200]

    response = client.generic(
        "POST",
        "/submit/",
        b"",
        CONTENT_TYPE=f"multipart/form-data; boundary={BOUNDARY}",
        CONTENT_LENGTH=str(len(body)),
        **{"wsgi.input": io.BytesIO(cut)},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "did not arrive complete" in html
    assert 'value="cut-off unit"' in html
    assert not Submission.objects.exists()
    assert not Attachment.objects.exists()
    assert not list((settings.MEDIA_ROOT).rglob("*.*")) if settings.MEDIA_ROOT.exists() else True


@pytest.mark.django_db
def test_a_complete_multipart_body_is_stored(client):
    data = submission_form_data(attachments=[files.upload("a.jpg", files.jpeg_with_metadata())])
    body = encode_multipart(BOUNDARY, data)
    response = client.generic(
        "POST", "/submit/", body, content_type=f"multipart/form-data; boundary={BOUNDARY}"
    )
    assert "receipt-code" in response.content.decode()
    assert Attachment.objects.count() == 1


@pytest.mark.django_db
def test_an_answer_cut_off_on_the_way_stores_nothing(client):
    asked = make_submission(status=Submission.Status.NEEDS_INFO, questions=["Which unit?"])
    body = encode_multipart(
        BOUNDARY,
        {
            "code": asked.receipt_code,
            "text": "The 2nd company.",
            "attachments": [files.upload("a.jpg", files.jpeg_with_metadata())],
        },
    )
    cut = body[: body.index(b"filename=") + 100]
    response = client.generic(
        "POST",
        "/submit/status/answer/",
        b"",
        CONTENT_TYPE=f"multipart/form-data; boundary={BOUNDARY}",
        CONTENT_LENGTH=str(len(body)),
        **{"wsgi.input": io.BytesIO(cut)},
    )
    assert "did not arrive complete" in response.content.decode()
    asked.refresh_from_db()
    assert asked.status == Submission.Status.NEEDS_INFO
    assert asked.messages.count() == 1


@pytest.mark.django_db
def test_a_report_past_its_deadline_is_rolled_back_and_the_draft_given_back(
    client, settings, monkeypatch
):
    settings.SUBMISSION_DEADLINE_SECONDS = 20
    moments = iter([1000.0])  # the deadline is set at 1000 + 20 ...

    def clock():
        return next(moments, 1000.0 + 21)  # ... and everything after happens past it

    monkeypatch.setattr(services, "clock", clock)
    upload = files.upload("a.jpg", files.jpeg_with_metadata())

    response = client.post("/submit/", submission_form_data(unit="slow unit", attachments=[upload]))

    assert response.status_code == 503
    html = response.content.decode()
    assert "could not store your report" in html
    assert 'value="slow unit"' in html
    assert "receipt-code" not in html
    assert not Submission.objects.exists()
    assert not Attachment.objects.exists()


@pytest.mark.django_db
def test_the_deadline_is_checked_after_the_last_write_before_the_commit(
    client, settings, monkeypatch
):
    calls = []

    def clock():
        calls.append(1)
        # Deadline set (1st), checked at the start (2nd): in time; at the end: too late.
        return 0.0 if len(calls) <= 2 else 10_000.0

    monkeypatch.setattr(services, "clock", clock)
    response = client.post("/submit/", submission_form_data(unit="late unit"))
    assert response.status_code == 503
    assert not Submission.objects.exists()
    assert not services.UsedFormToken.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "error",
    [
        OperationalError("server closed the connection unexpectedly"),
        OperationalError("canceling statement due to lock timeout"),
        InternalError("cannot execute INSERT in a read-only transaction"),
    ],
    ids=["down", "locked", "read-only"],
)
def test_a_database_failure_while_storing_gives_the_503_page_with_the_draft(
    client, monkeypatch, error
):
    def fail(**kwargs):
        raise error

    monkeypatch.setattr(services, "create_submission", fail)
    response = client.post("/submit/", submission_form_data(unit="unit 3723 draft"))

    assert response.status_code == 503
    assert response["Retry-After"]
    html = response.content.decode()
    assert 'value="unit 3723 draft"' in html
    assert "Twelve guardsmen refused" in html


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_read_only_postgresql_gives_the_503_page_with_the_draft(client):
    with connection.cursor() as cursor:
        cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
    try:
        response = client.post("/submit/", submission_form_data(unit="read-only unit"))
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE")
    assert response.status_code == 503
    assert 'value="read-only unit"' in response.content.decode()
    assert not Submission.objects.exists()


def test_the_empty_form_renders_without_the_database(client, monkeypatch):
    """No django_db mark: pytest-django fails any query. The region list comes from the
    regions file when the database cannot be asked."""
    from submissions import regions

    def down(*args, **kwargs):
        raise OperationalError("database is down")

    monkeypatch.setattr(regions, "_remembered", {})
    monkeypatch.setattr(regions.Region.objects, "order_by", down)
    response = client.get("/submit/", HTTP_ACCEPT_LANGUAGE="ru")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="what_happened"' in html
    assert "Кабардино-Балкарская Республика" in html


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_lock_held_past_the_deadline_gives_the_draft_back(client, settings, caplog):
    """The transaction's lock_timeout is the time left before the deadline: a table locked
    by someone else makes the report wait that long at most, then nothing is stored. (The
    server's own statement_timeout is off here, and the lock is only given up after
    WAIT seconds, so only the deadline's lock_timeout can end the wait in time: the report
    then fails with the database's lock error, not with the check before the commit.)"""
    import threading

    from django.db import connections

    from tests.threads import WAIT

    settings.SUBMISSION_DEADLINE_SECONDS = 1
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 0")
    other = connections.create_connection("default")
    other.inc_thread_sharing()  # the timer thread may give the lock up
    other.set_autocommit(False)
    with other.cursor() as cursor:
        cursor.execute("LOCK TABLE submissions_usedformtoken IN ACCESS EXCLUSIVE MODE")
    release = threading.Timer(WAIT, other.rollback)
    release.start()
    try:
        response = client.post("/submit/", submission_form_data(unit="locked out unit"))
    finally:
        release.cancel()
        other.rollback()
        other.dec_thread_sharing()
        other.close()

    assert response.status_code == 503
    assert 'value="locked out unit"' in response.content.decode()
    assert "report not stored: OperationalError" in caplog.text
    assert not Submission.objects.exists()
