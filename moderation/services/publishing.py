"""Turning a submission into public record: publish it as a new case (at once, or as a draft
for a second moderator under the four-eyes rule), approve or decline that draft, or merge
it into a published case."""

from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from submissions.models import Submission
from tracker.models import (
    CASE_FACTS,
    CONTENT_LANGUAGES,
    Case,
    CaseEvent,
    CaseOutcome,
    Source,
    translated,
)
from tracker.preservation import services as preservation

from ..confidence import (
    CONFIDENCE_RANK,
    ModerationError,
    case_grade,
    check_confidence,
    settle,
    suggested_confidence,
)
from ..models import AuditEvent, PublicationApproval
from . import common
from .case_changes import history_value, lock_case, record_change
from .common import Conflict, Status, decide, lock_submission


def _copy_source(source, case):
    copy = Source.objects.create(
        case=case,
        outlet=source.outlet or _outlet_from_url(source.url),
        url=source.url,
        published_on=source.published_on,
        account_from=source.account_from,
        # A report's source answers "independent of the other sources?"; a case's says
        # whether it relays another one.
        relays=source.independent is False,
        says_unconfirmed=source.says_unconfirmed,
        verified_by=source.verified_by,
        verified_at=source.verified_at,
    )
    preservation.source_copied(source, copy)  # enqueues: snapshots follow the source
    return copy


def _outlet_from_url(url):
    return urlsplit(url).hostname or url


@transaction.atomic
def publish(submission, *, moderator, case_data):
    """Publish a submission as a new case, from the fields the moderator edited.

    `case_data` holds Case fields plus `outcomes` (a list); `confidence_note` says why the
    confidence is lower than the sources support (the grade is computed). Only
    verified sources go onto the case. With the four-eyes setting the case stays a draft
    until another moderator approves it (`approve_publication`).
    """
    locked = lock_submission(submission, moderator)
    sources = list(locked.sources.all())
    verified = [source for source in sources if source.is_verified]
    if not verified:
        raise ModerationError(_("Verify at least one source before publishing."))
    reason = (case_data.get("confidence_note") or "").strip()
    suggested = suggested_confidence(sources)
    confidence = check_confidence(case_data.get("confidence"), suggested, reason)
    four_eyes = settings.MODERATION_FOUR_EYES
    case = Case(**{field: case_data[field] for field in CASE_FACTS if field in case_data})
    case.confidence = confidence
    # The note explains a lowered grade; at the computed grade there is nothing to explain.
    case.confidence_note = reason if confidence != suggested else ""
    case.status = Case.Status.DRAFT if four_eyes else Case.Status.PUBLISHED
    case.save()
    for outcome in case_data.get("outcomes", []):
        CaseOutcome.objects.create(case=case, outcome=outcome)
    # Search finds the case by its outcomes' labels too (tracker/search.py).
    case.refresh_search_document()
    for source in verified:
        _copy_source(source, case)
    details = {"confidence": confidence, "sources": len(verified)}
    if case.confidence_note:
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
        decide(locked, Status.PUBLISHED, case)
        locked.save()
        action = AuditEvent.Action.PUBLISH
    common.record(action, moderator=moderator, submission=locked, case=case, note=reason, **details)
    return case


def draft_version(case):
    """What the approving moderator saw of the draft (the review screen sends it back)."""
    return str(case.version)


@transaction.atomic
def approve_publication(submission, *, moderator, seen_version=None):
    """The four-eyes rule's second moderator: publishes the draft case.

    `seen_version` is the draft_version() the moderator read; if the draft was edited
    since, nothing is published: they approve what they read or nothing.
    """
    locked = Submission.objects.select_for_update().get(pk=submission.pk)
    approval = (
        PublicationApproval.objects.pending().select_for_update().filter(submission=locked).first()
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
    before = {"status": case.status}
    case.status = Case.Status.PUBLISHED
    case.published_at = now
    record_change(
        case,
        moderator=moderator,
        action=AuditEvent.Action.APPROVE,
        fields=["status"],
        before=before,
        submission=locked,
    )
    decide(locked, Status.PUBLISHED, case)
    locked.save()
    return case


@transaction.atomic
def decline_publication(submission, *, moderator, note):
    """The four-eyes rule's other answer: the second moderator sends the draft back (or the
    one who prepared it takes it back). The draft case, never public, is deleted; the
    submission stays in review with the moderator who prepared it."""
    locked = Submission.objects.select_for_update().get(pk=submission.pk)
    approval = (
        PublicationApproval.objects.pending().select_for_update().filter(submission=locked).first()
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
    common.record(
        AuditEvent.Action.DECLINE, moderator=moderator, submission=locked, note=note, draft=draft_id
    )
    return locked


# What a merge may change of a case's facts, kept with before/after values in its history.
MERGED_FACTS = (
    "confidence",
    "people_count",
    "people_qualifier",
    *(translated("summary", language) for language in CONTENT_LANGUAGES),
    "outcomes",
)


@transaction.atomic
def merge(submission, *, moderator, case, merge_data, seen_version=None):
    """Add a submission's verified sources and new facts to an existing published case.

    `merge_data`: `outcomes` to add, optional `people_count`/`people_qualifier`, optional
    `summary_addition` ({language: text}), optional `event` (date, date_precision, kind,
    description as {language: text}), and the moderator's optional public
    `correction_note`. All sources the case had are kept; a
    source already on the case (same link) is not added twice. Confidence can only go up:
    the rule (tracker/grading.py) grades the case's sources again.
    `seen_version` is the case's version the moderator's confirmation page showed.
    """
    locked = lock_submission(submission, moderator)
    case = lock_case(case, seen_version)
    if not case.is_public:
        raise Conflict(
            _("Case #%(id)s is not published; merge into a published case.") % {"id": case.pk}
        )
    before = {field: history_value(case, field) for field in MERGED_FACTS}
    new_sources = sources_to_merge(locked, case)
    added = [_copy_source(source, case) for source in new_sources]
    if added:
        _raise_confidence(case)
    _merge_facts(case, merge_data)
    changed = [field for field in MERGED_FACTS if history_value(case, field) != before[field]]
    if merge_data.get("event"):
        changed.append("events")
    correction = {"merged": True, "fields": changed}
    if added:
        correction["sources_added"] = len(added)
    note = merge_data.get("correction_note", "").strip()
    record_change(
        case,
        moderator=moderator,
        action=AuditEvent.Action.MERGE,
        fields=changed,
        before={field: before[field] for field in changed if field in before},
        note=note,
        correction=correction,
        submission=locked,
        sources_added=len(added),
        confidence=case.confidence,
    )
    decide(locked, Status.PUBLISHED, case)
    locked.save()
    return case


def sources_to_merge(submission, case):
    """The submission's verified sources that the case does not cite yet (by link)."""
    known_urls = set(case.sources.exclude(url="").values_list("url", flat=True))
    return [
        source
        for source in submission.sources.all()
        if source.is_verified and (not source.url or source.url not in known_urls)
    ]


def _raise_confidence(case):
    raised = settle(case.confidence, case_grade(case).confidence, case.confidence_note)
    if CONFIDENCE_RANK[raised] > CONFIDENCE_RANK[case.confidence]:
        case.confidence = raised


def _merge_facts(case, merge_data):
    existing = set(case.outcomes)
    for outcome in merge_data.get("outcomes", []):
        if outcome not in existing:
            CaseOutcome.objects.create(case=case, outcome=outcome)
    if merge_data.get("people_count"):
        case.people_count = merge_data["people_count"]
        case.people_qualifier = merge_data["people_qualifier"]
    for language, addition in merge_data.get("summary_addition", {}).items():
        # In each language the case is written in (the merge form asks for every one).
        field = translated("summary", language)
        setattr(case, field, f"{getattr(case, field)}\n\n{addition}")
    if merge_data.get("event"):
        event = dict(merge_data["event"])
        descriptions = event.pop("description")
        CaseEvent.objects.create(
            case=case,
            **event,
            **{translated("description", lang): text for lang, text in descriptions.items()},
        )
