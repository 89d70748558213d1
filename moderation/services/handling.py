"""Working on a submission: claim and release it, verify its sources, see the contact, ask
the submitter, reject. Each function locks the submission row first (common.lock_submission)."""

from django.db import transaction
from django.utils import timezone

from submissions.crypto import decrypt_contact
from submissions.models import Message, Submission
from tracker.preservation import services as preservation

from ..models import AuditEvent
from . import common
from .common import Conflict, Status, decide, lock_submission


@transaction.atomic
def claim(submission, *, moderator):
    locked = lock_submission(submission, moderator)
    if locked.status == Status.IN_REVIEW:
        return locked  # already ours
    locked.status = Status.IN_REVIEW
    locked.claimed_by = moderator
    locked.claimed_at = timezone.now()
    locked.save(update_fields=["status", "claimed_by", "claimed_at", "updated_at"])
    common.record(AuditEvent.Action.CLAIM, moderator=moderator, submission=locked)
    return locked


@transaction.atomic
def release(submission, *, moderator):
    locked = lock_submission(submission, moderator, allowed=[Status.IN_REVIEW])
    locked.status = Status.NEW
    locked.claimed_by = None
    locked.claimed_at = None
    locked.save(update_fields=["status", "claimed_by", "claimed_at", "updated_at"])
    common.record(AuditEvent.Action.RELEASE, moderator=moderator, submission=locked)
    return locked


@transaction.atomic
def verify_source(
    source,
    *,
    moderator,
    reachable,
    supports_report,
    independent,
    note="",
    account_from=None,
    says_unconfirmed=False,
):
    submission = lock_submission(source.submission, moderator)
    source.reachable = reachable
    source.supports_report = supports_report
    source.independent = independent
    source.account_from = account_from or source.AccountFrom.UNKNOWN
    source.says_unconfirmed = says_unconfirmed
    source.verification_note = note
    source.verified_by = moderator
    source.verified_at = timezone.now()
    source.save()
    preservation.source_verified(source)  # enqueues the capture; never fetches here
    common.record(
        AuditEvent.Action.VERIFY_SOURCE,
        moderator=moderator,
        submission=submission,
        note=note,
        source=source.pk,
        reachable=reachable,
        supports_report=supports_report,
        independent=independent,
        account_from=source.account_from,
        says_unconfirmed=says_unconfirmed,
    )
    return source


@transaction.atomic
def view_contact(submission, *, moderator):
    """The decrypted contact. Each look is recorded, whoever looks."""
    common.record(AuditEvent.Action.VIEW_CONTACT, moderator=moderator, submission=submission)
    return decrypt_contact(submission.contact_encrypted)


@transaction.atomic
def ask(submission, *, moderator, question):
    """Ask the submitter; they read it on their status page, and their answer brings the
    submission back to the queue as "answered"."""
    locked = lock_submission(submission, moderator)
    Message.objects.create(
        submission=locked,
        author_kind=Message.Author.MODERATOR,
        moderator=moderator,
        text=question,
    )
    locked.status = Status.NEEDS_INFO
    locked.claimed_by = moderator
    locked.save(update_fields=["status", "claimed_by", "updated_at"])
    common.record(AuditEvent.Action.ASK, moderator=moderator, submission=locked, note=question)
    return locked


@transaction.atomic
def reject(submission, *, moderator, reason, note="", allowed=Submission.OPEN_STATUSES):
    locked = lock_submission(submission, moderator, allowed=allowed)
    decide(locked, Status.REJECTED)
    locked.rejection_reason = reason
    locked.decision_note = note
    locked.save()
    common.record(
        AuditEvent.Action.REJECT, moderator=moderator, submission=locked, note=note, reason=reason
    )
    return locked


def reject_as_spam(submissions, *, moderator):
    """Bulk action of the queue; only for new or held (unclaimed) submissions, where it is safe.
    Each one is its own transaction: one that changed meanwhile is skipped, not fatal."""
    rejected = 0
    for submission in submissions:
        try:
            reject(
                submission,
                moderator=moderator,
                reason=Submission.RejectionReason.SPAM,
                allowed=[Status.NEW, Status.HELD],
            )
        except Conflict:
            continue
        rejected += 1
    return rejected
