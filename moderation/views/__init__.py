"""Moderation views; all of them behind `moderator_required`, all changes POST-only."""

from .cases import case_edit, case_list, case_retract
from .decisions import approve, ask, decline, merge, publish, reject
from .queue import bulk_reject_spam, queue
from .review import attachment, claim, contact, release, review, verify_source

__all__ = [
    "approve",
    "decline",
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
    "verify_source",
]
