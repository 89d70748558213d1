"""A refresh or a double click on "send" never creates a second submission."""

import datetime
import re
import threading

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from submissions import services
from submissions.models import Submission, UsedFormToken
from tests.conftest import submission_form_data

CODE_RE = re.compile(r'<p class="receipt-code"[^>]*><strong>([A-Z0-9-]+)</strong>')


@pytest.mark.django_db
def test_sending_the_same_form_twice_stores_one_report_and_shows_the_same_code(client):
    data = submission_form_data()
    first = client.post("/submit/", data)
    second = client.post("/submit/", data)

    assert Submission.objects.count() == 1
    code = CODE_RE.search(first.content.decode()).group(1)
    assert CODE_RE.search(second.content.decode()).group(1) == code
    assert "it was saved only once" in second.content.decode()


@pytest.mark.django_db
def test_a_form_sent_again_much_later_does_not_show_the_code_again(client):
    data = submission_form_data()
    first = client.post("/submit/", data)
    code = CODE_RE.search(first.content.decode()).group(1)
    # used_at is stored to the hour, so "much later" is the repeat time and an hour more.
    later = datetime.timedelta(
        seconds=services.RECEIPT_REPEAT_SECONDS + settings.SUBMITTER_TIME_RESOLUTION_SECONDS + 1
    )
    UsedFormToken.objects.update(used_at=UsedFormToken.objects.get().used_at - later)

    again = client.post("/submit/", data)

    assert Submission.objects.count() == 1
    html = again.content.decode()
    assert "This report was already received" in html
    assert code not in html
    assert "receipt-code" not in html


@pytest.mark.django_db
def test_every_new_form_makes_its_own_report(client):
    client.post("/submit/", submission_form_data())
    client.post("/submit/", submission_form_data())
    assert Submission.objects.count() == 2


@pytest.mark.django_db
def test_a_form_that_came_back_with_an_error_still_creates_one_report_at_most(client):
    data = submission_form_data(what_happened="")
    page = client.post("/submit/", data).content.decode()
    token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    assert token == data["form_token"]

    fixed = {**data, "what_happened": "Fixed text.", "form_token": token}
    client.post("/submit/", fixed)
    client.post("/submit/", fixed)

    assert Submission.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_requests_at_the_same_moment_store_one_report():
    data = submission_form_data()
    barrier = threading.Barrier(2)
    pages = []

    def send():
        try:
            barrier.wait()
            pages.append(Client().post("/submit/", data).content.decode())
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert Submission.objects.count() == 1
    codes = {CODE_RE.search(page).group(1) for page in pages}
    assert len(codes) == 1
