"""Changes to a case once it exists: edits (from the moderation screens and the admin alike)
and retraction. On a public case every edit leaves a public correction line."""

from django.core.exceptions import FieldDoesNotExist
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from tracker.models import CASE_FACTS, Case, CaseCorrection, CaseOutcome

from ..models import AuditEvent
from . import common
from .common import Conflict

CORRECTION_MAX_LENGTH = CaseCorrection._meta.get_field("note").max_length
# What else a change may touch, as the correction line names it.
OTHER_CHANGES = {
    "outcomes": _lazy("what followed"),
    "sources": _lazy("sources"),
    "events": _lazy("timeline events"),
    "related_cases": _lazy("related cases"),
}


@transaction.atomic
def retract(case, *, moderator, reason):
    """Take a case off the public record; its URL then says it was withdrawn, and why."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if locked.status != Case.Status.PUBLISHED:
        raise Conflict(_("Case #%(id)s is not published; nothing was changed.") % {"id": locked.pk})
    locked.status = Case.Status.RETRACTED
    locked.retraction_reason = reason
    locked.save()
    common.record(AuditEvent.Action.RETRACT, moderator=moderator, case=locked, note=reason)
    return locked


@transaction.atomic
def edit_case(case, *, moderator, changes, correction_note="", also_changed=(), via=""):
    """Change a case's facts (and outcomes). Returns the names of what changed.

    `also_changed` names what the caller changed beside the facts in the same transaction
    (the admin's inlines: "sources", "timeline events"). On a public case every change
    leaves a public correction line: `correction_note` in general terms, or, without one,
    the list of what changed, so the line never claims more or less than happened.
    """
    locked = Case.objects.select_for_update().get(pk=case.pk)
    changed = [name for name in CASE_FACTS if name in changes and _differs(locked, name, changes)]
    for field in changed:
        setattr(locked, field, changes[field])
    if "outcomes" in changes and set(changes["outcomes"]) != set(locked.outcomes):
        locked.outcome_rows.exclude(outcome__in=changes["outcomes"]).delete()
        for outcome in set(changes["outcomes"]) - set(locked.outcomes):
            CaseOutcome.objects.create(case=locked, outcome=outcome)
        changed.append("outcomes")
    changed += [name for name in also_changed if name not in changed]
    if not changed:
        return changed
    locked.save()
    note = correction_note.strip()
    if locked.is_public:
        note = note or _correction_from(changed)
        CaseCorrection.objects.create(case=locked, note=note[:CORRECTION_MAX_LENGTH])
    details = {"fields": changed}
    if via:
        details["via"] = via
    common.record(
        AuditEvent.Action.EDIT_CASE, moderator=moderator, case=locked, note=note, **details
    )
    return changed


def _differs(case, field, changes):
    if field == "home_region":
        return case.home_region_id != getattr(changes[field], "pk", changes[field])
    return getattr(case, field) != changes[field]


def _label(name):
    try:
        return str(Case._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return str(OTHER_CHANGES.get(name, name))


def _correction_from(changed):
    return _("Corrected: %(fields)s.") % {"fields": ", ".join(_label(name) for name in changed)}
