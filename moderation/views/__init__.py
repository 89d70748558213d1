"""Moderation views; all of them behind `moderator_required`, all changes POST-only."""

from .cases import case_edit, case_list, case_retract
from .decisions import approve, ask, decline, merge, publish, reject
from .queue import bulk_reject_spam, queue, undo_rejection
from .review import attachment, claim, contact, release, review, verify_source
from .sources import dead_sources, evidence_bundle, snapshot, snapshot_raw

__all__ = [
    "approve",
    "dead_sources",
    "decline",
    "evidence_bundle",
    "ask",
    "attachment",
    "bulk_reject_spam",
    "case_edit",
    "case_list",
    "case_retract",
    "claim",
    "contact",
    "merge",
    "publish",
    "queue",
    "reject",
    "release",
    "review",
    "snapshot",
    "snapshot_raw",
    "undo_rejection",
    "verify_source",
]
