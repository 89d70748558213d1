import datetime
import smtplib

import pytest
from django.contrib.auth.models import Group, User
from django.core import mail
from django.core.mail import send_mail as real_send_mail
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from submissions.models import Submission
from tests.conftest import ensure_regions, make_submission, submission_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderators():
    group, _created = Group.objects.get_or_create(name="Moderators")
    people = [
        User.objects.create_user("anna", "anna@example.org", "x"),
        User.objects.create_user("boris", "boris@example.org", "x"),
    ]
    group.user_set.add(*people)
    User.objects.create_user("reader", "reader@example.org", "x")
    inactive = User.objects.create_user("gone", "gone@example.org", "x", is_active=False)
    group.user_set.add(inactive)
    return people


def test_each_moderator_is_told_of_a_new_report_without_its_content(
    client, moderators, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/submit/", submission_form_data())

    submission = Submission.objects.get()
    assert sorted(message.to[0] for message in mail.outbox) == [
        "anna@example.org",
        "boris@example.org",
    ]
    for message in mail.outbox:
        assert len(message.to) == 1 and not message.cc and not message.bcc
        assert f"#{submission.pk}" in message.subject
        text = message.subject + message.body
        for secret in (
            "Twelve guardsmen",
            "3723",
            "Kharkiv",
            "example_contact",
            "example.org/news",
        ):
            assert secret not in text


def test_no_mail_is_sent_when_the_form_fails(
    client, moderators, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/submit/", submission_form_data(what_happened=""))
    assert mail.outbox == []


def test_a_mail_server_failure_does_not_lose_the_report(client, moderators, monkeypatch):
    def broken(*args, **kwargs):
        raise smtplib.SMTPException("connection refused")

    monkeypatch.setattr("submissions.tasks.send_mail", broken)
    response = client.post("/submit/", submission_form_data())
    assert "receipt-code" in response.content.decode()
    assert Submission.objects.count() == 1


@pytest.fixture
def database_tasks(settings):
    """The production task backend: tasks are rows, run only by `manage.py db_worker`."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def run_worker():
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


# The worker closes database connections between tasks, as it should: these tests commit.
# They make the rows they need themselves (the group in `moderators`, the regions): a
# serialized rollback breaks after an earlier flushing test has renumbered content types.
@pytest.fixture
def committed_world():
    ensure_regions()


@pytest.mark.django_db(transaction=True)
def test_notifications_are_queued_with_the_report_and_sent_by_the_worker(
    client, committed_world, moderators, database_tasks
):
    client.post("/submit/", submission_form_data())
    # Committed with the report, not sent during the request.
    assert mail.outbox == []
    assert DBTaskResult.objects.filter(status="READY").count() == 2
    run_worker()
    assert sorted(message.to[0] for message in mail.outbox) == [
        "anna@example.org",
        "boris@example.org",
    ]
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_failed_send_is_retried_later_not_lost(
    client, committed_world, moderators, database_tasks, monkeypatch
):
    failures = []

    def fails_for_anna(subject, body, sender, recipients, **kwargs):
        if recipients == ["anna@example.org"] and not failures:
            failures.append(recipients)
            raise smtplib.SMTPServerDisconnected("mail server went away")
        return real_send_mail(subject, body, sender, recipients, **kwargs)

    monkeypatch.setattr("submissions.tasks.send_mail", fails_for_anna)
    client.post("/submit/", submission_form_data())
    before = timezone.now()
    run_worker()

    assert [message.to for message in mail.outbox] == [["boris@example.org"]]
    retry = DBTaskResult.objects.get(status="READY")
    assert retry.args_kwargs["kwargs"]["attempt"] == 2
    # Back-off: not before a minute has passed, so the worker leaves it for now.
    assert retry.run_after >= before + datetime.timedelta(seconds=59)
    run_worker()
    assert len(mail.outbox) == 1

    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    run_worker()
    assert sorted(message.to[0] for message in mail.outbox) == [
        "anna@example.org",
        "boris@example.org",
    ]


def test_moderators_are_told_when_the_submitter_answers(
    client, moderators, django_capture_on_commit_callbacks
):
    asked = make_submission(status=Submission.Status.NEEDS_INFO, questions=["Which unit?"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/submit/status/answer/", {"code": asked.receipt_code, "text": "Unit 3723."})
    assert len(mail.outbox) == 2
    assert all("3723" not in message.body for message in mail.outbox)
    assert all(f"#{asked.pk}" in message.subject for message in mail.outbox)
