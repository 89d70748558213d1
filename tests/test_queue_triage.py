"""A queue you can triage (issue 12, point 7): each row shows the start of the report,
direction-isolated, its language, sources and files and a duplicate hint, in a constant
number of queries; bulk "reject as spam" asks first with the exact list; a rejection can be
undone for MODERATION_UNDO_REJECTION_HOURS, once, whoever clicks first."""

import datetime
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from moderation import services
from moderation.models import AuditEvent
from submissions.models import Submission
from tests.conftest import log_in, make_case, make_submission

pytestmark = pytest.mark.django_db

Status = Submission.Status
QUEUE = "/moderation/"
BULK = "/moderation/bulk/reject-spam/"


def undo_url(submission):
    return reverse("moderation:undo_rejection", args=[submission.pk])


def row_of(content, submission):
    """The queue's table row of this submission."""
    for row in re.findall(r"<tr>(.*?)</tr>", content, re.S):
        if f'<a href="/moderation/{submission.pk}/">#' in row:
            return row
    return None


# --- the rows ------------------------------------------------------------------------------


def test_each_row_shows_the_start_of_the_report_escaped_and_direction_isolated(moderator_client):
    text = "<b>Мой брат</b> ‏ابني‎ служит в части 3723. " + "Очень длинный рассказ. " * 20
    submission = make_submission(what_happened=text, language="ru")

    row = row_of(moderator_client.get(QUEUE).content.decode(), submission)

    assert '<span class="report-start" dir="auto">&lt;b&gt;Мой брат&lt;/b&gt;' in row
    assert "<b>Мой брат" not in row
    start = re.search(r'<span class="report-start" dir="auto">(.*?)</span>', row, re.S).group(1)
    assert start.endswith("…")
    assert len(start.replace("&lt;", "<").replace("&gt;", ">")) <= 140
    assert "Russian" in row


def test_a_row_hints_at_a_published_case_and_a_report_of_the_same_unit(moderator_client):
    case = make_case(unit="военная часть 3723", event_date=datetime.date(2023, 5, 1))
    first = make_submission(unit="в/ч 3723", event_date=datetime.date(2023, 5, 10))
    second = make_submission(unit="3723", event_date=None, event_date_precision="unknown")
    unrelated = make_submission(unit="в/ч 55555")

    content = moderator_client.get(QUEUE).content.decode()

    assert f'possible duplicate of <a href="/cases/{case.pk}/">case #{case.pk}</a>' in (
        row_of(content, first)
    )
    assert f'same unit as <a href="/moderation/{second.pk}/">report #{second.pk}</a>' in (
        row_of(content, first)
    )
    assert "duplicate-hint" not in row_of(content, unrelated)


def test_the_hint_is_in_russian(moderator_client):
    make_case(unit="в/ч 3723", event_date=datetime.date(2023, 5, 1))
    submission = make_submission(unit="в/ч 3723")

    row = row_of(
        moderator_client.get(QUEUE, HTTP_ACCEPT_LANGUAGE="ru").content.decode(), submission
    )

    assert "возможный дубликат" in row
    assert "Русский" in row or "русский" in row


def test_the_queue_needs_as_many_queries_with_hints_for_every_row(moderator_client):
    make_submission(unit="в/ч 3723")
    with CaptureQueriesContext(connection) as few:
        moderator_client.get(QUEUE)
    for number in range(15):
        make_case(unit=f"в/ч {4000 + number}", event_date=datetime.date(2023, 5, 1))
        make_submission(unit=f"в/ч {4000 + number}")
    with CaptureQueriesContext(connection) as many:
        content = moderator_client.get(QUEUE).content.decode()

    assert content.count("possible duplicate of") == 15
    assert len(many) == len(few)


# --- bulk "reject as spam" -----------------------------------------------------------------


def test_bulk_spam_first_lists_exactly_the_chosen_reports_and_rejects_nothing(moderator_client):
    chosen = [
        make_submission(what_happened="Купите дешёвые часы, звоните!"),
        make_submission(what_happened="<i>casino</i> bonus"),
    ]
    left = make_submission(what_happened="Настоящий отказ в в/ч 3723.")

    response = moderator_client.post(BULK, {"submissions": [s.pk for s in chosen]})

    content = response.content.decode()
    assert response.status_code == 200
    assert "Reject 2 submissions as spam?" in content
    assert content.count('class="chosen-report"') == 2
    assert "Купите дешёвые часы, звоните!" in content
    assert "&lt;i&gt;casino&lt;/i&gt; bonus" in content
    assert "Настоящий отказ" not in content
    assert left.pk not in [
        int(pk) for pk in re.findall(r'name="submissions" value="(\d+)"', content)
    ]
    assert Submission.objects.filter(status=Status.REJECTED).count() == 0
    assert not AuditEvent.objects.filter(action="reject").exists()


def test_the_confirmation_rejects_and_says_for_how_long_it_can_be_undone(moderator_client):
    chosen = [make_submission(), make_submission(status=Status.HELD)]

    response = moderator_client.post(
        BULK, {"submissions": [s.pk for s in chosen], "confirm": "1"}, follow=True
    )

    assert "2 submissions rejected as spam." in response.content.decode()
    assert "It can be undone for 24 hours" in response.content.decode()
    assert {s.status for s in Submission.objects.filter(pk__in=[s.pk for s in chosen])} == {
        Status.REJECTED
    }


def test_the_confirmation_page_is_in_russian(moderator_client):
    chosen = make_submission()

    content = moderator_client.post(
        BULK, {"submissions": [chosen.pk]}, HTTP_ACCEPT_LANGUAGE="ru"
    ).content.decode()

    assert "Отклонить 1 сообщение как спам?" in content
    assert "Отклонить их как спам" in content


# --- undoing a rejection -------------------------------------------------------------------


def test_a_spam_rejection_is_undone_to_the_state_it_came_from(moderator_client, moderator):
    held = make_submission(status=Status.HELD)
    services.reject_as_spam([held], moderator=moderator)

    response = moderator_client.post(undo_url(held), follow=True)

    held.refresh_from_db()
    assert held.status == Status.HELD
    assert held.rejection_reason == "" and held.decided_at is None
    assert "was undone" in response.content.decode()
    event = AuditEvent.objects.get(action="undo_rejection")
    assert (event.actor, event.submission) == (moderator, held)
    assert event.details == {"restored_status": "held", "reason": "spam"}


def test_an_ordinary_rejection_goes_back_to_review_by_the_same_moderator(
    moderator_client, moderator
):
    submission = make_submission(status=Status.IN_REVIEW, claimed_by=moderator)
    services.reject(submission, moderator=moderator, reason="unverifiable", note="No source.")

    moderator_client.post(undo_url(submission))

    submission.refresh_from_db()
    assert submission.status == Status.IN_REVIEW
    assert submission.claimed_by == moderator
    assert submission.decision_note == ""


def test_the_submitters_status_page_shows_the_report_waiting_again(client, moderator):
    submission = make_submission()
    code = submission.receipt_code
    services.reject_as_spam([submission], moderator=moderator)
    rejected = client.post("/submit/status/", {"code": code}).content.decode()

    services.undo_rejection(submission, moderator=moderator)
    restored = client.post("/submit/status/", {"code": code}).content.decode()

    assert "Your report was not published." in rejected
    assert "Your report was not published." not in restored
    assert "Received. It is waiting for a moderator." in restored


def test_a_rejection_older_than_the_window_cannot_be_undone(moderator_client, moderator, settings):
    settings.MODERATION_UNDO_REJECTION_HOURS = 2
    submission = make_submission()
    services.reject_as_spam([submission], moderator=moderator)
    Submission.objects.filter(pk=submission.pk).update(
        decided_at=timezone.now() - datetime.timedelta(hours=3)
    )

    review = moderator_client.get(reverse("moderation:review", args=[submission.pk]))
    response = moderator_client.post(undo_url(submission), follow=True)

    assert "Undo rejection" not in review.content.decode()
    assert "more than 2 hours ago; the rejection can no longer be undone" in (
        response.content.decode()
    )
    submission.refresh_from_db()
    assert submission.status == Status.REJECTED
    assert not AuditEvent.objects.filter(action="undo_rejection").exists()


def test_the_second_of_two_moderators_undoing_is_told_and_changes_nothing(
    moderator_client, moderator, other_moderator
):
    submission = make_submission()
    services.reject_as_spam([submission], moderator=moderator)
    other = Client()
    log_in(other, other_moderator)
    first_review = moderator_client.get(reverse("moderation:review", args=[submission.pk]))

    other.post(undo_url(submission))
    claimed_meanwhile = services.claim(submission, moderator=other_moderator)
    response = moderator_client.post(undo_url(submission), follow=True)

    assert "Undo rejection" in first_review.content.decode()
    assert (
        f"The rejection of submission #{submission.pk} was already undone by second-moderator; "
        "nothing was changed."
    ) in response.content.decode()
    submission.refresh_from_db()
    assert submission.status == Status.IN_REVIEW == claimed_meanwhile.status
    assert submission.claimed_by == other_moderator
    assert AuditEvent.objects.filter(action="undo_rejection").count() == 1


def test_the_refusal_to_undo_twice_is_in_russian(moderator_client, moderator):
    submission = make_submission()
    services.reject_as_spam([submission], moderator=moderator)
    services.undo_rejection(submission, moderator=moderator)

    response = moderator_client.post(undo_url(submission), HTTP_ACCEPT_LANGUAGE="ru", follow=True)

    assert "уже отменил" in response.content.decode()


def test_recently_rejected_rows_of_the_queue_offer_the_undo(moderator_client, moderator):
    recent = make_submission()
    services.reject_as_spam([recent], moderator=moderator)
    old = make_submission(
        status=Status.REJECTED,
        rejection_reason="spam",
        decided_at=timezone.now() - datetime.timedelta(days=3),
    )

    content = moderator_client.get(QUEUE, {"state": "decided"}).content.decode()

    assert undo_url(recent) in row_of(content, recent)
    assert undo_url(old) not in row_of(content, old)
    response = moderator_client.post(undo_url(recent), {"next": "queue"})
    assert response["Location"] == "/moderation/?state=decided"


def test_the_contact_of_a_rejected_report_is_kept_while_it_can_be_undone(moderator, settings):
    settings.CONTACT_RETENTION_DAYS = 0
    submission = make_submission(contact="signal: +7 900 000-00-00")
    services.reject_as_spam([submission], moderator=moderator)

    call_command("purge_contacts", stdout=StringIO())

    submission.refresh_from_db()
    assert submission.contact_encrypted != ""
    Submission.objects.filter(pk=submission.pk).update(
        decided_at=timezone.now() - datetime.timedelta(hours=25)
    )
    call_command("purge_contacts", stdout=StringIO())
    submission.refresh_from_db()
    assert submission.contact_encrypted == ""
