"""Beyond a client's hourly budget, reports are held apart, not refused; past the site-wide
cap the form asks to try later and keeps the draft. Counting is exact under concurrency."""

import re
import threading

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse

from moderation.models import AuditEvent
from submissions.models import Submission
from tests.conftest import log_in, make_submission, submission_form_data
from tests.threads import WAIT


@pytest.mark.django_db
def test_a_held_report_gets_a_receipt_and_its_sender_sees_an_ordinary_status(client, settings):
    settings.SUBMISSIONS_PER_HOUR = 0
    response = client.post("/submit/", submission_form_data())
    html = response.content.decode()
    code = re.search(r'class="receipt-code"[^>]*><strong>([^<]+)</strong>', html).group(1)

    assert Submission.objects.get().status == Submission.Status.HELD
    status = client.post(reverse("submissions:status"), {"code": code}).content.decode()
    assert "Received. It is waiting for a moderator." in status
    assert "held" not in status.lower()


@pytest.mark.django_db
def test_past_the_site_wide_cap_the_form_asks_to_try_later_and_keeps_the_draft(client, settings):
    settings.SUBMISSIONS_SITE_PER_HOUR = 2
    for number in range(2):
        client.post("/submit/", submission_form_data(), REMOTE_ADDR=f"198.51.100.{number}")

    refused = client.post(
        "/submit/", submission_form_data(unit="third unit"), REMOTE_ADDR="203.0.113.5"
    )

    assert refused.status_code == 429
    html = refused.content.decode()
    assert "please try again later" in html
    assert 'value="third unit"' in html
    assert Submission.objects.count() == 2


@pytest.mark.django_db
def test_moderators_see_held_reports_apart_and_reject_them_in_bulk_as_spam(
    client, moderator, region
):
    ordinary = make_submission(unit="ordinary unit", home_region=region)
    held = [
        make_submission(unit=f"flood unit {n}", status=Submission.Status.HELD) for n in range(3)
    ]
    log_in(client, moderator)

    queue = client.get(reverse("moderation:queue")).content.decode()
    held_queue = client.get(reverse("moderation:queue"), {"state": "held"}).content.decode()

    assert "ordinary unit" in queue and "flood unit" not in queue
    assert "flood unit 0" in held_queue and "ordinary unit" not in held_queue
    assert '?state=held">held' in queue  # the held count links to them

    response = client.post(
        reverse("moderation:bulk_reject_spam"),
        {"submissions": [s.pk for s in held], "confirm": "1"},
    )

    assert response.status_code == 302
    statuses = set(Submission.objects.filter(unit__startswith="flood").values_list("status"))
    assert statuses == {(Submission.Status.REJECTED,)}
    assert AuditEvent.objects.filter(action=AuditEvent.Action.REJECT).count() == 3
    ordinary.refresh_from_db()
    assert ordinary.status == Submission.Status.NEW


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_fifteen_reports_sent_at_once_by_one_client_pass_exactly_the_limit(settings):
    settings.SUBMISSIONS_PER_HOUR = 5
    bodies = [submission_form_data(unit=f"burst {n}") for n in range(15)]
    start = threading.Barrier(len(bodies))
    answers = []

    def send(body):
        try:
            start.wait(WAIT)
            answers.append(Client().post("/submit/", body, REMOTE_ADDR="203.0.113.50").status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)

    assert answers == [200] * 15
    statuses = list(Submission.objects.values_list("status", flat=True))
    assert statuses.count(Submission.Status.NEW) == 5
    assert statuses.count(Submission.Status.HELD) == 10
