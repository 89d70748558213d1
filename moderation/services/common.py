"""What every moderation service shares: the audit record, the row lock, the conflict."""

from django.utils import timezone
from django.utils.translation import gettext as _

from submissions.models import Submission

from ..confidence import ModerationError
from ..models import AuditEvent, PublicationApproval

Status = Submission.Status


class Conflict(ModerationError):
    """The submission or case changed since the moderator looked at it."""


def record(action, *, moderator, submission=None, case=None, note="", **details):
    return AuditEvent.objects.create(
        action=action,
        actor=moderator,
        actor_name=moderator.get_username(),
        submission=submission,
        case=case,
        note=note,
        details=details,
    )


def lock_submission(submission, moderator, allowed=Submission.OPEN_STATUSES):
    """The submission, locked for this transaction, if `moderator` may still act on it."""
    locked = Submission.objects.select_for_update().get(pk=submission.pk)
    if locked.status not in allowed:
        raise Conflict(
            _("Submission #%(id)s is now “%(status)s”; nothing was changed.")
            % {"id": locked.pk, "status": locked.get_status_display()}
        )
    if locked.status == Status.IN_REVIEW and locked.claimed_by_id not in (None, moderator.pk):
        raise Conflict(
            _("Submission #%(id)s is being reviewed by %(name)s; nothing was changed.")
            % {"id": locked.pk, "name": locked.claimed_by.get_username()}
        )
    if PublicationApproval.objects.pending().filter(submission=locked).exists():
        raise Conflict(
            _("Submission #%(id)s waits for a second moderator to approve its publication.")
            % {"id": locked.pk}
        )
    return locked


def decide(submission, status, case=None):
    submission.status = status
    submission.decided_at = timezone.now()
    if case is not None:
        submission.case = case
