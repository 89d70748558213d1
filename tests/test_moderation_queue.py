import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from moderation.models import AuditEvent
from submissions.models import Attachment, Submission
from tests.conftest import make_submission

pytestmark = pytest.mark.django_db

Status = Submission.Status
QUEUE = "/moderation/"


def listed(response):
    """Submission numbers in the order the queue shows them."""
    return [
        int(pk) for pk in re.findall(r'<a href="/moderation/(\d+)/">#', response.content.decode())
    ]


def received(submission, days_ago):
    Submission.objects.filter(pk=submission.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=days_ago)
    )


def test_the_queue_shows_open_submissions_oldest_first(moderator_client, other_moderator):
    newer = make_submission()
    older = make_submission(status=Status.ANSWERED)
    oldest = make_submission(status=Status.IN_REVIEW, claimed_by=other_moderator)
    waiting = make_submission(status=Status.NEEDS_INFO)
    rejected = make_submission(status=Status.REJECTED, rejection_reason="spam")
    for days, submission in enumerate([newer, older, waiting, oldest]):
        received(submission, days)

    response = moderator_client.get(QUEUE)

    assert listed(response) == [oldest.pk, waiting.pk, older.pk, newer.pk]
    assert rejected.pk not in listed(response)


def test_the_queue_counts_submissions_per_state(moderator_client):
    make_submission()
    make_submission()
    make_submission(status=Status.ANSWERED)

    content = moderator_client.get(QUEUE).content.decode()

    assert re.search(r">new</a>: <strong>2</strong>", content)
    assert re.search(r">submitter answered</a>: <strong>1</strong>", content)
    assert re.search(r">in review</a>: <strong>0</strong>", content)


def test_the_queue_filters_by_state_language_claimer_and_attachments(moderator_client, moderator):
    russian = make_submission(language="ru")
    english = make_submission(language="en")
    mine = make_submission(status=Status.IN_REVIEW, claimed_by=moderator)
    with_file = make_submission()
    Attachment.objects.create(
        submission=with_file, kind="pdf", content_type="application/pdf", size=1, file="x.pdf"
    )

    assert listed(moderator_client.get(QUEUE, {"language": "en"})) == [english.pk]
    assert listed(moderator_client.get(QUEUE, {"mine": "on"})) == [mine.pk]
    assert listed(moderator_client.get(QUEUE, {"attachments": "on"})) == [with_file.pk]
    assert listed(moderator_client.get(QUEUE, {"state": "in_review"})) == [mine.pk]
    assert russian.pk in listed(moderator_client.get(QUEUE, {"state": "new"}))


def test_recently_decided_submissions_have_their_own_view(moderator_client):
    decided = make_submission(
        status=Status.REJECTED, rejection_reason="spam", decided_at=timezone.now()
    )
    long_ago = make_submission(
        status=Status.REJECTED,
        rejection_reason="spam",
        decided_at=timezone.now() - datetime.timedelta(days=90),
    )

    shown = listed(moderator_client.get(QUEUE, {"state": "decided"}))

    assert decided.pk in shown
    assert long_ago.pk not in shown


def test_one_click_claims_a_submission(moderator_client, moderator, new_submission):
    response = moderator_client.post(reverse("moderation:claim", args=[new_submission.pk]))

    assert response.status_code == 302
    new_submission.refresh_from_db()
    assert new_submission.status == Status.IN_REVIEW
    assert new_submission.claimed_by == moderator
    assert AuditEvent.objects.get(submission=new_submission).action == "claim"


def test_a_submission_claimed_by_someone_else_cannot_be_claimed(moderator_client, other_moderator):
    taken = make_submission(status=Status.IN_REVIEW, claimed_by=other_moderator)

    response = moderator_client.post(reverse("moderation:claim", args=[taken.pk]), follow=True)

    assert "is being reviewed by second-moderator" in response.content.decode()
    taken.refresh_from_db()
    assert taken.claimed_by == other_moderator


def test_bulk_reject_as_spam_rejects_the_selected_new_submissions(moderator_client):
    spam = [make_submission(), make_submission()]
    kept = make_submission()

    response = moderator_client.post(
        reverse("moderation:bulk_reject_spam"),
        {"submissions": [s.pk for s in spam], "confirm": "1"},
        follow=True,
    )

    assert "2 submissions rejected as spam." in response.content.decode()
    for submission in spam:
        submission.refresh_from_db()
        assert submission.status == Status.REJECTED
        assert submission.rejection_reason == "spam"
    kept.refresh_from_db()
    assert kept.status == Status.NEW
    assert AuditEvent.objects.filter(action="reject").count() == 2


def test_bulk_reject_refuses_submissions_someone_is_working_on(moderator_client, other_moderator):
    new = make_submission()
    claimed = make_submission(status=Status.IN_REVIEW, claimed_by=other_moderator)

    response = moderator_client.post(
        reverse("moderation:bulk_reject_spam"), {"submissions": [new.pk, claimed.pk]}, follow=True
    )

    assert "Only new or held submissions can be rejected in bulk." in response.content.decode()
    claimed.refresh_from_db()
    new.refresh_from_db()
    assert claimed.status == Status.IN_REVIEW
    assert new.status == Status.NEW
