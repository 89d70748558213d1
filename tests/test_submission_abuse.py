"""Abuse protection without third parties, and without knowing who the client is."""

import datetime
import time

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import connection

from submissions import formtoken
from submissions.models import Submission
from tests import submission_helpers as files
from tests.conftest import make_submission, submission_form_data
from tracker import privacy

pytestmark = pytest.mark.django_db

ADDRESS = "203.0.113.77"


def test_a_form_sent_at_machine_speed_is_refused_and_given_back(client):
    token = formtoken.issue()  # rendered just now
    response = client.post("/submit/", submission_form_data(form_token=token))
    html = response.content.decode()
    assert "faster than a person" in html
    assert "Twelve guardsmen" in html
    assert f'value="{token}"' in html  # the same one-time token, usable in a moment
    assert Submission.objects.count() == 0


def test_a_stale_form_is_refused_and_given_back_with_a_new_token(client):
    token = formtoken.issue(now=time.time() - 3 * 24 * 3600)
    response = client.post("/submit/", submission_form_data(form_token=token))
    html = response.content.decode()
    assert "open for a very long time" in html
    assert "Twelve guardsmen" in html
    assert f'value="{token}"' not in html
    assert Submission.objects.count() == 0


@pytest.mark.parametrize("token", ["", "forged", formtoken.issue(now=0).replace(":", ";")])
def test_a_missing_or_forged_token_is_refused(client, token):
    response = client.post("/submit/", submission_form_data(form_token=token))
    assert "could not be checked" in response.content.decode()
    assert Submission.objects.count() == 0


def test_a_filled_in_honeypot_is_refused(client):
    response = client.post("/submit/", submission_form_data(website="https://casino.example"))
    assert "Please leave this field empty." in response.content.decode()
    assert Submission.objects.count() == 0


def test_five_reports_an_hour_are_new_from_one_client_and_the_sixth_is_held(client, settings):
    assert settings.SUBMISSIONS_PER_HOUR == 5
    for _ in range(5):
        assert "receipt-code" in client.post("/submit/", submission_form_data()).content.decode()

    sixth = client.post("/submit/", submission_form_data(unit="6th report unit"))

    # Not refused: behind an onion service or one proxy, everyone is this client.
    assert sixth.status_code == 200
    assert "receipt-code" in sixth.content.decode()
    assert Submission.objects.filter(status=Submission.Status.NEW).count() == 5
    assert Submission.objects.get(unit="6th report unit").status == Submission.Status.HELD
    other = client.post(
        "/submit/", submission_form_data(unit="other client"), REMOTE_ADDR="198.51.100.9"
    )
    assert "receipt-code" in other.content.decode()
    assert Submission.objects.get(unit="other client").status == Submission.Status.NEW


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_client(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.SUBMISSIONS_PER_HOUR = 1
    first = {"HTTP_X_FORWARDED_FOR": "198.51.100.1"}
    second = {"HTTP_X_FORWARDED_FOR": "spoofed, 198.51.100.2"}
    client.post("/submit/", submission_form_data(unit="first 1"), **first)
    client.post("/submit/", submission_form_data(unit="first 2"), **first)
    client.post("/submit/", submission_form_data(unit="second 1"), **second)
    statuses = dict(Submission.objects.values_list("unit", "status"))
    assert statuses == {"first 1": "new", "first 2": "held", "second 1": "new"}


def test_the_client_hash_changes_every_day_and_is_not_the_address(rf, monkeypatch):
    request = rf.get("/", REMOTE_ADDR=ADDRESS)
    today = privacy.client_hash(request)
    assert privacy.client_hash(request) == today
    assert ADDRESS not in today

    tomorrow = datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(days=1)
    monkeypatch.setattr(privacy.timezone, "now", lambda: tomorrow)
    assert privacy.client_hash(request) != today


def all_database_text():
    """Every row of every table, as text."""
    dump = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            dump.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(dump)


def test_no_ip_address_is_stored_logged_or_cached_in_clear(client, caplog):
    caplog.set_level("DEBUG")
    for address in ("127.0.0.1", ADDRESS):
        client.post("/submit/", submission_form_data(), REMOTE_ADDR=address)
        client.post(
            "/submit/",
            submission_form_data(attachments=[files.upload("a.jpg", files.jpeg_with_metadata())]),
            REMOTE_ADDR=address,
        )
    asked = make_submission(status=Submission.Status.NEEDS_INFO, questions=["Which unit?"])
    client.post("/submit/status/", {"code": asked.receipt_code}, REMOTE_ADDR=ADDRESS)
    client.post(
        "/submit/status/answer/",
        {"code": asked.receipt_code, "text": "The 2nd company."},
        REMOTE_ADDR=ADDRESS,
    )
    client.post("/submit/status/", {"code": "2345-6789-ABCD-EFGH-JKMN"}, REMOTE_ADDR=ADDRESS)
    assert Submission.objects.count() == 5
    assert apps.get_model("submissions", "Message").objects.count() == 2

    database = all_database_text()
    assert "127.0.0.1" not in database
    assert ADDRESS not in database
    cached = " ".join(str(key) for key in cache._cache) + repr(list(cache._cache.values()))
    assert "127.0.0.1" not in cached and ADDRESS not in cached
    assert "submit:" in database  # the counters are there, under hashes
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "127.0.0.1" not in logged and ADDRESS not in logged
