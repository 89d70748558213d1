"""Working on a submission: claim and release it, verify its sources, see the contact, ask
the submitter, reject and undo a rejection. Each function locks the submission row first
(common.lock_submission, or select_for_update where the row is no longer open)."""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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
    previous = locked.status
    decide(locked, Status.REJECTED)
    locked.rejection_reason = reason
    locked.decision_note = note
    locked.save()
    # The state it came from is kept so that the rejection can be undone (undo_rejection).
    common.record(
        AuditEvent.Action.REJECT,
        moderator=moderator,
        submission=locked,
        note=note,
        reason=reason,
        previous_status=previous,
    )
    return locked


def undo_window():
    return datetime.timedelta(hours=settings.MODERATION_UNDO_REJECTION_HOURS)


def can_undo_rejection(submission, now=None):
    """Whether the rejection of `submission` is recent enough to undo (no query)."""
    now = now or timezone.now()
    return (
        submission.status == Status.REJECTED
        and submission.decided_at is not None
        and submission.decided_at >= now - undo_window()
    )


@transaction.atomic
def undo_rejection(submission, *, moderator):
    """Put a rejected report back in the state it was rejected from, within
    MODERATION_UNDO_REJECTION_HOURS of the rejection. Nothing was sent to the submitter by
    the rejection (their status page said "not published"); it now shows the state again."""
    locked = Submission.objects.select_for_update().get(pk=submission.pk)
    events = locked.audit_events.order_by("-at", "-id")
    rejection = events.filter(action=AuditEvent.Action.REJECT).first()
    if locked.status != Status.REJECTED:
        undone = events.filter(action=AuditEvent.Action.UNDO_REJECTION).first()
        if undone and (rejection is None or (undone.at, undone.pk) > (rejection.at, rejection.pk)):
            raise Conflict(
                _(
                    "The rejection of submission #%(id)s was already undone by %(name)s; "
                    "nothing was changed."
                )
                % {"id": locked.pk, "name": undone.actor_name}
            )
        raise Conflict(
            _("Submission #%(id)s is now “%(status)s”; nothing was changed.")
            % {"id": locked.pk, "status": locked.get_status_display()}
        )
    if not can_undo_rejection(locked):
        hours = settings.MODERATION_UNDO_REJECTION_HOURS
        raise Conflict(
            ngettext(
                "Submission #%(id)s was rejected more than %(hours)d hour ago; the rejection "
                "can no longer be undone.",
                "Submission #%(id)s was rejected more than %(hours)d hours ago; the rejection "
                "can no longer be undone.",
                hours,
            )
            % {"id": locked.pk, "hours": hours}
        )
    previous = (rejection.details.get("previous_status") if rejection else None) or (
        Status.IN_REVIEW if locked.claimed_by_id else Status.NEW
    )
    if previous not in Submission.OPEN_STATUSES:
        previous = Status.NEW
    if previous == Status.IN_REVIEW and locked.claimed_by_id is None:
        previous = Status.NEW  # the reviewer's account is gone: back to the queue
    reason = locked.rejection_reason
    locked.status = previous
    locked.decided_at = None
    locked.rejection_reason = ""
    locked.decision_note = ""
    locked.save()
    common.record(
        AuditEvent.Action.UNDO_REJECTION,
        moderator=moderator,
        submission=locked,
        restored_status=previous,
        reason=reason,
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
