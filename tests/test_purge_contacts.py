import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from submissions.models import Submission
from tests.conftest import make_submission

pytestmark = pytest.mark.django_db

CONTACT = "signal: +7 900 000-00-00"


def decided(days_ago, status=Submission.Status.WITHDRAWN, **extra):
    return make_submission(
        status=status,
        decided_at=timezone.now() - datetime.timedelta(days=days_ago),
        contact=CONTACT,
        **extra,
    )


def purge(*args):
    out = StringIO()
    call_command("purge_contacts", *args, stdout=out)
    return out.getvalue()


def test_contacts_are_deleted_the_configured_number_of_days_after_the_decision(settings):
    settings.CONTACT_RETENTION_DAYS = 30
    old = decided(31)
    rejected = decided(40, status=Submission.Status.REJECTED, rejection_reason="spam")
    recent = decided(29)
    still_open = make_submission(contact=CONTACT, created_at=timezone.now())

    output = purge()

    for submission in (old, rejected, recent, still_open):
        submission.refresh_from_db()
    assert old.contact_encrypted == "" and old.contact_purged_at is not None
    assert rejected.contact_encrypted == ""
    assert recent.contact_encrypted != "" and recent.contact_purged_at is None
    assert still_open.contact_encrypted != ""
    assert output.strip().endswith(
        "Deleted the contacts of 2 submissions decided more than 30 days ago."
    )


def test_days_can_be_given_on_the_command_line():
    submission = decided(8)
    purge("--days", "7")
    submission.refresh_from_db()
    assert submission.contact_encrypted == ""


def test_a_dry_run_only_counts():
    submission = decided(100)
    output = purge("--dry-run")
    submission.refresh_from_db()
    assert submission.contact_encrypted != ""
    assert "Would delete the contacts of 1 submissions" in output


def test_a_second_run_finds_nothing_to_delete():
    decided(100)
    purge()
    assert "Deleted the contacts of 0 submissions" in purge()


def test_progress_is_shown_on_long_runs(monkeypatch):
    from submissions.management.commands import purge_contacts

    monkeypatch.setattr(purge_contacts, "BATCH", 2)
    for _ in range(3):
        decided(100)
    output = purge()
    assert "2/3" in output and "3/3" in output
    assert Submission.objects.exclude(contact_encrypted="").count() == 0
