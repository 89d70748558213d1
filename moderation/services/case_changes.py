"""Changes to a case once it exists: edits (from the moderation screens and the admin alike)
and retraction.

Every change raises the case's `version` and is kept in the audit trail with the values
before and after (the case's history). A form carries the version it was made from; a
change made from an older version is refused (`StaleEdit`), never saved over another
moderator's. On a public case every change leaves a public correction line that records
what changed as data (`CaseCorrection.changes`).

Adding a translation (a language version of the title or summary that was empty) is not a
public correction: nothing a reader had seen changed, so it is kept in the history only.
Changing a version readers could already read is a correction like any other."""

from django.db import transaction
from django.utils.translation import gettext as _

from tracker.grading import settle
from tracker.models import (
    CASE_FACTS,
    CONTENT_LANGUAGES,
    TRANSLATED_FACTS,
    Case,
    CaseCorrection,
    CaseOutcome,
    translated,
)

from ..confidence import case_grade
from ..models import AuditEvent
from . import common
from .common import Conflict

CORRECTION_NOTE_MAX_LENGTH = CaseCorrection._meta.get_field("note").max_length


class StaleEdit(Conflict):
    """The case changed since the moderator's form was made from it."""

    def __init__(self, case, seen_version):
        self.case = case
        self.seen_version = seen_version
        super().__init__(
            _(
                "Case #%(id)s was changed by someone else after you opened it; nothing was "
                "saved. See what changed, then save again if your changes still apply."
            )
            % {"id": case.pk}
        )


def lock_case(case, seen_version=None):
    """The case, locked for this transaction; StaleEdit if it is no longer the version the
    moderator's form was made from."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if seen_version not in (None, "") and int(seen_version) != locked.version:
        raise StaleEdit(locked, int(seen_version))
    return locked


def history_value(case, field):
    """A fact's value as the history keeps it (JSON): dates as ISO, a region as its code."""
    if field == "outcomes":
        return sorted(case.outcomes)
    if field == "home_region":
        return case.home_region.code if case.home_region_id else None
    value = getattr(case, field)
    return value.isoformat() if hasattr(value, "isoformat") else value


def changes_since(case, version):
    """The recorded changes of `case` after `version`, oldest first: what another moderator
    did while a form made from `version` was open."""
    return [
        event
        for event in case.audit_events.order_by("at", "id")
        if (event.details.get("version") or 0) > version
    ]


def _differs(case, field, changes):
    if field == "home_region":
        return case.home_region_id != getattr(changes[field], "pk", changes[field])
    return getattr(case, field) != changes[field]


TRANSLATION_FIELDS = {
    translated(name, language) for name in TRANSLATED_FACTS for language in CONTENT_LANGUAGES
}


def _is_added_translation(field, before):
    return field in TRANSLATION_FIELDS and not before[field]


def _set_outcomes(case, outcomes):
    case.outcome_rows.exclude(outcome__in=outcomes).delete()
    for outcome in set(outcomes) - set(case.outcomes):
        CaseOutcome.objects.create(case=case, outcome=outcome)


def note_versions(case, note):
    """A public correction note as {language: text}: a plain string is written in the
    case's original language; a dict gives the versions a moderator wrote (empty ones
    left out)."""
    if isinstance(note, str):
        note = {case.original_language: note}
    return {
        language: note[language].strip()
        for language in CONTENT_LANGUAGES
        if (note.get(language) or "").strip()
    }


def record_change(
    case, *, moderator, action, fields, before, note="", correction=None, submission=None, **extra
):
    """Raise the version, save, and keep the change: the audit event with before/after
    values, and on a public case the correction line (`correction`: its `changes`).
    `note`: the public note, a string in the case's original language or a dict by
    language (note_versions)."""
    case.version += 1
    case.save()
    after = {field: history_value(case, field) for field in before}
    notes = note_versions(case, note)
    if case.is_public and correction is not None:
        CaseCorrection.objects.create(
            case=case,
            changes=correction,
            **{
                translated("note", language): text[:CORRECTION_NOTE_MAX_LENGTH]
                for language, text in notes.items()
            },
        )
    if len(notes) > 1:
        extra["notes"] = notes
    common.record(
        action,
        moderator=moderator,
        submission=submission,
        case=case,
        # The history's note: the original language's version, else the first written.
        note=notes.get(case.original_language) or next(iter(notes.values()), ""),
        fields=fields,
        changes={field: [before[field], after[field]] for field in before},
        version=case.version,
        **extra,
    )


@transaction.atomic
def edit_case(
    case,
    *,
    moderator,
    changes,
    correction_note="",
    seen_version=None,
    also_changed=(),
    sources_added=0,
    sources_removed=0,
    via="",
):
    """Change a case's facts (and outcomes). Returns the names of what changed.

    `correction_note`: the public note, in the case's original language (a string) or in
    each language a moderator wrote it in ({"ru": …, "en": …}).
    `also_changed` names what the caller changed beside the facts in the same transaction
    (the admin's inlines: "sources", "events", "related_cases"), `sources_added` and
    `sources_removed` how many sources it added and removed; the correction line says so.
    """
    locked = lock_case(case, seen_version)
    fields = [name for name in CASE_FACTS if name in changes and _differs(locked, name, changes)]
    if "outcomes" in changes and set(changes["outcomes"]) != set(locked.outcomes):
        fields.append("outcomes")
    before = {field: history_value(locked, field) for field in fields}
    for field in fields:
        if field == "outcomes":
            _set_outcomes(locked, changes["outcomes"])
        else:
            setattr(locked, field, changes[field])
    if "sources" in also_changed or sources_added or sources_removed:
        _regrade(locked, fields, before)
    touched = fields + [name for name in also_changed if name not in fields]
    if not touched and not (sources_added or sources_removed):
        return []
    corrected = [name for name in touched if not _is_added_translation(name, before)]
    correction = {"fields": corrected}
    if sources_added:
        correction["sources_added"] = sources_added
    if sources_removed:
        correction["sources_removed"] = sources_removed
    extra = {"via": via} if via else {}
    record_change(
        locked,
        moderator=moderator,
        action=AuditEvent.Action.EDIT_CASE,
        fields=touched,
        before=before,
        note=correction_note,
        correction=correction if corrected or sources_added or sources_removed else None,
        **extra,
    )
    return touched


def _regrade(case, fields, before):
    """The sources changed (the admin's inline): the grade follows them by the rule, down
    as well as up, unless a moderator lowered it with a reason."""
    settled = settle(case.confidence, case_grade(case).confidence, case.confidence_note)
    if settled != case.confidence:
        if "confidence" not in fields:
            before["confidence"] = history_value(case, "confidence")
            fields.append("confidence")
        case.confidence = settled


@transaction.atomic
def retract(case, *, moderator, reason, translations=None, seen_version=None):
    """Take a case off the public record; its URL then says it was withdrawn, and why.

    `reason` is written in the case's original language; `translations` may give it in
    the other languages ({"ru": …})."""
    locked = lock_case(case, seen_version)
    if locked.status != Case.Status.PUBLISHED:
        raise Conflict(_("Case #%(id)s is not published; nothing was changed.") % {"id": locked.pk})
    reasons = {**(translations or {}), locked.original_language: reason}
    fields = [translated("retraction_reason", language) for language in reasons]
    before = {"status": locked.status, **{field: getattr(locked, field) for field in fields}}
    locked.status = Case.Status.RETRACTED
    for language, text in reasons.items():
        setattr(locked, translated("retraction_reason", language), text)
    record_change(
        locked,
        moderator=moderator,
        action=AuditEvent.Action.RETRACT,
        fields=list(before),
        before=before,
        note=reason,
    )
    return locked
