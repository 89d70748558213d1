"""Two moderators acting on the same thing at the same moment: it ends in one state, and
the one who lost is told. The first action is held open inside its transaction (after its
checks, before its commit) until the second is waiting on the database, so the race is
forced every time, not left to luck.

PostgreSQL only: SQLite serialises whole transactions and has no row locks to test.
"""

import threading

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from moderation import services
from moderation.models import AuditEvent, PublicationApproval
from submissions.models import Submission
from tests.conftest import log_in, make_submission, totp_code
from tests.threads import WAIT, in_thread, someone_waits_on_a_lock
from tracker.models import Case

# serialized_rollback: the flush after each test would drop the migrations' data (regions, groups).
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CASE_DATA = {
    "original_language": "en",
    "title_en": "Draft title",
    "summary_en": "Summary.",
    "refusal_kind": "refused_deploy",
    "confidence": "reported",
    "outcomes": [],
}


class HoldFirst:
    """Replaces services.record: the first audit event of `action` waits, inside its
    transaction, until released; everything else goes through."""

    def __init__(self, monkeypatch, action):
        self.action, self.inside, self.release = action, threading.Event(), threading.Event()
        self.held = False
        self.original = services.common.record
        monkeypatch.setattr(services.common, "record", self)

    def __call__(self, action, **kwargs):
        if action == self.action and not self.held:
            self.held = True
            self.inside.set()
            self.release.wait(WAIT)
        return self.original(action, **kwargs)


def race(hold, first, second):
    """Run `first` until it is held, start `second`, let `first` finish once `second`
    waits on the database (or has finished without waiting)."""
    first_thread, first_outcome = in_thread(first)
    assert hold.inside.wait(WAIT), first_outcome
    second_thread, second_outcome = in_thread(second)
    while second_thread.is_alive() and not someone_waits_on_a_lock():
        second_thread.join(0.01)
    hold.release.set()
    first_thread.join(WAIT)
    second_thread.join(WAIT)
    return first_outcome, second_outcome


@pytest.fixture
def report(region):
    return make_submission(
        home_region=region,
        sources=[{"url": "https://example.org/a", "outlet": "A", "verified": True}],
    )


def test_a_rejection_first_makes_a_publication_at_the_same_moment_fail_cleanly(
    report, moderator, other_moderator, monkeypatch
):
    hold = HoldFirst(monkeypatch, AuditEvent.Action.REJECT)

    rejected, published = race(
        hold,
        lambda: services.reject(report, moderator=moderator, reason="unverifiable"),
        lambda: services.publish(report, moderator=other_moderator, case_data=dict(CASE_DATA)),
    )

    assert "result" in rejected, rejected
    assert isinstance(published.get("error"), services.Conflict), published
    assert "is now “rejected”" in str(published["error"])
    report.refresh_from_db()
    assert report.status == Submission.Status.REJECTED
    assert not Case.objects.exists()
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["reject"]


def test_the_moderator_who_lost_the_race_in_the_browser_is_told(
    report, moderator, other_moderator, monkeypatch
):
    rejecting, publishing = Client(), Client()
    log_in(rejecting, moderator)
    log_in(publishing, other_moderator)
    hold = HoldFirst(monkeypatch, AuditEvent.Action.REJECT)
    publish_form = {
        **CASE_DATA,
        "event_date_precision": "unknown",
        "people_qualifier": "unknown",
        "service_status": "unknown",
        "force": "unknown",
        "location_country": "unknown",
    }

    rejected, published = race(
        hold,
        lambda: rejecting.post(reverse("moderation:reject", args=[report.pk]), {"reason": "spam"}),
        lambda: publishing.post(reverse("moderation:publish", args=[report.pk]), publish_form),
    )

    assert rejected["result"].status_code == 302
    assert rejected["result"].url == reverse("moderation:queue")
    loser = published["result"]
    assert loser.status_code == 200  # the form again, with what they typed
    assert "is now “rejected”; nothing was changed." in loser.content.decode()
    assert "Draft title" in loser.content.decode()
    assert not Case.objects.exists()


@pytest.fixture
def awaiting_approval(report, moderator, settings):
    settings.MODERATION_FOUR_EYES = True
    case = services.publish(report, moderator=moderator, case_data=dict(CASE_DATA))
    return report, case


def test_an_edit_of_the_draft_first_makes_the_approval_fail_cleanly(
    awaiting_approval, moderator, other_moderator, monkeypatch
):
    report, case = awaiting_approval
    seen = services.draft_version(case)  # the approver read the draft as it was
    hold = HoldFirst(monkeypatch, AuditEvent.Action.EDIT_CASE)

    edited, approved = race(
        hold,
        lambda: services.edit_case(case, moderator=moderator, changes={"title_en": "Edited title"}),
        lambda: services.approve_publication(report, moderator=other_moderator, seen_version=seen),
    )

    assert edited.get("result") == ["title_en"], edited
    assert isinstance(approved.get("error"), services.Conflict), approved
    assert "was edited since you read it" in str(approved["error"])
    case.refresh_from_db()
    assert (case.status, case.title) == (Case.Status.DRAFT, "Edited title")
    assert PublicationApproval.objects.get().approved_at is None


def test_an_approval_first_makes_an_edit_at_the_same_moment_fail_cleanly(
    awaiting_approval, moderator, other_moderator, monkeypatch
):
    report, case = awaiting_approval
    seen = services.draft_version(case)
    hold = HoldFirst(monkeypatch, AuditEvent.Action.APPROVE)

    # The edit was made from the draft the approver read; the approval changes the case
    # first, so the edit is one version behind and must be refused, not saved over it.
    approved, edited = race(
        hold,
        lambda: services.approve_publication(report, moderator=other_moderator, seen_version=seen),
        lambda: services.edit_case(
            case, moderator=moderator, changes={"title_en": "Edited title"}, seen_version=seen
        ),
    )

    assert "result" in approved, approved
    assert isinstance(edited.get("error"), services.StaleEdit), edited
    case.refresh_from_db()
    assert (case.status, case.title) == (Case.Status.PUBLISHED, "Draft title")
    assert not AuditEvent.objects.filter(action="edit_case").exists()


def test_an_edit_while_the_approver_reads_is_never_overwritten_by_the_approval(
    awaiting_approval, moderator, other_moderator, monkeypatch
):
    # Without a version (an older form): the approval still must not write back the stale
    # draft over the edit.
    report, case = awaiting_approval
    hold = HoldFirst(monkeypatch, AuditEvent.Action.EDIT_CASE)

    edited, approved = race(
        hold,
        lambda: services.edit_case(case, moderator=moderator, changes={"title_en": "Edited title"}),
        lambda: services.approve_publication(report, moderator=other_moderator),
    )

    assert "result" in edited and "result" in approved, (edited, approved)
    case.refresh_from_db()
    assert (case.status, case.title) == (Case.Status.PUBLISHED, "Edited title")


def test_one_code_sent_from_two_browsers_at_once_logs_in_only_one(moderator):
    code = totp_code(TOTPDevice.objects.get(user=moderator))
    start = threading.Barrier(2)
    browsers = [Client(), Client()]

    def attempt(browser):
        def work():
            start.wait(WAIT)
            return log_in(browser, moderator, code=code).status_code

        return work

    runs = [in_thread(attempt(browser)) for browser in browsers]
    for thread, _outcome in runs:
        thread.join(WAIT)

    assert sorted(outcome["result"] for _thread, outcome in runs) == [200, 302]
