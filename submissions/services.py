"""What the submitter can do, one function per verb.

Each runs in one transaction and re-reads the submission under a row lock, so two requests
at once (a double click, two tabs) cannot create, answer or withdraw twice. Views call these
functions; nothing else changes what the submitter sent.
"""

import datetime
import logging
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from moderation.models import AuditEvent
from tracker.privacy import coarse_now

from . import formtoken, receipts
from .crypto import encrypt_contact
from .models import Attachment, Message, Submission, SubmissionSource, UsedFormToken

logger = logging.getLogger(__name__)

MODERATORS_GROUP = "Moderators"


class SubmissionError(Exception):
    """A request the submission's current state no longer allows."""


class AlreadySubmitted(SubmissionError):
    """This form (its one-time token) already created a submission. `code` is its receipt
    code if the form was sent again soon enough to show it again, else None."""

    def __init__(self, code=None):
        super().__init__()
        self.code = code


# A form sent again this soon (a double click, a retry after a lost connection) gets the
# same receipt page again; later the code is never shown again.
RECEIPT_REPEAT_SECONDS = 600


class NotAllowed(SubmissionError):
    """The submission is not in a state that allows this (anymore)."""


class DeadlinePassed(SubmissionError):
    """Storing took longer than SUBMISSION_DEADLINE_SECONDS: rolled back, nothing kept."""


def clock():
    """Monotonic seconds; tests move it to make a deadline pass."""
    return time.monotonic()


def deadline_from_now():
    return clock() + settings.SUBMISSION_DEADLINE_SECONDS


def _limit_to_deadline(deadline):
    """On PostgreSQL, no statement or lock wait of this transaction may outlast the
    deadline (the server cancels it); everywhere, the deadline is checked before commit."""
    remaining_ms = int((deadline - clock()) * 1000)
    if remaining_ms <= 0:
        raise DeadlinePassed
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('statement_timeout', %s, true)", [str(remaining_ms)])
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [str(remaining_ms)])


def create_submission(
    *, form_nonce, fields, sources, files, contact, language, held=False, deadline=None
):
    """Store a new submission with its sources and files; return it with its receipt code.

    `form_nonce` is the form's one-time nonce, `fields` the form's cleaned model fields,
    `sources` dicts of url/outlet/published_on, `files` CleanFile objects. `held` stores it
    as held (over its sender's hourly budget). Nothing is stored if it cannot be done by
    `deadline` (clock() seconds; DeadlinePassed). The receipt code exists only in the
    return value.
    """
    deadline = deadline if deadline is not None else deadline_from_now()
    code = receipts.code_for_form(form_nonce)
    token_hash = formtoken.nonce_hash(form_nonce)
    stored = []
    try:
        with transaction.atomic():
            _limit_to_deadline(deadline)
            try:
                with transaction.atomic():
                    token = UsedFormToken.objects.create(token_hash=token_hash)
            except IntegrityError:
                raise _already_submitted(token_hash, code) from None
            submission = Submission.objects.create(
                receipt_hash=receipts.code_hash(code),
                language=language,
                contact_encrypted=encrypt_contact(contact),
                status=Submission.Status.HELD if held else Submission.Status.NEW,
                **fields,
            )
            token.submission = submission
            token.save(update_fields=["submission"])
            SubmissionSource.objects.bulk_create(
                SubmissionSource(submission=submission, **row) for row in sources
            )
            _store_files(submission, files, stored)
            _record(AuditEvent.Action.SUBMIT, submission, files=len(files), sources=len(sources))
            # An expired token is refused by its signature; its row is no longer needed.
            expired = timezone.now() - datetime.timedelta(seconds=settings.SUBMISSION_FORM_MAX_AGE)
            UsedFormToken.objects.filter(used_at__lt=expired).delete()
            if not held:  # held reports are looked at in bulk, not announced one by one
                # Enqueued in this transaction: committed with the report, or not at all.
                notify_moderators_of_new_submission(submission)
            if clock() > deadline:  # the sender has given up on the page: keep nothing
                raise DeadlinePassed
    except BaseException:
        _delete_files(stored)
        raise
    return submission, code


def _already_submitted(token_hash, code):
    # used_at is stored to the hour (or coarser), so "recent" stretches by that much.
    seconds = RECEIPT_REPEAT_SECONDS + settings.SUBMITTER_TIME_RESOLUTION_SECONDS
    repeat_after = timezone.now() - datetime.timedelta(seconds=seconds)
    recent = UsedFormToken.objects.filter(
        token_hash=token_hash, used_at__gte=repeat_after, submission__isnull=False
    ).exists()
    return AlreadySubmitted(code if recent else None)


def find_by_receipt(code):
    """The submission with this receipt code, or None. The same work is done for any input."""
    return Submission.objects.filter(receipt_hash=receipts.code_hash(code)).first()


def answer_question(submission, *, text, files):
    """The submitter answers the moderators' open question, with text and maybe files."""
    stored = []
    try:
        with transaction.atomic():
            locked = Submission.objects.select_for_update().get(pk=submission.pk)
            if locked.status != Submission.Status.NEEDS_INFO:
                raise NotAllowed
            locked.status = Submission.Status.ANSWERED
            locked.save(update_fields=["status", "updated_at"])
            message = Message.objects.create(
                submission=locked, author_kind=Message.Author.SUBMITTER, text=text
            )
            _store_files(locked, files, stored, message=message)
            _record(AuditEvent.Action.ANSWER, locked, files=len(files))
            notify_moderators_of_answer(locked)
    except BaseException:
        _delete_files(stored)
        raise
    return message


def withdraw(submission):
    """The submitter takes an open submission back; nothing of it will be published."""
    with transaction.atomic():
        locked = Submission.objects.select_for_update().get(pk=submission.pk)
        if not locked.is_open:
            raise NotAllowed
        locked.status = Submission.Status.WITHDRAWN
        locked.decided_at = coarse_now()
        locked.save(update_fields=["status", "decided_at", "updated_at"])
        _record(AuditEvent.Action.WITHDRAW, locked)
    return locked


def _record(action, submission, **details):
    """The submitter's transition in the audit trail: no account, no text, no contact."""
    AuditEvent.objects.create(
        action=action, actor=None, submission=submission, details=details, at=coarse_now()
    )


def _store_files(submission, files, stored, message=None):
    for clean in files:
        attachment = Attachment(
            submission=submission,
            message=message,
            kind=clean.kind,
            content_type=clean.content_type,
            size=len(clean.content),
            metadata_removed=clean.metadata_removed,
        )
        # The name only carries the extension of the checked type; upload_to makes it random.
        attachment.file.save(f"upload{clean.extension}", ContentFile(clean.content), save=False)
        stored.append(attachment.file.name)
        attachment.save()


def _delete_files(names):
    storage = Attachment._meta.get_field("file").storage
    for name in names:
        storage.delete(name)


# Notifications. The moderation app calls these too; a mail never contains any part of the
# report (mail travels and is stored in places we do not control), only that it exists.


def notify_moderators_of_new_submission(submission):
    _mail_moderators(
        _("New report #%(id)s to review") % {"id": submission.pk},
        _(
            "A new report (#%(id)s) arrived and is waiting in the moderation queue.\n\n"
            "Read it there: %(queue)s\n\n"
            "This message does not contain the report, on purpose."
        )
        % {"id": submission.pk, "queue": _queue_path()},
    )


def notify_moderators_of_answer(submission):
    _mail_moderators(
        _("Report #%(id)s: the submitter answered") % {"id": submission.pk},
        _(
            "The submitter of report #%(id)s answered your question.\n\n"
            "Read the answer in the moderation queue: %(queue)s\n\n"
            "This message does not contain the answer, on purpose."
        )
        % {"id": submission.pk, "queue": _queue_path()},
    )


def moderator_ids():
    users = get_user_model().objects.filter(groups__name=MODERATORS_GROUP, is_active=True)
    return sorted(set(users.exclude(email="").values_list("pk", flat=True)))


def _mail_moderators(subject, body):
    # One message (and one task) per moderator: no moderator's address is shown to the
    # others, and a retry (submissions/tasks.py) never repeats a mail already sent.
    from .tasks import send_moderator_mail

    recipients = moderator_ids()
    for user_id in recipients:
        send_moderator_mail.enqueue(user_id, str(subject), str(body))
    logger.info("Queued notifications for %d moderators.", len(recipients))


def _queue_path():
    try:
        return reverse("moderation:queue")
    except NoReverseMatch:
        return "/moderation/"
