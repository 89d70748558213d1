"""Every state change of moderation: one function per verb, each in one transaction, each
writing its audit event. Views and the admin call these; nothing else changes a status.

Each function first locks the submission (or case) row with SELECT … FOR UPDATE and checks
that the change is still valid, so two moderators deciding at once produce exactly one
outcome: the second waits for the first to commit, then sees the new state and gets a
`Conflict`. (SQLite has no row locks; there the settings make every transaction take the
write lock at BEGIN, which serialises them the same way.)
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from submissions.crypto import decrypt_contact
from submissions.models import Message, Submission
from tracker.models import Case, CaseCorrection, CaseEvent, CaseOutcome, Source
from tracker.preservation import services as preservation

from .confidence import (
    CONFIDENCE_RANK,
    ModerationError,
    check_confidence,
    grade,
    suggested_confidence,
)
from .models import AuditEvent, PublicationApproval

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


def _lock(submission, moderator, allowed=Submission.OPEN_STATUSES):
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
    if PublicationApproval.objects.filter(submission=locked, approved_at__isnull=True).exists():
        raise Conflict(
            _("Submission #%(id)s waits for a second moderator to approve its publication.")
            % {"id": locked.pk}
        )
    return locked


# --- working on a submission -----------------------------------------------------------


@transaction.atomic
def claim(submission, *, moderator):
    locked = _lock(submission, moderator)
    if locked.status == Status.IN_REVIEW:
        return locked  # already ours
    locked.status = Status.IN_REVIEW
    locked.claimed_by = moderator
    locked.claimed_at = timezone.now()
    locked.save(update_fields=["status", "claimed_by", "claimed_at", "updated_at"])
    record(AuditEvent.Action.CLAIM, moderator=moderator, submission=locked)
    return locked


@transaction.atomic
def release(submission, *, moderator):
    locked = _lock(submission, moderator, allowed=[Status.IN_REVIEW])
    locked.status = Status.NEW
    locked.claimed_by = None
    locked.claimed_at = None
    locked.save(update_fields=["status", "claimed_by", "claimed_at", "updated_at"])
    record(AuditEvent.Action.RELEASE, moderator=moderator, submission=locked)
    return locked


@transaction.atomic
def verify_source(source, *, moderator, reachable, supports_report, independent, note=""):
    submission = _lock(source.submission, moderator)
    source.reachable = reachable
    source.supports_report = supports_report
    source.independent = independent
    source.verification_note = note
    source.verified_by = moderator
    source.verified_at = timezone.now()
    source.save()
    preservation.source_verified(source)  # enqueues the capture; never fetches here
    record(
        AuditEvent.Action.VERIFY_SOURCE,
        moderator=moderator,
        submission=submission,
        note=note,
        source=source.pk,
        reachable=reachable,
        supports_report=supports_report,
        independent=independent,
    )
    return source


@transaction.atomic
def view_contact(submission, *, moderator):
    """The decrypted contact. Each look is recorded, whoever looks."""
    record(AuditEvent.Action.VIEW_CONTACT, moderator=moderator, submission=submission)
    return decrypt_contact(submission.contact_encrypted)


@transaction.atomic
def ask(submission, *, moderator, question):
    """Ask the submitter; they read it on their status page, and their answer brings the
    submission back to the queue as "answered"."""
    locked = _lock(submission, moderator)
    Message.objects.create(
        submission=locked,
        author_kind=Message.Author.MODERATOR,
        moderator=moderator,
        text=question,
    )
    locked.status = Status.NEEDS_INFO
    locked.claimed_by = moderator
    locked.save(update_fields=["status", "claimed_by", "updated_at"])
    record(AuditEvent.Action.ASK, moderator=moderator, submission=locked, note=question)
    return locked


# --- decisions -------------------------------------------------------------------------


def _decide(submission, status, case=None):
    submission.status = status
    submission.decided_at = timezone.now()
    if case is not None:
        submission.case = case


@transaction.atomic
def reject(submission, *, moderator, reason, note="", allowed=Submission.OPEN_STATUSES):
    locked = _lock(submission, moderator, allowed=allowed)
    _decide(locked, Status.REJECTED)
    locked.rejection_reason = reason
    locked.decision_note = note
    locked.save()
    record(
        AuditEvent.Action.REJECT, moderator=moderator, submission=locked, note=note, reason=reason
    )
    return locked


def reject_as_spam(submissions, *, moderator):
    """Bulk action of the queue; only for new, unclaimed submissions, where it is safe.
    Each one is its own transaction: one that changed meanwhile is skipped, not fatal."""
    rejected = 0
    for submission in submissions:
        try:
            reject(submission, moderator=moderator, reason="spam", allowed=[Status.NEW])
        except Conflict:
            continue
        rejected += 1
    return rejected


CASE_FIELDS = [
    "title",
    "summary",
    "event_date",
    "event_date_precision",
    "first_reported_on",
    "people_count",
    "people_qualifier",
    "named_people",
    "service_status",
    "force",
    "unit",
    "home_region",
    "location_country",
    "location",
    "refusal_kind",
    "legal_articles",
    "confidence",
]


def _copy_source(source, case):
    copy = Source.objects.create(
        case=case,
        outlet=source.outlet or _outlet_from_url(source.url),
        url=source.url,
        published_on=source.published_on,
        verified_by=source.verified_by,
        verified_at=source.verified_at,
    )
    preservation.source_copied(source, copy)  # enqueues: snapshots follow the source
    return copy


def _outlet_from_url(url):
    from urllib.parse import urlsplit

    return urlsplit(url).hostname or url


@transaction.atomic
def publish(submission, *, moderator, case_data):
    """Publish a submission as a new case, from the fields the moderator edited.

    `case_data` holds Case fields plus `outcomes` (a list) and `confidence_reason`. Only
    verified sources go onto the case. With the four-eyes setting the case stays a draft
    until another moderator approves it (`approve_publication`).
    """
    locked = _lock(submission, moderator)
    sources = list(locked.sources.all())
    verified = [source for source in sources if source.is_verified]
    if not verified:
        raise ModerationError(_("Verify at least one source before publishing."))
    reason = case_data.get("confidence_reason", "")
    confidence = check_confidence(
        case_data.get("confidence"), suggested_confidence(sources), reason
    )
    four_eyes = settings.MODERATION_FOUR_EYES
    case = Case(**{field: case_data[field] for field in CASE_FIELDS if field in case_data})
    case.confidence = confidence
    case.status = Case.Status.DRAFT if four_eyes else Case.Status.PUBLISHED
    case.save()
    for outcome in case_data.get("outcomes", []):
        CaseOutcome.objects.create(case=case, outcome=outcome)
    for source in verified:
        _copy_source(source, case)
    details = {"confidence": confidence, "sources": len(verified)}
    if reason:
        details["confidence_reason"] = reason
    if four_eyes:
        PublicationApproval.objects.create(submission=locked, case=case, requested_by=moderator)
        locked.status = Status.IN_REVIEW
        locked.claimed_by = moderator
        locked.claimed_at = locked.claimed_at or timezone.now()
        locked.case = case
        locked.save()
        action = AuditEvent.Action.REQUEST_APPROVAL
    else:
        _decide(locked, Status.PUBLISHED, case)
        locked.save()
        action = AuditEvent.Action.PUBLISH
    record(action, moderator=moderator, submission=locked, case=case, note=reason, **details)
    return case


def draft_version(case):
    """What the approving moderator saw of the draft (the review screen sends it back)."""
    return case.updated_at.isoformat()


@transaction.atomic
def approve_publication(submission, *, moderator, seen_version=None):
    """The four-eyes rule's second moderator: publishes the draft case.

    `seen_version` is the draft_version() the moderator read; if the draft was edited
    since, nothing is published: they approve what they read or nothing.
    """
    locked = Submission.objects.select_for_update().get(pk=submission.pk)
    approval = (
        PublicationApproval.objects.select_for_update()
        .filter(submission=locked, approved_at__isnull=True)
        .first()
    )
    if approval is None:
        raise Conflict(_("There is no publication waiting for approval; nothing was changed."))
    if approval.requested_by_id == moderator.pk:
        raise ModerationError(_("Another moderator has to approve your publication."))
    # Locked, so an edit of the draft either lands before (and is seen here) or waits.
    case = Case.objects.select_for_update().get(pk=approval.case_id)
    if seen_version is not None and seen_version != draft_version(case):
        raise Conflict(
            _("Case #%(id)s was edited since you read it; read it again before approving.")
            % {"id": case.pk}
        )
    now = timezone.now()
    approval.approved_by = moderator
    approval.approved_at = now
    approval.save()
    case.status = Case.Status.PUBLISHED
    case.published_at = now
    case.save()
    _decide(locked, Status.PUBLISHED, case)
    locked.save()
    record(AuditEvent.Action.APPROVE, moderator=moderator, submission=locked, case=case)
    return case


@transaction.atomic
def decline_publication(submission, *, moderator, note):
    """The four-eyes rule's other answer: the second moderator sends the draft back (or the
    one who prepared it takes it back). The draft case, never public, is deleted; the
    submission stays in review with the moderator who prepared it."""
    locked = Submission.objects.select_for_update().get(pk=submission.pk)
    approval = (
        PublicationApproval.objects.select_for_update()
        .filter(submission=locked, approved_at__isnull=True)
        .first()
    )
    if approval is None:
        raise Conflict(_("There is no publication waiting for approval; nothing was changed."))
    case = Case.objects.select_for_update().get(pk=approval.case_id)
    if case.status != Case.Status.DRAFT:
        raise Conflict(
            _("Case #%(id)s is no longer a draft; nothing was changed.") % {"id": case.pk}
        )
    draft_id = case.pk
    locked.case = None
    locked.save()
    approval.delete()
    case.delete()
    record(
        AuditEvent.Action.DECLINE, moderator=moderator, submission=locked, note=note, draft=draft_id
    )
    return locked


@transaction.atomic
def merge(submission, *, moderator, case, merge_data):
    """Add a submission's verified sources and new facts to an existing published case.

    `merge_data`: `outcomes` to add, optional `people_count`/`people_qualifier`, optional
    `summary_addition`, optional `event` (date, date_precision, kind, description), and the
    public `correction_note`. All sources the case had are kept; a source already on the
    case (same link) is not added twice. Confidence can only go up: each added verified
    source that is independent of the others counts as one more.
    """
    locked = _lock(submission, moderator)
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not case.is_public:
        raise Conflict(
            _("Case #%(id)s is not published; merge into a published case.") % {"id": case.pk}
        )
    known_urls = set(case.sources.exclude(url="").values_list("url", flat=True))
    new_sources = [
        source
        for source in locked.sources.all()
        if source.is_verified and (not source.url or source.url not in known_urls)
    ]
    added = [_copy_source(source, case) for source in new_sources]
    added_independent = sum(1 for source in new_sources if source.independent)
    base = CONFIDENCE_RANK[case.confidence]
    raised = grade(base + added_independent, max(base, len(added)))
    if CONFIDENCE_RANK[raised] > base:
        case.confidence = raised
    existing = set(case.outcomes)
    for outcome in merge_data.get("outcomes", []):
        if outcome not in existing:
            CaseOutcome.objects.create(case=case, outcome=outcome)
    if merge_data.get("people_count"):
        case.people_count = merge_data["people_count"]
        case.people_qualifier = merge_data["people_qualifier"]
    if merge_data.get("summary_addition"):
        case.summary = f"{case.summary}\n\n{merge_data['summary_addition']}"
    if merge_data.get("event"):
        CaseEvent.objects.create(case=case, **merge_data["event"])
    case.save()
    note = merge_data.get("correction_note") or _("Added information from a further report.")
    CaseCorrection.objects.create(case=case, note=note)
    _decide(locked, Status.PUBLISHED, case)
    locked.save()
    record(
        AuditEvent.Action.MERGE,
        moderator=moderator,
        submission=locked,
        case=case,
        note=note,
        sources_added=len(added),
        confidence=case.confidence,
    )
    return case


# --- published cases -------------------------------------------------------------------


@transaction.atomic
def retract(case, *, moderator, reason):
    """Take a case off the public record; its URL then says it was withdrawn, and why."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if locked.status != Case.Status.PUBLISHED:
        raise Conflict(_("Case #%(id)s is not published; nothing was changed.") % {"id": locked.pk})
    locked.status = Case.Status.RETRACTED
    locked.retraction_reason = reason
    locked.save()
    record(AuditEvent.Action.RETRACT, moderator=moderator, case=locked, note=reason)
    return locked


@transaction.atomic
def edit_case(case, *, moderator, changes, correction_note=""):
    """Change a case's fields. On a public case this leaves a public correction line
    (`correction_note`, in general terms). Returns the names of the changed fields."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    changed = []
    for field in CASE_FIELDS:
        if field in changes and getattr(locked, field) != changes[field]:
            setattr(locked, field, changes[field])
            changed.append(field)
    if "outcomes" in changes and set(changes["outcomes"]) != set(locked.outcomes):
        locked.outcome_rows.exclude(outcome__in=changes["outcomes"]).delete()
        for outcome in set(changes["outcomes"]) - set(locked.outcomes):
            CaseOutcome.objects.create(case=locked, outcome=outcome)
        changed.append("outcomes")
    if not changed:
        return changed
    if locked.is_public and not correction_note.strip():
        raise ModerationError(_("Say in general terms what changed; readers see this note."))
    locked.save()
    if locked.is_public:
        CaseCorrection.objects.create(case=locked, note=correction_note)
    record(
        AuditEvent.Action.EDIT_CASE,
        moderator=moderator,
        case=locked,
        note=correction_note,
        fields=changed,
    )
    return changed


def record_admin_edit(case, *, user, fields):
    """The admin saves cases itself; this leaves the audit event for it."""
    return record(
        AuditEvent.Action.EDIT_CASE, moderator=user, case=case, fields=fields, via="admin"
    )
